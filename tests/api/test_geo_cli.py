"""``flask geo import`` and ``flask geo export`` through Flask's CLI runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from pyproj import Transformer
from shapely import transform
from shapely.geometry import Polygon, box

from enforcement.models import Role
from tests import factories


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["geo", *args], catch_exceptions=False)


def test_import_prints_a_summary_and_export_round_trips(app, session, tmp_path):
    court = factories.create_court(session)
    author = factories.create_user(session, court, Role.OFFICER)
    factories.create_lead(session, author, lon=108.305, lat=35.405)
    session.commit()
    bow_tie = Polygon([(108.31, 35.40), (108.32, 35.41), (108.32, 35.40), (108.31, 35.41)])
    path = factories.write_boundary_file(tmp_path / "villages.geojson", [
        ("V-A", "东关村", box(108.30, 35.40, 108.31, 35.41)), ("V-B", "西坡村", bow_tie)])

    result = run(app, "import", str(path), "--level", "village", "--court", court.code,
                 "--quiet")
    assert result.exit_code == 0, result.output
    assert "Imported 2 village boundaries" in result.output
    assert "repaired / 已修复" in result.output and "V-B" in result.output
    lead_line = next(line for line in result.output.splitlines()
                     if line.strip().startswith("lead "))
    assert lead_line.split()[1:] == ["1", "1"]

    target = tmp_path / "out.geojson"
    exported = run(app, "export", str(target), "--level", "village", "--court", court.code)
    assert exported.exit_code == 0, exported.output
    features = json.loads(target.read_text(encoding="utf-8"))["features"]
    assert sorted(f["properties"]["name"] for f in features) == ["东关村", "西坡村"]


def test_bad_file_exits_non_zero_without_traceback(app, session, engine, tmp_path):
    court = factories.create_court(session)
    session.commit()
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"PK\x03\x04 not really a zip at all")

    result = run(app, "import", str(garbage), "--level", "township", "--court", court.code)
    assert result.exit_code == 1
    assert "boundary_file_unreadable" in result.output
    assert "Traceback" not in result.output
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM township")).scalar() == 0


def test_help_is_in_chinese_and_english(app):
    result = run(app, "import", "--help")
    assert "Import boundaries" in result.output and "导入边界" in result.output
    assert "--code-field" in result.output


def to_zone_36(shape):
    """EPSG:4524: CGCS2000 3-degree Gauss-Krüger zone 36, zone number in the easting."""
    forward = Transformer.from_crs(4326, 4524, always_xy=True).transform
    return transform(shape, lambda x, y: forward(x, y), interleaved=False)


def test_gbk_shapefile_without_cpg_or_prj_imports_with_crs_named(app, session, engine,
                                                                 tmp_path):
    court = factories.create_court(session)
    session.commit()
    shp = factories.write_boundary_file(tmp_path / "乡镇.shp", [
        ("621025100", "山河镇", to_zone_36(box(107.70, 35.50, 107.80, 35.60)))],
        crs=None, encoding="GBK", cpg=False, code_field="XZQDM", name_field="XZQMC")

    refused = run(app, "import", str(shp), "--level", "township", "--court", court.code)
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert refused.output.count("\n") == 1 and "--crs EPSG:" in refused.output
    assert "EPSG:4524" in refused.output

    result = run(app, "import", str(shp), "--level", "township", "--court", court.code,
                 "--crs", "EPSG:4524", "--quiet")
    assert result.exit_code == 0, result.output
    assert "EPSG:4524 → EPSG:4326, text GB18030" in result.output
    assert "no .cpg" in result.output
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM township")).scalar() == "山河镇"


def test_names_in_an_unknown_encoding_are_one_line_naming_the_field(app, session, engine,
                                                                   tmp_path):
    court = factories.create_court(session)
    session.commit()
    shp = factories.write_boundary_file(tmp_path / "v.shp", [
        ("V-1", "東關村", box(108.30, 35.40, 108.31, 35.41))], encoding="BIG5", cpg=False,
        name_field="CUNMC")

    result = run(app, "import", str(shp), "--level", "village", "--court", court.code)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.count("\n") == 1
    assert "boundary_text_undecodable" in result.output and "'CUNMC'" in result.output
    assert "--encoding" in result.output
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM village_grid")).scalar() == 0

    fixed = run(app, "import", str(shp), "--level", "village", "--court", court.code,
                "--encoding", "big5", "--quiet")
    assert fixed.exit_code == 0, fixed.output


def test_commands_print_their_output_and_no_log_lines(database_url, session, tmp_path):
    """Issue item 4: Alembic's plugin set-up put seven JSON log lines before each output."""
    court = factories.create_court(session)
    session.commit()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOG_", "FLASK_"))}
    env |= {"DATABASE_URL": database_url, "GRIDWORK_ENV": "development"}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "geo", "export",
         str(tmp_path / "out.geojson"), "--level", "village", "--court", court.code],
        cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Wrote 0 village grids")
    assert done.stderr == ""
