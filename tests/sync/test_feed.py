"""The change feed: recorded by the trigger for every write, and a cursor that never skips
a change whose transaction started earlier but committed later."""

from __future__ import annotations

import base64
import time

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from sync.feed import (
    START,
    InvalidCursor,
    Position,
    PullCursor,
    decode_cursor,
    decode_pull_cursor,
    encode_cursor,
    read_changes,
)
from sync.tables import sync_change
from tests import factories

EVERYTHING = sa.true()


def _pull(engine, court_id, after, expect=None):
    """Read the feed; with ``expect``, wait up to 30 s for that many changes. Other test
    runs on the same server (xids are cluster-wide) may hold the horizon back briefly:
    that delays a change, it never loses one."""
    deadline = time.monotonic() + 30
    while True:
        with Session(engine) as session:
            changes, _ = read_changes(session, court_id, after, EVERYTHING, 100)
        if expect is None or len(changes) >= expect or time.monotonic() > deadline:
            return changes
        time.sleep(0.05)


@pytest.fixture
def two_leads(engine):
    with Session(engine, expire_on_commit=False) as session:
        court = factories.create_court(session)
        author = factories.create_user(session, court)
        first = factories.create_lead(session, author)
        second = factories.create_lead(session, author)
        session.commit()
    return court.id, first.id, second.id


def test_every_write_is_in_the_feed_once_per_record_at_its_newest_position(engine, two_leads):
    court_id, first, second = two_leads
    before = _pull(engine, court_id, START, expect=2)
    assert [c.record_id for c in before] == [first, second]
    with engine.begin() as conn:  # plain SQL, as a bulk loader or a console would write
        conn.execute(sa.text("UPDATE lead SET description = 'x', version = version + 1 "
                             "WHERE id = :id"), {"id": first})
    after = _pull(engine, court_id, START, expect=2)
    assert [(c.record_id, c.version) for c in after] == [(second, 1), (first, 2)]
    assert after[1].position > before[1].position
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE lead SET deleted_at = now() WHERE id = :id"), {"id": second})
        rows = conn.execute(sa.select(sync_change.c.op).where(
            sync_change.c.record_id == second)).scalars().all()
    assert rows == ["delete"]


def test_a_transaction_that_commits_late_is_never_skipped(engine, two_leads):
    """T1 starts and writes first, T2 writes later but commits first; a device pulls between
    the commits. With a plain sequence cursor it would pass T2's change and never see T1's."""
    court_id, first, second = two_leads
    cursor = _pull(engine, court_id, START, expect=2)[-1].position
    bump = sa.text("UPDATE lead SET description = :d, version = version + 1 WHERE id = :id")
    with engine.connect() as t1, engine.connect() as t2:
        t1.execute(bump, {"d": "t1", "id": first})  # T1 takes its xid and seq first
        t2.execute(bump, {"d": "t2", "id": second})
        t2.commit()

        seen = _pull(engine, court_id, cursor)
        assert seen == []  # T2's change waits while the older T1 is still running
        seqs = dict(t2.execute(sa.select(sync_change.c.record_id, sync_change.c.seq)).all())
        t2.rollback()

        t1.commit()
        seen = _pull(engine, court_id, cursor, expect=2)
    assert [c.record_id for c in seen] == [first, second]
    assert seen[0].position.seq < seqs[second]  # the naive cursor would have skipped it
    for change in seen:
        assert change.position > cursor
    assert _pull(engine, court_id, seen[-1].position) == []


def test_rolled_back_writes_never_appear(engine, two_leads):
    court_id, first, _ = two_leads
    cursor = _pull(engine, court_id, START, expect=2)[-1].position
    with engine.connect() as conn:
        conn.execute(sa.text("UPDATE lead SET version = 9 WHERE id = :id"), {"id": first})
        conn.rollback()
    assert _pull(engine, court_id, cursor) == []


def test_paging_returns_each_change_once(engine):
    with Session(engine, expire_on_commit=False) as session:
        court = factories.create_court(session)
        author = factories.create_user(session, court)
        ids = [factories.create_lead(session, author).id for _ in range(7)]
        session.commit()
    _pull(engine, court.id, START, expect=7)
    got, position, more = [], START, True
    with Session(engine) as session:
        while more:
            page, more = read_changes(session, court.id, position, EVERYTHING, 3)
            got += [c.record_id for c in page]
            position = page[-1].position if page else position
    assert got == ids


def test_cursor_round_trip_and_garbage():
    assert decode_cursor(encode_cursor(Position(123, 45))) == Position(123, 45)
    assert decode_cursor(None) == START
    for bad in ("nope", "YWJj", encode_cursor(Position(1, 2))[:-3] + "!!!"):
        with pytest.raises(InvalidCursor):
            decode_cursor(bad)


def test_a_cursor_says_how_far_its_pull_looked_and_is_read_back_whole():
    """``c3:`` cursors carry the horizon their pull read up to; a device looks on from
    whichever is later, that or its position. Forged values are refused like any other."""
    at = decode_pull_cursor(encode_cursor(Position(7, 3), "abc123", 40))
    assert at == PullCursor(Position(7, 3), "abc123", 40)
    assert at.scan_from() == Position(40, 0)
    assert PullCursor(Position(50, 2), "abc123", 40).scan_from() == Position(50, 2)
    assert decode_pull_cursor(encode_cursor(Position(7, 3), "abc123")).scanned == 0
    assert decode_pull_cursor(encode_cursor(Position(7, 3), None, 40)).snapshot is None
    for raw in ("c3:7:3:abc123:-1", "c3:7:3:abc123:x", "c3:7:3::40", "c3:7:3:abc123:40:1",
                f"c3:7:3:abc123:{2**63}"):
        forged = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
        with pytest.raises(InvalidCursor):
            decode_pull_cursor(forged)
