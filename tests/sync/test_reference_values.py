"""The reference tables (townships, village grids, the wanted list, tasks, cases) reach a
phone exactly as they did when their values were built in Python from ORM rows: the same
JSON bytes, for every role that reads them and every schema version, now that PostgreSQL
formats them through the one definition every synced table has
(``enforcement.syncing.values.TableValues``; issue #20).

The oracle is the code before (tests/sync/reference_before.py). The data covers what each
rule decides: times with and without microseconds, dates, amounts, masked and unmasked
names (one to four characters, an organisation), masked free text in tasks, measures with
their since-dates, a debtor no longer wanted, optional fields empty, bounding boxes that
round, outlines (schema 4)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from enforcement.models import CaseStatus, PartyKind, Role, Township, User
from enforcement.syncing import usecases as syncing
from tests import factories
from tests.sync import reference_before
from tests.sync.helpers import settle
from tests.sync.test_table_specs import Courts

TABLES = ("township", "village_grid", "wanted", "task", "case")
BEFORE = {spec.table: spec for spec in reference_before.REFERENCE_SPECS}
CST = timezone(timedelta(hours=8))


def _at(n: int, micro: int = 0) -> datetime:
    return datetime(2026, 3, 1, 9, 30, tzinfo=CST) + timedelta(hours=n, microseconds=micro)


class World:
    """Courts, plus reference rows of every kind."""

    def __init__(self, session: Session) -> None:
        c = self.c = Courts(session)
        self.readers = {"assistant": c.assistant, "assistant_b": c.assistant_b,
                        "officer": c.officer, "judge": c.judge, "mediator": c.mediator,
                        "deputy": c._phone(session, c.court, Role.DEPUTY),
                        "liaison": c._phone(session, c.court, Role.LIAISON_UNIT)}
        t = c.grid_a.township_id
        c.grid_a.households, c.grid_a.committee_phone = 412, "0931-1234567"
        c.grid_a.area_m2 = 1.5e6
        c.grid_b.area_m2 = 1e-05  # written as Python writes it
        factories.create_village(session, session.get(Township, (c.court.id, t)),
                                 108.30000043, 35.40999961, size=0.01234567)  # bbox rounds
        org = factories.create_party(session, c.court, c.grid_a, kind=PartyKind.ORGANISATION,
                                     name="山河建材有限公司", id_number="91620102MA7X1234",
                                     phone=None)
        bare = factories.create_party(session, c.court, c.grid_a, name="欧", id_number=None,
                                      phone="0931-7654321", address=None)
        four = factories.create_party(
            session, c.court, c.grid_a, name="欧阳小明", is_dishonest=True,
            dishonest_since=date(2025, 1, 2), exit_restricted=True,
            exit_restricted_since=date(2025, 2, 3))
        for n, (party, applicant, owed, recovered) in enumerate((
                (org, "王", Decimal("0.00"), Decimal("0.00")),
                (bare, "张三", Decimal("12.50"), Decimal("0.01")),
                (four, "欧阳小明", Decimal("1234567890.99"), Decimal("100.00")))):
            case = factories.create_case(session, c.court, applicant_name=applicant,
                                         amount_owed=owed, amount_recovered=recovered,
                                         township_id=t, village_grid_id=c.grid_a.id,
                                         filed_on=date(2024, 12, 31 - n), address=None)
            factories.add_party(session, case, party)
        closed = factories.create_case(session, c.court, township_id=t,
                                       village_grid_id=c.grid_a.id, status=CaseStatus.CLOSED)
        factories.add_party(session, closed,
                            factories.create_party(session, c.court, c.grid_a, name="李四光"))
        officer = session.get(User, (c.court.id, c.officer.user_id))
        factories.create_task(session, officer, c.grid_a, title="找张三明",
                              body="张三明的电话13812345678", case_id=c.case.id,
                              party_id=c.debtor.id, due_at=_at(30, 250000))
        session.flush()
        # times with and without microseconds, on every reference row
        for n, table in enumerate(("township", "village_grid", "party", "task",
                                   "enforcement_case")):
            session.execute(sa.text(
                f"UPDATE {table} SET created_at = :a + (row_number * interval '1 second'), "
                f"updated_at = :b FROM (SELECT id AS rid, row_number() OVER (ORDER BY id) "
                f"FROM {table} WHERE court_id = :court) AS r WHERE id = r.rid"
            ), {"a": _at(n), "b": _at(n + 1, 0 if n % 2 else 123456), "court": c.court.id})


@pytest.fixture
def world(engine: Any) -> World:
    with Session(engine, expire_on_commit=False) as session:
        built = World(session)
        session.commit()
    return built


def _compare(db: Any, engine: Any, world: World, versions: tuple[int, ...] = (1, 2, 3, 4, 5)
             ) -> int:
    """Every reader's bootstrap, each reference table's records against the oracle's for
    the same ids; returns how many records were compared."""
    settle(engine)
    compared = 0
    for role, phone in world.readers.items():
        for version in versions:
            page = syncing.pull(db, phone, None, 1000, version)
            assert not page.has_more
            for table in TABLES:
                now = page.changes[table]
                ids = [r["id"] for r in now.upserts] + now.deletes
                with db.unit_of_work() as session:
                    principal = phone
                    before, gone = BEFORE[table].pulled(session, principal, ids, version)
                assert now.deletes == [] == gone
                ours = sorted(now.upserts, key=lambda r: r["id"])
                theirs = sorted(before, key=lambda r: r["id"])
                assert json.dumps(ours, ensure_ascii=False) == json.dumps(
                    theirs, ensure_ascii=False), (role, version, table)
                compared += len(ours)
    return compared


def test_reference_records_reach_every_reader_as_before(db, engine, world):
    """Every role and schema version: the same bytes as the Python definition gave."""
    compared = _compare(db, engine, world)
    assert compared > 100
    got = syncing.pull(db, world.readers["assistant"], None, 1000, 4).changes
    assert any(r["outline"] for r in got["village_grid"].upserts)
    assert any("*" in r["name"] for r in got["wanted"].upserts)
    assert any("*" in r["applicant_name"] for r in got["case"].upserts)
    assert all(r["amount_owed"] is None for r in got["case"].upserts)
    officer = syncing.pull(db, world.readers["officer"], None, 1000, 1).changes
    assert any(r["amount_owed"] == "12.50" for r in officer["case"].upserts)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(created=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1),
                            timezones=st.just(CST)),
       micro=st.sampled_from([0, 1, 100, 500000, 999999]),
       owed=st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2),
       name=st.text(st.sampled_from("张三明欧阳 A-"), min_size=1, max_size=5),
       since=st.none() | st.dates(min_value=date(1990, 1, 1)))
def test_reference_values_of_any_time_amount_and_name_are_as_before(
        db, engine, world, created, micro, owed, name, since):
    """Times of any instant (with and without a fraction), amounts and names of any kind."""
    c = world.c
    with db.unit_of_work() as session:
        when = created.replace(microsecond=micro)
        for table in ("township", "village_grid", "party", "task", "enforcement_case"):
            session.execute(sa.text(f"UPDATE {table} SET updated_at = :t WHERE court_id = :c"),
                            {"t": when, "c": c.court.id})
        session.execute(sa.text("UPDATE task SET due_at = :t WHERE court_id = :c"),
                        {"t": when, "c": c.court.id})
        session.execute(sa.text(
            "UPDATE enforcement_case SET amount_owed = :o, applicant_name = :n WHERE id = :id"),
            {"o": owed, "n": name, "id": c.case.id})
        session.execute(sa.text(
            "UPDATE party SET name = :n, dishonest_since = CAST(:s AS date), "
            "is_dishonest = CAST(:s AS date) IS NOT NULL "
            "WHERE id = :id"), {"n": name, "s": since, "id": c.debtor.id})
        session.commit()
    assert _compare(db, engine, world, versions=(1, 5)) > 0
