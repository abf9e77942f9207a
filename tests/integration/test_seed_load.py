"""Loading the demo county into a real, migrated PostGIS database."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import Engine

from enforcement.accounts.passwords import verify_password
from seed import load as seed_load
from seed.cli import seed
from seed.county import TABLES, DemoCounty, generate_county
from seed.load import DemoRefused, load_demo
from seed.reference import COURT_CODE


@pytest.fixture(scope="module")
def county() -> DemoCounty:
    return generate_county()


def _counts(conn: sa.Connection) -> dict[str, int]:
    return {
        table: conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
        for table, _ in TABLES
    }


def _insert_real_court(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO court (id, code, name, county_name, region_code, case_prefix, "
                "is_demo) VALUES (:id, 'REAL-1', '某县人民法院', '某县', '621026', '甘1026', false)"
            ),
            {"id": str(uuid.uuid4())},
        )


def test_load_scale_one(engine: Engine, county: DemoCounty) -> None:
    report = load_demo(engine, progress=False)
    assert not report.already_loaded
    assert report.court_id == county.court.id
    assert report.counts == county.counts()

    with engine.connect() as conn:
        assert _counts(conn) == county.counts()
        court = conn.execute(sa.text("SELECT * FROM court")).one()
        assert (court.code, court.is_demo, court.case_prefix) == (COURT_CODE, True, "甘1025")

        # Every debtor's home lies in the village grid it is filed under.
        outside = conn.execute(sa.text("""
            SELECT count(*) FROM party p
            JOIN village_grid v ON v.court_id = p.court_id AND v.id = p.village_grid_id
            WHERE NOT ST_Covers(v.geom, p.home_point)
        """)).scalar_one()
        homed = conn.execute(sa.text("""
            SELECT count(DISTINCT p.id) FROM party p
            JOIN case_party cp ON cp.court_id = p.court_id AND cp.party_id = p.id
            WHERE cp.role = 'debtor' AND p.village_grid_id IS NOT NULL
        """)).scalar_one()
        assert outside == 0 and homed > 1900
        # ...and in no other village.
        ambiguous = conn.execute(sa.text("""
            SELECT count(*) FROM (
                SELECT p.id FROM party p JOIN village_grid v ON ST_Covers(v.geom, p.home_point)
                GROUP BY p.id HAVING count(*) > 1) x
        """)).scalar_one()
        assert ambiguous == 0
        misplaced = conn.execute(sa.text("""
            SELECT count(*) FROM lead l
            JOIN village_grid v ON v.court_id = l.court_id AND v.id = l.village_grid_id
            WHERE NOT ST_Covers(v.geom, l.point)
        """)).scalar_one()
        assert misplaced == 0

        # Areas computed on the spheroid; townships add up to the county.
        areas = conn.execute(sa.text("""
            SELECT (SELECT sum(area_m2) FROM township) AS townships,
                   (SELECT sum(area_m2) FROM village_grid) AS villages,
                   (SELECT count(*) FROM township WHERE area_m2 IS NULL)
                 + (SELECT count(*) FROM village_grid WHERE area_m2 IS NULL) AS missing,
                   ST_Area(ST_GeomFromText(:outline, 4326)::geography) AS county
        """), {"outline": county.outline.wkt}).one()
        assert areas.missing == 0
        assert abs(areas.townships - areas.county) / areas.county < 1e-3
        assert abs(areas.villages - areas.county) / areas.county < 1e-3
        assert 0.9e9 < areas.county < 1.6e9  # ~40 km x 35 km

        invalid = conn.execute(sa.text("""
            SELECT (SELECT count(*) FROM township WHERE NOT ST_IsValid(geom))
                 + (SELECT count(*) FROM village_grid WHERE NOT ST_IsValid(geom))
                 + (SELECT count(*) FROM enforcement_round WHERE NOT ST_IsValid(area))
        """)).scalar_one()
        assert invalid == 0
        srids = set(conn.execute(sa.text(
            "SELECT DISTINCT ST_SRID(geom) FROM township UNION "
            "SELECT DISTINCT ST_SRID(point) FROM lead UNION "
            "SELECT DISTINCT ST_SRID(address_point) FROM enforcement_case"
        )).scalars())
        assert srids == {4326}

        # Money adds up in the database too.
        over = conn.execute(sa.text(
            "SELECT count(*) FROM enforcement_case WHERE amount_recovered > amount_owed"
        )).scalar_one()
        assert over == 0

        # One password hash for everyone, and it is the demo password.
        hashes = conn.execute(sa.text(
            "SELECT count(DISTINCT password_hash) FROM user_account"
        )).scalar_one()
        assert hashes == 1
        assistant1 = conn.execute(sa.text(
            "SELECT password_hash, role FROM user_account WHERE username = 'assistant1'"
        )).one()
        assert assistant1.role == "grid_assistant"
        assert verify_password(assistant1.password_hash, "gridwork-demo")

    # Loading again changes nothing.
    again = load_demo(engine, progress=False)
    assert again.already_loaded and again.court_id == county.court.id
    with engine.connect() as conn:
        assert _counts(conn) == county.counts()


def test_refuses_a_database_with_real_courts(engine: Engine) -> None:
    _insert_real_court(engine)
    with pytest.raises(DemoRefused) as refused:
        load_demo(engine, progress=False)
    message = str(refused.value)
    assert "non-demo" in message and "非演示" in message
    with engine.connect() as conn:
        counts = _counts(conn)
    assert counts.pop("court") == 1
    assert set(counts.values()) == {0}


def test_a_failed_load_writes_nothing(engine: Engine, county: DemoCounty,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    broken = generate_county()
    broken.linkage_requests[-1].unit_id = str(uuid.uuid4())  # the last table: a dangling FK
    monkeypatch.setattr(seed_load, "generate_county", lambda scale, seed: broken)
    with pytest.raises(sa.exc.IntegrityError):
        load_demo(engine, progress=False)
    with engine.connect() as conn:
        assert set(_counts(conn).values()) == {0}


def _cli_app(engine: Engine) -> Flask:
    app = Flask("seed-cli-test")
    app.extensions["gridwork"] = SimpleNamespace(db=SimpleNamespace(engine=engine))
    app.cli.add_command(seed)
    return app


def test_cli(engine: Engine) -> None:
    runner = _cli_app(engine).test_cli_runner()

    help_text = runner.invoke(args=["seed", "demo", "--help"]).output
    assert "--scale" in help_text and "正宁县" in help_text

    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    out: Any = result.output
    assert "Loaded the demo county" in out
    assert "enforcement_case" in out and "2,000" in out
    for username in ("admin", "judge1", "officer1", "assistant1", "mediator1", "deputy1",
                     "liaison1"):
        assert username in out
    assert "gridwork-demo" in out

    again = runner.invoke(args=["seed", "demo", "--quiet"])
    assert again.exit_code == 0 and "already loaded" in again.output

    _insert_real_court(engine)
    refused = runner.invoke(args=["seed", "demo"])
    assert refused.exit_code != 0
    assert "Refusing to load demo data" in refused.output
    assert "Traceback" not in refused.output
