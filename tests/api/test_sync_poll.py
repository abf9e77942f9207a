"""The native pull of an up-to-date phone: answered from the pull's first statement
(docs/sync.md, "An empty poll is one statement"), it must still refuse whoever is no
longer signed in, follow a role changed since the token, refuse a pruned cursor, note
the device's last contact when due, and never skip what commits later."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from enforcement.models import Device, Role, User
from sync import feed
from tests import factories
from tests.api.helpers import assert_problem, bearer
from tests.sync.helpers import hold_horizon, settle

URL = "/api/v1/sync/pull"


def _pull(http: Any, phone: dict[str, Any], cursor: str | None = None, **params: Any) -> Any:
    response = http.get(URL, headers=bearer(phone),
                        params={**({"cursor": cursor} if cursor else {}), **params})
    assert response.status_code == 200, response.text
    return response


def _up_to_date(http: Any, engine: Any, phone: dict[str, Any]) -> str:
    """Bootstrap, then poll until the device's state names the cursor (the second poll
    with the same cursor is an up-to-date one); returns that cursor."""
    settle(engine)
    body = _pull(http, phone).json()
    while body["has_more"]:
        body = _pull(http, phone, body["next_cursor"]).json()
    cursor = body["next_cursor"]
    for _ in range(2):
        again = _pull(http, phone, cursor).json()
        assert _delivered(again) == set()
        cursor = again["next_cursor"]
    return cursor


def _delivered(body: dict[str, Any]) -> set[str]:
    return ({row["id"] for c in body["changes"].values() for row in c["upserts"]}
            | {i for c in body["changes"].values() for i in c["deletes"]}
            | {i for ids in body["evictions"].values() for i in ids})


def _versions(engine: Any, device_id: str) -> tuple[Any, ...]:
    """Row versions of what a pull may write for the device: its state, its device row
    (last contact) and its scope snapshots."""
    with engine.connect() as conn:
        return tuple(conn.exec_driver_sql(
            "SELECT (SELECT xmin::text FROM sync_device_state WHERE device_id = %(d)s),"
            "       (SELECT xmin::text FROM device WHERE id = %(d)s),"
            "       (SELECT array_agg(xmin::text ORDER BY digest) FROM sync_scope_snapshot)",
            {"d": device_id}).one())


def _place(cursor: str) -> tuple[feed.Position, str | None]:
    """A cursor's position and snapshot: what it says the device holds (how far its pull
    looked, ``feed.PullCursor.scanned``, moves with the court's other writes)."""
    at = feed.decode_pull_cursor(cursor)
    return at.position, at.snapshot


def _xid(engine: Any, record_id: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT max(xid) FROM sync_change WHERE record_id = :r"),
                                {"r": record_id}).scalar_one())


def test_an_up_to_date_poll_writes_nothing_answers_the_same_and_still_gets_what_comes(
        http, world, login, session, engine):
    """... and its cursor moves past the court's other writes, so that the next poll does
    not read them again (a quiet grid in a busy court: finding 41)."""
    phone = login(world.assistant)
    cursor = _up_to_date(http, engine, phone)
    quiet = _pull(http, phone, cursor).json()
    before = _versions(engine, phone["device_id"])
    for _ in range(3):
        other = factories.create_lead(session, world.judge_user, world.village_b)  # not in scope
        session.commit()
        settle(engine)
        again = _pull(http, phone, cursor).json()
        assert _place(again["next_cursor"]) == _place(quiet["next_cursor"])
        assert {**again, "next_cursor": None} == {**quiet, "next_cursor": None}
        assert feed.decode_pull_cursor(again["next_cursor"]).scanned > _xid(engine, other.id)
        cursor = again["next_cursor"]
    assert _versions(engine, phone["device_id"]) == before
    lead = factories.create_lead(session, world.assistant, world.village_a)
    session.commit()
    settle(engine)
    body = _pull(http, phone, cursor).json()
    assert _delivered(body) == {lead.id} and _place(body["next_cursor"]) != _place(cursor)
    first = _pull(http, phone, quiet["next_cursor"]).json()  # an older cursor: the same
    assert _delivered(first) == {lead.id}


@pytest.mark.parametrize("how", ["revoked", "deactivated", "signed_out"])
def test_an_up_to_date_phone_no_longer_signed_in_is_refused_and_nothing_written(
        http, world, login, session, engine, how):
    phone = login(world.assistant)
    cursor = _up_to_date(http, engine, phone)
    if how == "revoked":
        session.execute(sa.update(Device).where(Device.id == phone["device_id"])
                        .values(revoked_at=sa.func.now()))
    elif how == "deactivated":
        session.execute(sa.update(User).where(User.id == world.assistant.id)
                        .values(is_active=False))
    else:
        session.execute(sa.update(Device).where(Device.id == phone["device_id"])
                        .values(signed_out_at=sa.func.now() + sa.text("interval '1 minute'")))
    session.commit()
    before = _versions(engine, phone["device_id"])
    refused = http.get(URL, headers=bearer(phone), params={"cursor": cursor})
    if how == "revoked":
        assert assert_problem(refused, 403, "device_revoked")["wipe"] is True
    else:
        assert_problem(refused, 401,
                       "token_invalid" if how == "deactivated" else "token_revoked")
    assert _versions(engine, phone["device_id"]) == before
    # told that before a cursor it cannot read
    garbage = http.get(URL, headers=bearer(phone), params={"cursor": "garbage"})
    assert garbage.status_code == refused.status_code


def test_a_role_changed_since_the_token_pulls_as_the_role_held_now(
        http, world, login, session, engine):
    phone = login(world.assistant)
    cursor = _up_to_date(http, engine, phone)
    session.execute(sa.update(User).where(User.id == world.assistant.id)
                    .values(role=Role.JUDGE.value))
    elsewhere = factories.create_lead(session, world.judge_user, world.village_b)
    session.commit()
    settle(engine)
    assert elsewhere.id in _delivered(_pull(http, phone, cursor).json())


def test_a_cursor_behind_a_pruned_tombstone_is_told_to_resync_when_up_to_date(
        http, world, login, engine):
    phone = login(world.assistant)
    cursor = _up_to_date(http, engine, phone)
    position = feed.decode_cursor(cursor)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO sync_prune_mark (court_id, xid, seq) VALUES (%(c)s, %(x)s, %(s)s)"
            " ON CONFLICT (court_id) DO UPDATE SET xid = excluded.xid, seq = excluded.seq",
            {"c": world.court.id, "x": position.xid, "s": position.seq + 1})
    refused = http.get(URL, headers=bearer(phone), params={"cursor": cursor})
    assert assert_problem(refused, 409, "resync_required")["resync"] is True


def test_the_last_contact_is_noted_when_due_and_only_then(http, world, login, engine):
    phone = login(world.assistant)
    cursor = _up_to_date(http, engine, phone)
    seen = sa.select(Device.last_seen_at, sa.func.now() - Device.last_seen_at,
                     sa.literal_column("device.xmin::text")).where(
        Device.id == phone["device_id"])
    with engine.begin() as conn:
        conn.execute(sa.update(Device).where(Device.id == phone["device_id"])
                     .values(last_seen_at=sa.func.now() - sa.text("interval '2 minutes'")))
    _pull(http, phone, cursor)
    with engine.connect() as conn:
        _, age, version = conn.execute(seen).one()
    assert age.total_seconds() < 60
    _pull(http, phone, cursor)
    with engine.connect() as conn:
        assert conn.execute(seen).one()[2] == version  # not due: not written again


def test_a_court_wide_cursor_at_the_horizon_skips_nothing(http, world, login, session,
                                                          engine):
    """A judge's phone (every lead of the court) polls while a writing transaction holds
    the horizon back and a later one has committed: nothing is answered, the cursor stays
    at its change (and looked no further than the horizon); once the first commits both
    arrive from it, and a transaction's rows paged apart all come."""
    phone = login(world.judge_user)
    cursor = _up_to_date(http, engine, phone)
    with Session(engine) as held:
        early = factories.create_lead(held, world.judge_user, world.village_a).id
        hold_horizon(held.connection())  # the transaction holds the horizon back
        late = factories.create_lead(session, world.judge_user, world.village_b).id
        session.commit()
        waiting = _pull(http, phone, cursor).json()
        assert _delivered(waiting) == set()
        assert _place(waiting["next_cursor"]) == _place(cursor)
        held.commit()
    settle(engine)
    body = _pull(http, phone, waiting["next_cursor"]).json()
    assert _delivered(body) == {early, late}
    cursor = _up_to_date_from(http, phone, body["next_cursor"])
    with Session(engine) as one:  # one transaction, paged apart below
        three = [factories.create_lead(one, world.judge_user, world.village_a).id
                 for _ in range(3)]
        one.commit()
    settle(engine)
    got: set[str] = set()
    body = _pull(http, phone, cursor, limit=2).json()
    got |= _delivered(body)
    while body["has_more"]:
        body = _pull(http, phone, body["next_cursor"], limit=2).json()
        got |= _delivered(body)
    assert got == set(three)


def _up_to_date_from(http: Any, phone: dict[str, Any], cursor: str) -> str:
    for _ in range(2):
        cursor = _pull(http, phone, cursor).json()["next_cursor"]
    return cursor
