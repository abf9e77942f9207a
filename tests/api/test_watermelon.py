"""The WatermelonDB protocol over HTTP, sent as ``synchronize()`` sends it: raw records
with columns, ``_status``/``_changed`` bookkeeping, 16-character ids."""

from __future__ import annotations

import secrets
import string
import sys
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from enforcement.models import GridAssignment, Lead, Party, Role, User
from tests import factories
from tests.api.helpers import assert_problem, bearer
from tests.sync.helpers import hold_horizon, settle

URL = "/api/v1/sync/watermelon"


def wm_id() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(16))


def pull(http, tokens, last_pulled_at=None, status=200):
    params = {"schema_version": 1, "migration": "null",
              "last_pulled_at": "null" if last_pulled_at is None else str(last_pulled_at)}
    response = http.get(URL, headers=bearer(tokens), params=params)
    assert response.status_code == status, response.text
    return response.json()


def push(http, tokens, last_pulled_at, changes):
    return http.post(URL, headers=bearer(tokens), params={"last_pulled_at": last_pulled_at},
                     json={"changes": changes})


def lead_raw(record_id, **columns):
    return {"id": record_id, "_status": "created", "_changed": "", "kind": "vehicle",
            "description": "院里停着一辆新三轮", "lon": 108.305, "lat": 35.405,
            "datum": "wgs84", "accuracy_m": None, "case_id": None, **columns}


def ids(changes, table, kind=("created", "updated")):
    return {row["id"] for k in kind for row in changes[table][k]}


def test_bootstrap_is_the_callers_scope_and_masked(http, world, login, session, engine):
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    _, far_debtor = factories.create_debtor_case(session, world.court, world.village_b)
    task = factories.create_task(session, world.judge_user, world.village_a)
    other_task = factories.create_task(session, world.judge_user, world.village_b)
    mine = factories.create_sighting(session, world.assistant, world.village_a)
    theirs = factories.create_sighting(session, world.assistant_b, world.village_b)
    session.commit()
    settle(engine)

    body = pull(http, login(world.assistant))
    changes = body["changes"]
    assert isinstance(body["timestamp"], int) and body["timestamp"] > 0
    assert ids(changes, "village_grid") == {world.village_a.id}
    assert ids(changes, "township") == {world.township.id}
    assert ids(changes, "wanted") == {debtor.id}
    assert far_debtor.id not in ids(changes, "wanted")
    wanted = changes["wanted"]["created"][0]
    rest = http.get("/api/v1/wanted", headers=world.headers(world.assistant)).json()
    shown = rest["items"][0]["party"]
    assert [wanted[k] for k in ("name", "id_number", "phone")] == [
        shown[k] for k in ("name", "id_number", "phone")]
    assert wanted["name"] != debtor.name and wanted["phone"] != debtor.phone
    assert wanted["case_ids"] == f'["{case.id}"]' and "amount_owed" not in wanted
    assert ids(changes, "task") == {task.id} and other_task.id not in ids(changes, "task")
    assert ids(changes, "sighting") == {mine.id} and theirs.id not in ids(changes, "sighting")
    assert changes["case"]["created"] and all(
        row["amount_owed"] is None for row in changes["case"]["created"])
    grid = changes["village_grid"]["created"][0]
    assert "geom" not in grid and grid["centroid_lon"] is not None

    stranger = pull(http, login(world.stranger))["changes"]
    assert not any(ids(stranger, t) & {debtor.id, task.id, mine.id, world.village_a.id}
                   for t in stranger)


def test_push_then_pull_round_trip_with_short_ids(http, world, login, engine):
    phone = login(world.assistant)
    first = pull(http, phone)
    lead_id, sighting_id = wm_id(), wm_id()
    answer = push(http, phone, first["timestamp"], {
        "lead": {"created": [lead_raw(lead_id)], "updated": [], "deleted": []},
        "sighting": {"created": [{"id": sighting_id, "_status": "created", "_changed": "",
                                  "seen_at": "2026-11-20T08:00:00Z", "confidence": 4,
                                  "urgent": False, "notes": "在村口小卖部", "lon": 108.306,
                                  "lat": 35.406, "datum": "gcj02", "accuracy_m": 8}],
                     "updated": [], "deleted": []},
    })
    assert answer.status_code == 200, answer.text
    assert answer.json()["counts"]["applied"] == 2
    settle(engine)
    again = pull(http, phone, first["timestamp"])
    row = again["changes"]["lead"]["updated"][0]
    assert row["id"] == lead_id and row["village_grid_id"] == world.village_a.id
    assert row["status"] == "submitted" and row["lon"] == 108.305
    sighting = again["changes"]["sighting"]["updated"][0]
    assert sighting["datum"] == "gcj02" and sighting["confidence"] == 4
    assert again["timestamp"] >= first["timestamp"]


def test_a_shared_field_edited_on_both_sides_becomes_a_conflict(http, world, login, session,
                                                                engine):
    """Watermelon pulls before it pushes and keeps its edited columns: the server still
    sees the clash, because it knows the device's base."""
    phone, bench = login(world.assistant), login(world.judge_user)
    case_a = factories.create_case(session, world.court)
    case_b = factories.create_case(session, world.court)
    session.commit()
    lead_id = wm_id()
    t0 = pull(http, phone)["timestamp"]
    assert push(http, phone, t0, {"lead": {"created": [lead_raw(lead_id)]}}).status_code == 200
    settle(engine)
    t1 = pull(http, phone, t0)["timestamp"]
    judge_t = pull(http, bench)["timestamp"]
    court_edit = push(http, bench, judge_t, {"lead": {"updated": [
        lead_raw(lead_id, case_id=case_a.id, _status="updated", _changed="case_id")]}})
    assert court_edit.status_code == 200, court_edit.text
    settle(engine)

    stale = push(http, phone, t1, {"lead": {"updated": [
        lead_raw(lead_id, case_id=case_b.id, description="车是蓝色的", _status="updated",
                 _changed="case_id,description")]}})
    assert_problem(stale, 409, "sync_pull_first")
    t2 = pull(http, phone, t1)["timestamp"]
    merged = push(http, phone, t2, {"lead": {"updated": [
        lead_raw(lead_id, case_id=case_b.id, description="车是蓝色的", _status="updated",
                 _changed="case_id,description")]}})
    assert merged.status_code == 200, merged.text
    assert merged.json()["counts"]["conflict"] == 1
    settle(engine)
    row = pull(http, phone, t2)["changes"]["lead"]["updated"][0]
    assert row["case_id"] == case_a.id and row["description"] == "车是蓝色的"
    conflicts = http.get("/api/v1/sync/conflicts", headers=bearer(bench)).json()
    assert [(c["record_id"], c["field"], c["client_value"]) for c in conflicts] == [
        (lead_id, "case_id", case_b.id)]


def test_read_only_tables_and_server_fields_are_refused_per_record(http, world, login,
                                                                    session, engine):
    phone = login(world.assistant)
    task = factories.create_task(session, world.judge_user, world.village_a)
    session.commit()
    settle(engine)
    t0 = pull(http, phone)["timestamp"]
    lead_id, fake_id = wm_id(), wm_id()
    answer = push(http, phone, t0, {
        "lead": {"created": [lead_raw(lead_id, status="accepted")]},
        "task": {"updated": [{"id": task.id, "title": "改个标题"}]},
        "wanted": {"created": [{"id": fake_id, "name": "王五"}]},
    })
    assert answer.status_code == 200, answer.text
    results = {r["id"]: r for r in answer.json()["results"]}
    assert results[task.id]["code"] == "sync_read_only"
    assert results[fake_id]["code"] == "sync_read_only"
    assert results[lead_id]["code"] == "field_server_owned"
    # Refused whole: the phone keeps them unsynced (synchronize() reads these ids), and
    # they are never answered as deleted behind the person's back.
    assert answer.json()["experimentalRejectedIds"] == {
        "task": [task.id], "wanted": [fake_id], "lead": [lead_id]}
    settle(engine)
    back = pull(http, phone, t0)["changes"]
    assert fake_id not in back["wanted"]["deleted"]
    assert {row["title"] for row in back["task"]["updated"]} == {task.title}


def test_bad_input_is_a_problem_not_a_500(http, world, login):
    phone = login(world.assistant)
    assert_problem(push(http, phone, 1, {"lead": {"created": [{"id": "x; drop"}]}}),
                   422, "invalid_push")
    bad = http.get(URL, headers=bearer(phone), params={"last_pulled_at": "-3"})
    assert bad.status_code == 422
    assert http.get(URL).status_code == 401
    # An empty last_pulled_at (an app that lost its timestamp) is a first sync, not a 500.
    empty = http.post(f"{URL}?last_pulled_at=", headers=bearer(phone), json={"changes": {}})
    assert empty.status_code == 200, empty.text
    assert empty.json()["experimentalRejectedIds"] == {}


def test_moving_to_another_grid_evicts_the_old_grids_records(http, world, login, session,
                                                             engine):
    """A scope change reaches the phone on its next pull: what left comes as deleted, what
    entered as created, with no full download."""
    _, debtor_a = factories.create_debtor_case(session, world.court, world.village_a)
    _, debtor_b = factories.create_debtor_case(session, world.court, world.village_b)
    session.commit()
    settle(engine)
    phone = login(world.assistant)
    first = pull(http, phone)
    assert ids(first["changes"], "wanted") == {debtor_a.id}

    session.execute(sa.update(GridAssignment).where(
        GridAssignment.user_id == world.assistant.id).values(ended_on=date.today()))
    factories.assign_grid(session, world.assistant, world.village_b)
    session.commit()
    settle(engine)
    moved = pull(http, phone, first["timestamp"])["changes"]
    assert debtor_a.id in moved["wanted"]["deleted"]
    assert world.village_a.id in moved["village_grid"]["deleted"]
    assert ids(moved, "wanted") == {debtor_b.id} and ids(moved, "village_grid") == {
        world.village_b.id}
    assert not ids(moved, "township")  # still the same township: not sent again


def test_a_pull_after_a_quiet_one_still_evicts_what_left_the_scope(http, world, login,
                                                                  session, engine):
    """Pulls that find nothing the scope reads changed skip comparing the phone's records
    with its whole scope; a debtor (and so their case) moved to another grid, then the
    assistant's grid ended, must still reach the phone as deleted on the next pull."""
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    _, kept_debtor = factories.create_debtor_case(session, world.court, world.village_a)
    session.commit()
    settle(engine)
    phone = login(world.assistant)
    first = pull(http, phone)
    assert ids(first["changes"], "wanted") == {debtor.id, kept_debtor.id}
    assert case.id in ids(first["changes"], "case")
    quiet = pull(http, phone, first["timestamp"])
    assert not any(ids(quiet["changes"], t) or quiet["changes"][t]["deleted"]
                   for t in quiet["changes"])

    session.execute(sa.update(Party).where(Party.id == debtor.id).values(
        village_grid_id=world.village_b.id, version=Party.version + 1))
    session.commit()
    settle(engine)
    moved = pull(http, phone, quiet["timestamp"])["changes"]
    assert moved["wanted"]["deleted"] == [debtor.id]
    assert moved["case"]["deleted"] == [case.id]
    quiet = pull(http, phone, pull(http, phone, quiet["timestamp"])["timestamp"])
    assert not any(ids(quiet["changes"], t) or quiet["changes"][t]["deleted"]
                   for t in quiet["changes"])

    session.execute(sa.update(GridAssignment).where(
        GridAssignment.user_id == world.assistant.id).values(ended_on=date.today()))
    session.commit()
    settle(engine)
    ended = pull(http, phone, quiet["timestamp"])["changes"]
    assert ended["wanted"]["deleted"] == [kept_debtor.id]
    assert world.village_a.id in ended["village_grid"]["deleted"]


def _stored_versions(session, device_id):
    """The row versions (xmin) of what the server keeps for a device's pulls: they change
    exactly when a pull writes."""
    session.rollback()
    return session.execute(sa.text(
        "SELECT (SELECT array_agg(xmin::text ORDER BY record_id) FROM sync_device_base"
        "        WHERE device_id = :d),"
        "       (SELECT xmin::text FROM sync_watermelon_verified WHERE device_id = :d)"),
        {"d": device_id}).one()


def test_an_up_to_date_phone_polls_without_writing_and_still_gets_what_comes(
        http, world, login, session, engine):
    """An up-to-date phone's polls write nothing on the server (so they neither wait for
    the disk nor move each other's timestamps), whatever timestamp each hands out; a
    lead, a record that left the scope and a record that entered it still reach the
    phone on the next poll."""
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    session.commit()
    settle(engine)
    device_id = f"dev-{wm_id().lower()}"
    phone = login(world.assistant, device_id)
    stamp = pull(http, phone)["timestamp"]
    stamp = pull(http, phone, stamp)["timestamp"]
    before = _stored_versions(session, device_id)
    assert before[1] is not None
    for _ in range(3):
        factories.create_lead(session, world.judge_user, world.village_a)  # not in scope
        session.commit()
        settle(engine)
        quiet = pull(http, phone, stamp)
        assert not any(ids(quiet["changes"], t) or quiet["changes"][t]["deleted"]
                       for t in quiet["changes"])
        assert quiet["timestamp"] >= stamp
        stamp = quiet["timestamp"]
    assert _stored_versions(session, device_id) == before

    lead = factories.create_lead(session, world.assistant, world.village_a)
    session.commit()
    settle(engine)
    body = pull(http, phone, stamp)
    assert ids(body["changes"], "lead") == {lead.id}
    stamp = pull(http, phone, body["timestamp"])["timestamp"]

    session.execute(sa.update(Party).where(Party.id == debtor.id).values(
        village_grid_id=world.village_b.id, version=Party.version + 1))
    session.commit()
    settle(engine)
    moved = pull(http, phone, stamp)
    assert moved["changes"]["wanted"]["deleted"] == [debtor.id]
    assert moved["changes"]["case"]["deleted"] == [case.id]

    stamp = pull(http, phone, pull(http, phone, moved["timestamp"])["timestamp"])["timestamp"]
    session.add(GridAssignment(court_id=world.court.id, user_id=world.assistant.id,
                               village_grid_id=world.village_b.id))
    session.commit()
    settle(engine)
    arrived = pull(http, phone, stamp)
    assert debtor.id in ids(arrived["changes"], "wanted", ("created",))


def test_a_quiet_phone_in_a_busy_court_looks_only_at_what_was_written_since_its_last_poll(
        http, world, login, session, engine, monkeypatch):
    """Each poll looks for writes from the timestamp it sends, not from the stored
    verification: a court that writes more than ``REVERIFY_AFTER`` records after it, a
    few per poll, never makes an up-to-date phone's poll rewrite it (finding 41)."""
    # (the module: the package exports its function ``pull`` under the same name)
    monkeypatch.setattr(sys.modules["sync.watermelon.pull"], "REVERIFY_AFTER", 3)
    device_id = f"dev-{wm_id().lower()}"
    phone = login(world.assistant, device_id)
    stamp = pull(http, phone, pull(http, phone)["timestamp"])["timestamp"]
    before = _stored_versions(session, device_id)
    for _ in range(4):  # 8 writes since the verification, 2 between two polls
        for _ in range(2):
            factories.create_lead(session, world.judge_user, world.village_a)  # not in scope
        session.commit()
        settle(engine)
        quiet = pull(http, phone, stamp)
        assert not any(ids(quiet["changes"], t) for t in quiet["changes"])
        stamp = quiet["timestamp"]
    assert _stored_versions(session, device_id) == before
    lead = factories.create_lead(session, world.assistant, world.village_a)
    session.commit()
    settle(engine)
    assert ids(pull(http, phone, stamp)["changes"], "lead") == {lead.id}


def test_a_change_that_commits_late_is_not_skipped(http, world, login, session, engine):
    """A lead written by a transaction that started before a pull but commits after it
    comes with the next pull, not never."""
    bench = login(world.judge_user)
    settle(engine)
    before = pull(http, bench)["timestamp"]
    with Session(engine) as slow:
        late = factories.create_lead(slow, world.assistant, world.village_a).id
        slow.flush()  # the transaction now has its id, and holds the horizon back
        middle = pull(http, bench, before)
        assert late not in ids(middle["changes"], "lead")
        slow.commit()
    settle(engine)
    after = pull(http, bench, middle["timestamp"])
    assert late in ids(after["changes"], "lead")


def test_a_first_pull_is_whole_while_another_transaction_holds_the_horizon(
        http, world, login, session, engine):
    """A phone set up while the court is busy gets every record it may see at once; what
    committed past the horizon comes again with the next pull, as an update."""
    with Session(engine) as busy:
        factories.create_lead(busy, world.judge_user, world.village_b)
        busy.flush()  # holds the horizon back from here on
        sighting = factories.create_sighting(session, world.assistant, world.village_a)
        session.commit()
        phone = login(world.assistant)
        first = pull(http, phone)
        assert first["timestamp"] <= session.scalar(sa.text(
            "SELECT max(xid) FROM sync_change"))
        assert ids(first["changes"], "village_grid") == {world.village_a.id}
        assert sighting.id in ids(first["changes"], "sighting")
        busy.rollback()
    settle(engine)
    again = pull(http, phone, first["timestamp"])
    assert sighting.id in ids(again["changes"], "sighting", kind=("updated",))


def test_a_phone_edits_its_own_pushed_record_while_another_transaction_holds_the_horizon(
        http, world, login, session, engine):
    """A long transaction anywhere on the server (a report, a backup) holds the pull's
    timestamp back. A phone that pushed a lead and edits it again before the horizon moves
    on is not told "pull first" for its own write, over and over: what changed on the server
    since its pull is only what it sent itself. Another's change still is."""
    phone = login(world.assistant)
    lead_id = wm_id()
    with engine.connect() as busy:
        hold_horizon(busy)
        first = pull(http, phone)
        created = push(http, phone, first["timestamp"], {"lead": {"created": [lead_raw(lead_id)]}})
        assert created.status_code == 200, created.text
        again = pull(http, phone, first["timestamp"])
        assert again["timestamp"] == first["timestamp"]  # the horizon has not moved
        edited = push(http, phone, again["timestamp"], {"lead": {"updated": [lead_raw(
            lead_id, _status="updated", _changed="description", description="车是新买的")]}})
        assert edited.status_code == 200, edited.text
        assert edited.json()["counts"]["applied"] == 1, edited.text
        bench = login(world.judge_user)
        court_edit = push(http, bench, pull(http, bench)["timestamp"], {"lead": {"updated": [
            lead_raw(lead_id, _status="updated", _changed="kind", kind="real_estate")]}})
        assert court_edit.status_code == 200, court_edit.text
        stale = push(http, phone, again["timestamp"], {"lead": {"updated": [lead_raw(
            lead_id, _status="updated", _changed="description", description="车是蓝色的")]}})
        assert_problem(stale, 409, "sync_pull_first")
        busy.rollback()
    session.expire_all()
    lead = session.scalars(sa.select(Lead).where(Lead.id == lead_id)).one()
    assert lead.description == "车是新买的"


def test_roles_without_rights_get_nothing_and_write_nothing(http, world, login, session,
                                                            engine):
    from enforcement.models import Role

    factories.create_lead(session, world.assistant, world.village_a)
    factories.create_debtor_case(session, world.court, world.village_a)
    session.commit()
    settle(engine)
    for role in (Role.LIAISON_UNIT, Role.ADMIN, Role.DEPUTY):
        tokens = login(world.users[role])
        body = pull(http, tokens)
        assert not any(ids(body["changes"], t) | set(body["changes"][t]["deleted"])
                       for t in ("lead", "sighting", "wanted", "case", "task", "visit")), role
        lead_id = wm_id()
        answer = push(http, tokens, body["timestamp"], {"lead": {"created": [lead_raw(lead_id)]}})
        assert answer.status_code == 200, answer.text
        (result,) = answer.json()["results"]
        assert (result["status"], result["code"]) == ("rejected", "forbidden"), role


def test_photos_travel_as_a_json_text_column(http, world, login, engine, app, tmp_path,
                                             monkeypatch):
    """WatermelonDB columns hold text: a phone sends its lead's photo list as JSON text
    (schema 2) and gets it back the same way."""
    import json
    import os

    from tests.api.helpers import upload_file

    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    phone = login(world.assistant)
    sha = upload_file(http, bearer(phone), os.urandom(3_000))["sha256"]
    first = pull(http, phone)
    lead_id = wm_id()
    photos = json.dumps([{"sha256": sha, "caption": "车"}], ensure_ascii=False)
    answer = http.post(URL, headers=bearer(phone), json={"changes": {"lead": {
        "created": [lead_raw(lead_id, attachments=photos)], "updated": [], "deleted": []}}},
        params={"last_pulled_at": first["timestamp"], "schema_version": 2})
    assert answer.status_code == 200, answer.text
    assert answer.json()["counts"]["applied"] == 1, answer.text
    lead = http.get(f"/api/v1/leads/{lead_id}", headers=bearer(phone))
    assert [a["sha256"] for a in lead.json()["attachments"]] == [sha]
    settle(engine)
    again = http.get(URL, headers=bearer(phone), params={
        "schema_version": 2, "migration": "null", "last_pulled_at": first["timestamp"]}).json()
    row = next(r for r in again["changes"]["lead"]["updated"] if r["id"] == lead_id)
    assert json.loads(row["attachments"]) == [{"sha256": sha, "caption": "车"}]


def test_a_role_changed_since_the_token_was_issued_pulls_as_the_role_held_now(
        http, world, login, session, engine):
    """The poll's first statement is built for the role the token names; when the court
    changed the user's role since, the pull starts again as the role it holds now, and
    what that role may see arrives."""
    device_id = f"dev-{wm_id().lower()}"
    phone = login(world.assistant, device_id)
    stamp = pull(http, phone)["timestamp"]
    stamp = pull(http, phone, stamp)["timestamp"]
    session.execute(sa.update(User).where(User.id == world.assistant.id)
                    .values(role=Role.JUDGE.value))
    elsewhere = factories.create_lead(session, world.judge_user, world.village_b)
    session.commit()
    settle(engine)
    body = pull(http, phone, stamp)
    assert elsewhere.id in ids(body["changes"], "lead")


def test_phones_of_one_role_share_the_poll_statement_each_with_its_own_scope(
        http, world, login, session, engine):
    """Every assistant's poll runs the one statement built for the role, with the caller's
    court, user and device as its values: polls taking turns each get their own grid's
    news and never the other's, and a phone of another court nothing of this one's."""
    phones = {who: login(user, f"dev-{wm_id().lower()}")
              for who, user in (("a", world.assistant), ("b", world.assistant_b),
                                ("stranger", world.stranger))}
    stamps = {who: pull(http, phone)["timestamp"] for who, phone in phones.items()}
    stamps = {who: pull(http, phones[who], stamp)["timestamp"] for who, stamp in stamps.items()}
    for grid, gets in ((world.village_b, "b"), (world.village_a, "a")):
        _, debtor = factories.create_debtor_case(session, world.court, grid)
        session.commit()
        settle(engine)
        for who in ("stranger", "a", "b") if gets == "b" else ("b", "stranger", "a"):
            body = pull(http, phones[who], stamps[who])
            wanted = ids(body["changes"], "wanted")
            assert wanted == ({debtor.id} if who == gets else set()), who
            stamps[who] = body["timestamp"]


def test_a_poll_after_the_server_dropped_its_connection_still_answers(
        http, world, login, session, engine):
    """A poll's one statement goes out without a ping first: when the server dropped the
    connection since (a restart, a failover), the read is sent again on a new one, and
    the phone gets its answer, not a 503."""
    phone = login(world.assistant, f"dev-{wm_id().lower()}")
    stamp = pull(http, phone)["timestamp"]
    stamp = pull(http, phone, stamp)["timestamp"]
    with engine.connect() as admin:
        dropped = admin.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = 'gridwork reads'"
        )).scalar_one()
    assert dropped >= 1
    lead = factories.create_lead(session, world.assistant, world.village_a)
    session.commit()
    settle(engine)
    assert ids(pull(http, phone, stamp)["changes"], "lead") == {lead.id}


def _bases(session, device_id):
    session.rollback()
    return {(t, i): (v, base, pv, pending) for t, i, v, base, pv, pending in session.execute(
        sa.text("SELECT table_name, record_id, version, base, pending_version, pending"
                " FROM sync_device_base WHERE device_id = :d"), {"d": device_id})}


def test_a_pull_keeps_as_the_devices_bases_what_it_sent(http, world, login, session, engine):
    """What a phone was sent is what the server keeps as its bases, record by record (all
    of a bootstrap in one statement): the version and the shared fields of each record,
    and for a record the phone already holds, the new values as pending beside the old."""
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    links = ({}, {"case_id": case.id}, {"party_id": debtor.id})  # bases that differ
    leads = [factories.create_lead(session, world.assistant, world.village_a,
                                   description=f"第{n}条 \"引号\" \\ 换行\n", **link)
             for n, link in enumerate(links)]
    session.commit()
    settle(engine)
    device_id = f"dev-{wm_id().lower()}"
    phone = login(world.assistant, device_id)
    first = pull(http, phone)
    sent = {("lead", r["id"]): (r["version"], {"case_id": r["case_id"],
                                               "party_id": r["party_id"]})
            for r in first["changes"]["lead"]["created"]}
    assert {i for _, i in sent} >= {lead.id for lead in leads}
    stored = _bases(session, device_id)
    assert {k: (v, base) for k, (v, base, _, _) in stored.items() if k[0] == "lead"} == sent
    assert all(pv is None and pending is None for _, _, pv, pending in stored.values())
    assert len(stored) == sum(len(c["created"]) for c in first["changes"].values())

    session.execute(sa.update(Lead).where(Lead.id == leads[0].id).values(
        case_id=case.id, version=Lead.version + 1))
    session.commit()
    settle(engine)
    again = pull(http, phone, first["timestamp"])
    (row,) = again["changes"]["lead"]["updated"]
    after = _bases(session, device_id)
    version, base, pending_version, pending = after[("lead", leads[0].id)]
    assert (version, base) == sent[("lead", leads[0].id)]
    assert (pending_version, pending) == (row["version"], {"case_id": case.id,
                                                            "party_id": row["party_id"]})
    assert {k: v for k, v in after.items() if k != ("lead", leads[0].id)} == {
        k: v for k, v in stored.items() if k != ("lead", leads[0].id)}
