"""A round planned on the demo county in PostGIS: its routes are valid."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from enforcement.accounts.principal import Principal
from enforcement.infrastructure.db import Database
from enforcement.models import Role
from enforcement.rounds import outputs as round_outputs
from enforcement.rounds import planning as round_planning
from enforcement.rounds import summary as round_summary
from enforcement.rounds import usecases as rounds
from seed.load import load_demo


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def test_demo_township_round_is_valid(engine: Engine, db: Database) -> None:
    load_demo(engine, progress=False)
    with engine.connect() as conn:
        officer = conn.execute(sa.text(
            "SELECT id, court_id FROM user_account WHERE role = 'officer' ORDER BY id LIMIT 1"
        )).one()
        township = conn.execute(sa.text(
            "SELECT t.id, ST_X(ST_Centroid(t.geom)) AS lon, ST_Y(ST_Centroid(t.geom)) AS lat "
            "FROM township t JOIN enforcement_case c ON c.township_id = t.id "
            "WHERE c.status IN ('open', 'in_progress') "
            "GROUP BY t.court_id, t.id ORDER BY count(*) DESC, t.id LIMIT 1")).one()
    principal = Principal(officer.id, officer.court_id, Role.OFFICER, "test-device")
    teams = [rounds.TeamInput(name=f"第{k}组", lon=township.lon, lat=township.lat, max_stops=8)
             for k in (1, 2, 3)]
    created = rounds.create_round(db, principal, rounds.RoundInput(
        name="demo", starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 3), teams=teams,
        township_ids=[township.id]))
    planned = round_planning.plan_round(db, principal, created["id"],
                                        round_planning.PlanOptions(exploration_level=2))

    plan = planned["plan"]
    keys = [s["key"] for r in plan["routes"] for s in r["stops"]]
    assert len(keys) == len(set(keys)) > 20
    routed = [k.removeprefix("case:") for k in keys if k.startswith("case:")]
    for route in plan["routes"]:
        assert len(route["stops"]) <= 8
        assert 8 * 3600 <= route["leaves_s"] <= route["returns_s"] <= 18 * 3600
        for stop in route["stops"]:
            assert stop["arrival_s"] <= stop["start_s"] < stop["departure_s"]
            if stop["windows"]:
                assert any(_secs(a) <= stop["start_s"] <= _secs(b) for a, b in stop["windows"])
    with engine.connect() as conn:
        wrong = conn.execute(sa.text(
            "SELECT count(*) FROM enforcement_case WHERE id = ANY(:ids) AND (township_id <> :t "
            "OR status NOT IN ('open', 'in_progress', 'resumed', 'terminated'))"),
            {"ids": routed, "t": township.id}).scalar_one()
    assert wrong == 0
    png = round_outputs.plan_map_png(db, principal, created["id"])
    assert png.startswith(b"\x89PNG")


def test_seeded_rounds_read_and_sum_up(engine: Engine, db: Database) -> None:
    """The demo county's past rounds (teams without planner settings, visits recorded)
    read back and sum up like planned ones."""
    load_demo(engine, progress=False)
    with engine.connect() as conn:
        judge = conn.execute(sa.text(
            "SELECT id, court_id FROM user_account WHERE role = 'judge' ORDER BY id LIMIT 1"
        )).one()
        expected = conn.execute(sa.text(
            "SELECT r.id, count(DISTINCT t.id) AS targets, count(v.id) AS visits,"
            " coalesce(sum(v.amount_collected), 0) AS collected"
            " FROM enforcement_round r JOIN round_target t ON t.round_id = r.id"
            " LEFT JOIN visit v ON v.target_id = t.id"
            " GROUP BY r.court_id, r.id ORDER BY r.starts_on LIMIT 1")).one()
    principal = Principal(judge.id, judge.court_id, Role.JUDGE, "test-device")
    seeded = rounds.get_round(db, principal, expected.id)
    assert seeded["status"] == "done" and all(t["start"] for t in seeded["teams"])
    summary = round_summary.round_summary(db, principal, expected.id)
    assert (summary["targets"], summary["visits"]) == (expected.targets, expected.visits)
    assert summary["amount_collected"] == expected.collected
    assert sum(t["visits"] for t in summary["teams"]) == expected.visits
    assert sum(d["visits"] for d in summary["days"]) == expected.visits
    assert summary["planned_km"] > 0 and summary["visited_km"] > 0


def _secs(hhmm: str) -> int:
    return int(hhmm[:2]) * 3600 + int(hhmm[3:]) * 60
