"""``flask geo import`` and ``flask geo export`` through Flask's CLI runner."""

from __future__ import annotations

import json

import sqlalchemy as sa
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
