"""Revision b8f2a6d4e908 moves teams' settings from the round's plan JSON into round_team
columns, and back on downgrade, without losing a setting."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa
from alembic import command

from enforcement.infrastructure.db_migrations import alembic_config
from enforcement.models import Role

BEFORE = "181c199e3853"


@pytest.mark.timeout(120)
def test_team_settings_move_to_columns_and_back(make_database) -> None:
    url = make_database()
    cfg = alembic_config(url=url)
    command.downgrade(cfg, BEFORE)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        court_id, user_id = f"court-{uuid.uuid4().hex[:8]}", "officer-a"
        with engine.begin() as conn:  # SQL, not the models: court and user_account gained
            conn.execute(sa.text(     # columns since
                "INSERT INTO court (id, code, name, county_name, region_code, case_prefix)"
                " VALUES (:c, :c, '测试县人民法院', '测试县', '621025', '甘1025')"),
                {"c": court_id})
            conn.execute(sa.text(
                "INSERT INTO user_account (court_id, id, username, display_name, role,"
                " password_hash) VALUES (:c, :u, 'officer-a-migration', '张小明', :r, 'x')"),
                {"c": court_id, "u": user_id, "r": Role.OFFICER.value})
        plan = {"teams": {"team-a": {"start": {"lon": 108.35, "lat": 35.45},
                                     "work_start": "13:00", "work_end": "22:00",
                                     "max_stops": 5, "capacity": 3}},
                "result": None}
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO enforcement_round (court_id, id, name, status, starts_on, ends_on,"
                " team_count, plan, created_by, version) VALUES (:c, 'round-a', '第一轮',"
                " 'draft', '2026-11-02', '2026-11-03', 1, CAST(:plan AS jsonb), :u, 1)"),
                {"c": court_id, "u": user_id, "plan": json.dumps(plan)})
            conn.execute(sa.text(
                "INSERT INTO round_team (court_id, id, round_id, name) "
                "VALUES (:c, 'team-a', 'round-a', '第一组')"), {"c": court_id})

        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            team = conn.execute(sa.text(
                "SELECT ST_X(start_point) AS lon, ST_Y(start_point) AS lat, shift_start::text,"
                " shift_end::text, max_stops, capacity FROM round_team WHERE id = 'team-a'"
            )).one()
            stored = conn.execute(sa.text(
                "SELECT plan FROM enforcement_round WHERE id = 'round-a'")).scalar_one()
        assert tuple(team) == (108.35, 35.45, "13:00:00", "22:00:00", 5, 3)
        assert stored == {"result": None}

        command.downgrade(cfg, BEFORE)
        with engine.connect() as conn:
            restored = conn.execute(sa.text(
                "SELECT plan FROM enforcement_round WHERE id = 'round-a'")).scalar_one()
        assert restored == plan
    finally:
        engine.dispose()
