"""Schema 4 of the WatermelonDB app: an officer's round stops (``round_stop``) and the grid
outlines the phone draws its map from, over HTTP as ``synchronize()`` sends it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import AuditEntry, Role, RoundStatus, RoundTarget
from tests import factories
from tests.api.helpers import bearer
from tests.api.test_watermelon import ids, wm_id
from tests.sync.helpers import settle

URL = "/api/v1/sync/watermelon"


def today() -> datetime:
    return datetime.now(ZoneInfo("Asia/Shanghai"))


def pull(http, tokens, version=4, last_pulled_at=None, migration=None):
    response = http.get(URL, headers=bearer(tokens), params={
        "schema_version": version, "migration": json.dumps(migration),
        "last_pulled_at": "null" if last_pulled_at is None else str(last_pulled_at)})
    assert response.status_code == 200, response.text
    return response.json()


def stops_world(session, world):
    """The officer leads a team of a locked round with stops today (two, out of order),
    tomorrow and in ten days; another team of the round and a draft round have stops today
    too."""
    officer = world.users[Role.OFFICER]
    day = today().date()
    rnd, _ = factories.create_visitable_round(session, officer, stops=0)
    team = factories.create_round_team(session, rnd, officer, name="一组")
    other_team = factories.create_round_team(session, rnd, factories.create_user(
        session, world.court, Role.OFFICER))
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)

    def stop(team_id, when, seq, **extra):
        return factories.create_round_target(
            session, rnd if "rnd" not in extra else extra.pop("rnd"), team_id=team_id,
            day=when, seq=seq, point=factories.point(108.305, 35.405 + seq / 10_000),
            village_grid_id=world.village_a.id, **extra)

    second = stop(team.id, day, 2, case_id=case.id)
    first = stop(team.id, day, 1, case_id=case.id)
    tomorrow = stop(team.id, day + timedelta(days=1), 1)
    later = stop(team.id, day + timedelta(days=10), 1)
    theirs = stop(other_team.id, day, 1)
    draft = factories.create_round(session, officer, status=RoundStatus.DRAFT)
    draft_team = factories.create_round_team(session, draft, officer)
    unplanned = stop(draft_team.id, day, 1, rnd=draft)
    session.commit()
    return officer, rnd, debtor, case, (first, second, tomorrow), (later, theirs, unplanned)


def test_an_officer_pulls_the_stops_of_their_team_for_today_and_the_next_days(
        http, world, login, session, engine):
    officer, rnd, debtor, case, mine, others = stops_world(session, world)
    settle(engine)
    changes = pull(http, login(officer))["changes"]
    assert ids(changes, "round_stop") == {s.id for s in mine}
    assert not ids(changes, "round_stop") & {s.id for s in others}
    by_id = {row["id"]: row for row in changes["round_stop"]["created"]}
    first = by_id[mine[0].id]
    assert first["round_id"] == rnd.id and first["team_name"] == "一组"
    assert first["day"] == today().date().isoformat() and first["seq"] == 1
    assert first["status"] == "planned" and first["visited_at"] is None
    assert first["case_number"] == case.case_number and first["debtor"] == debtor.name
    assert (first["lon"], first["lat"]) == (108.305, 35.4051)
    assert isinstance(first["created_at"], int) and isinstance(first["updated_at"], int)
    with Session(engine) as s:  # officers read names; a phone's read is audited, as the sheet's
        audited = s.scalars(sa.select(AuditEntry).where(
            AuditEntry.action == "party.read_unmasked", AuditEntry.actor_id == officer.id,
            AuditEntry.subject_id == debtor.id)).all()
    assert audited and audited[0].detail["via"] == "sync"

    # Nobody else's phone holds them: an officer on no team, an assistant, a mediator.
    for user in (factories.create_user(session, world.court, Role.OFFICER), world.assistant,
                 world.users[Role.MEDIATOR]):
        session.commit()
        assert not ids(pull(http, login(user))["changes"], "round_stop")
    # An app still on schema 3 has no such table.
    assert "round_stop" not in pull(http, login(officer), version=3)["changes"]


def test_a_visit_moves_the_stop_on_and_a_cancelled_round_leaves_the_phone(
        http, world, login, session, engine):
    officer, rnd, *_rest = stops_world(session, world)
    first = _rest[2][0]
    settle(engine)
    phone = login(officer)
    before = pull(http, phone)
    visit_id = wm_id()
    pushed = http.post(URL, headers=bearer(phone), params={
        "last_pulled_at": before["timestamp"], "schema_version": 4}, json={"changes": {
            "visit": {"created": [{
                "id": visit_id, "_status": "created", "_changed": "", "round_id": rnd.id,
                "target_id": first.id, "visited_at": int(today().timestamp() * 1000) - 60_000,
                "result": "debtor_absent", "notes": "家中无人", "lon": 108.305,
                "lat": 35.4051, "datum": "wgs84", "accuracy_m": 12}],
                "updated": [], "deleted": []},
            "round_stop": {"created": [], "updated": [{
                "id": first.id, "_status": "updated", "_changed": "status",
                "status": "visited"}], "deleted": []}}})
    assert pushed.status_code == 200, pushed.text
    body = pushed.json()
    assert body["experimentalRejectedIds"] == {"round_stop": [first.id]}
    settle(engine)
    after = pull(http, phone, last_pulled_at=before["timestamp"])
    moved = next(r for r in after["changes"]["round_stop"]["updated"] if r["id"] == first.id)
    assert moved["status"] == "revisit" and moved["last_result"] == "debtor_absent"
    assert moved["visited_at"] is not None

    with Session(engine) as s:
        s.get(type(rnd), (rnd.court_id, rnd.id)).status = RoundStatus.CANCELLED
        s.commit()
    settle(engine)
    gone = pull(http, phone, last_pulled_at=after["timestamp"])["changes"]
    assert first.id in gone["round_stop"]["deleted"]


def test_grid_outlines_come_simplified_from_schema_4_and_a_migration_brings_them(
        http, world, login, session, engine):
    officer, _rnd, _debtor, _case, mine, _others = stops_world(session, world)
    settle(engine)
    phone = login(officer)
    old = pull(http, phone, version=3)
    grid = next(r for r in old["changes"]["village_grid"]["created"]
                if r["id"] == world.village_a.id)
    assert "outline" not in grid and "round_stop" not in old["changes"]
    # The app updates to schema 4: synchronize() names what the migration added.
    migrated = pull(http, phone, version=4, last_pulled_at=old["timestamp"], migration={
        "from": 3, "tables": ["round_stop"],
        "columns": [{"table": "township", "columns": ["outline"]},
                    {"table": "village_grid", "columns": ["outline"]}]})["changes"]
    assert ids(migrated, "round_stop", ("created",)) == {s.id for s in mine}
    grid = next(r for r in migrated["village_grid"]["updated"] if r["id"] == world.village_a.id)
    outline = json.loads(grid["outline"])
    assert outline["type"] in ("Polygon", "MultiPolygon")
    ring = outline["coordinates"][0] if outline["type"] == "Polygon" \
        else outline["coordinates"][0][0]
    lons = [p[0] for p in ring]
    assert min(lons) >= 108.30 - 1e-6 and max(lons) <= 108.31 + 1e-6
    assert any(r["outline"] for r in migrated["township"]["updated"])


def test_the_feed_has_round_targets_and_scope_inputs_are_logged(session, world, engine):
    """What the migration adds: a stop's write is a feed row, a team's write a scope input."""
    officer = world.users[Role.OFFICER]
    _rnd, (stop,) = factories.create_visitable_round(session, officer, stops=1)
    session.commit()
    with engine.connect() as conn:
        fed = conn.execute(sa.text(
            "SELECT op FROM sync_change WHERE table_name = 'round_target' AND record_id = :i"),
            {"i": stop.id}).scalar()
        logged = set(conn.execute(sa.text(
            "SELECT DISTINCT table_name FROM sync_scope_input_change WHERE court_id = :c"),
            {"c": world.court.id}).scalars())
    assert fed == "upsert" and {"round_team", "enforcement_round"} <= logged
    session.execute(sa.delete(RoundTarget).where(RoundTarget.id == stop.id))
    session.commit()
    with engine.connect() as conn:
        assert conn.execute(sa.text(
            "SELECT op FROM sync_change WHERE table_name = 'round_target' AND record_id = :i"),
            {"i": stop.id}).scalar() == "delete"
