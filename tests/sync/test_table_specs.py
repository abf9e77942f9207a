"""The sync specs of sightings, mediation notes, task answers, visits and the read-only
reference data, through the sync use cases on a real database: writes as REST makes them,
field ownership, scopes that mirror policy."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from enforcement.accounts.principal import Principal
from enforcement.models import (
    Device,
    MediationNote,
    Role,
    Settlement,
    Sighting,
    TaskAnswer,
    User,
    Visit,
)
from enforcement.syncing import usecases as syncing
from sync.protocol import Mutation, Op, Status
from sync.tables import sync_conflict
from tests import factories
from tests.sync.helpers import SETTINGS, settle

POINT = {"lon": 108.305, "lat": 35.405, "datum": "wgs84"}


class Courts:
    """Court one: grids A and B, an assistant in each, an officer, a judge, a mediator;
    a debtor's case, a second case and an open task in grid A. Court two: the same shape,
    smaller."""

    def __init__(self, session: Session) -> None:
        self.court = factories.create_court(session)
        township = factories.create_township(session, self.court)
        self.grid_a = factories.create_village(session, township, 108.30, 35.40)
        self.grid_b = factories.create_village(session, township, 108.31, 35.40)
        self.assistant = self._phone(session, self.court, Role.GRID_ASSISTANT, self.grid_a)
        self.assistant_b = self._phone(session, self.court, Role.GRID_ASSISTANT, self.grid_b)
        self.assistant_tablet = self._device(session, self.assistant)
        self.officer = self._phone(session, self.court, Role.OFFICER)
        self.officer2 = self._phone(session, self.court, Role.OFFICER)
        self.judge = self._phone(session, self.court, Role.JUDGE)
        self.mediator = self._phone(session, self.court, Role.MEDIATOR, self.grid_a)
        self.mediator_user = session.get(User, (self.court.id, self.mediator.user_id))
        judge_user = factories.create_user(session, self.court, Role.JUDGE)
        self.case, self.debtor = factories.create_debtor_case(
            session, self.court, self.grid_a, township_id=township.id,
            village_grid_id=self.grid_a.id)
        self.case_b, self.debtor_b = factories.create_debtor_case(session, self.court,
                                                                  self.grid_b)
        self.case_a2 = factories.create_case(session, self.court, township_id=township.id,
                                             village_grid_id=self.grid_a.id)
        factories.assign_mediator(session, self.mediator_user, self.case)
        self.task = factories.create_task(session, judge_user, self.grid_a)
        self.task_b = factories.create_task(session, judge_user, self.grid_b)
        self.other_court = factories.create_court(session)
        other_grid = factories.create_village(
            session, factories.create_township(session, self.other_court), 108.30, 35.40)
        self.stranger = self._phone(session, self.other_court, Role.GRID_ASSISTANT, other_grid)
        self.stranger_judge = self._phone(session, self.other_court, Role.JUDGE)

    def _phone(self, session: Session, court: Any, role: Role, grid: Any = None) -> Principal:
        user = factories.create_user(session, court, role)
        if grid is not None:
            factories.assign_grid(session, user, grid)
        session.flush()
        return self._device(session, Principal(user_id=user.id, court_id=court.id, role=role,
                                               device_id="", username=user.username))

    @staticmethod
    def _device(session: Session, owner: Principal) -> Principal:
        """Another device of the same person."""
        device_id = f"{owner.role.value}-{uuid.uuid4().hex[:8]}"
        session.add(Device(court_id=owner.court_id, id=device_id, user_id=owner.user_id))
        session.flush()
        return Principal(owner.user_id, owner.court_id, owner.role, device_id, owner.username)


@pytest.fixture
def courts(engine: Any) -> Courts:
    with Session(engine, expire_on_commit=False) as session:
        built = Courts(session)
        session.commit()
    return built


def push(db, phone, *mutations, schema_version=1):
    return syncing.push(db, SETTINGS, phone, phone.device_id, schema_version, list(mutations))


def make(table, op, record_id=None, base_version=None, base=None, **fields):
    return Mutation(uuid.uuid4().hex, table, op, record_id or str(uuid.uuid4()), fields,
                    base_version, base)


def pulled(db, engine, phone) -> dict[str, set[str]]:
    """Every id the phone's bootstrap pull holds, per table (upserts and tombstones)."""
    settle(engine)
    out: dict[str, set[str]] = {}
    cursor = None
    while True:
        page = syncing.pull(db, phone, cursor, 500, 1)
        for table, changes in page.changes.items():
            out.setdefault(table, set()).update(row["id"] for row in changes.upserts)
            out[table].update(changes.deletes)
        cursor = page.next_cursor
        if not page.has_more:
            return out


def row(engine, model, court_id, record_id):
    with Session(engine) as session:
        return session.get(model, (court_id, record_id))


def test_sighting_create_update_delete_and_ownership(db, engine, courts):
    phone = courts.assistant
    made = make("sighting", Op.CREATE, seen_at="2026-11-20T08:00:00+08:00", confidence=4,
                notes="在村口小卖部", point=POINT, case_id=courts.case.id)
    (created,) = push(db, phone, made)
    assert created.status is Status.APPLIED, created
    stored = row(engine, Sighting, courts.court.id, made.id)
    assert stored.village_grid_id == courts.grid_a.id and stored.case_id == courts.case.id
    assert stored.seen_at.isoformat().startswith("2026-11-20T00:00")

    edit = make("sighting", Op.UPDATE, made.id, 1, notes="骑蓝色三轮", author_id="x" * 16,
                confidence=9)
    (refused,) = push(db, phone, edit)
    assert (refused.status, refused.code) == (Status.REJECTED, "validation_failed")
    (edited,) = push(db, phone, make("sighting", Op.UPDATE, made.id, 1, notes="骑蓝色三轮",
                                     author_id=courts.officer.user_id))
    assert edited.status is Status.APPLIED and edited.version == 2
    assert edited.rejected_fields == {"author_id": "field_server_owned"}
    (theirs,) = push(db, courts.assistant_b, make("sighting", Op.UPDATE, made.id, 2, notes="x"))
    assert (theirs.status, theirs.code) == (Status.REJECTED, "not_found")
    (gone,) = push(db, phone, make("sighting", Op.DELETE, made.id, 2))
    assert gone.status is Status.APPLIED
    assert row(engine, Sighting, courts.court.id, made.id).deleted_at is not None
    assert made.id in pulled(db, engine, phone)["sighting"]


def test_mediation_note_settles_once_agreed_and_is_then_closed(db, engine, courts):
    phone = courts.mediator
    made = make("mediation_note", Op.CREATE, case_id=courts.case.id,
                held_at="2026-11-21T10:00:00Z", outcome="continue", present=["张三明", "李四"])
    assert push(db, phone, made)[0].status is Status.APPLIED
    proposal = {"kind": "instalments", "total": "2000",
                "instalments": [{"due_on": "2026-12-01", "amount": "1000"},
                                {"due_on": "2027-01-01", "amount": "1000"}]}
    (agreed,) = push(db, phone, make("mediation_note", Op.UPDATE, made.id, 1,
                                     outcome="agreed", proposal=proposal))
    assert agreed.status is Status.APPLIED, agreed
    with Session(engine) as session:
        settlement = session.scalars(sa.select(Settlement).where(
            Settlement.mediation_note_id == made.id)).one()
        assert settlement.total_amount == Decimal("2000.00")
    (closed,) = push(db, phone, make("mediation_note", Op.UPDATE, made.id, 2, place="村委会"))
    assert (closed.status, closed.code) == (Status.REJECTED, "mediation_note_settled")
    (far,) = push(db, courts.assistant, make("mediation_note", Op.CREATE,
                                             case_id=courts.case_b.id,
                                             held_at="2026-11-21T10:00:00Z", outcome="continue"))
    assert (far.status, far.code) == (Status.REJECTED, "validation_failed")
    assert row(engine, MediationNote, courts.court.id, made.id).version == 2


def test_task_answers_go_to_open_tasks_of_ones_grids(db, engine, courts):
    phone = courts.assistant
    made = make("task_answer", Op.CREATE, task_id=courts.task.id, result="done",
                answer="人在家", answered_at="2026-11-21T09:00:00Z", point=POINT)
    assert push(db, phone, made)[0].status is Status.APPLIED
    assert row(engine, TaskAnswer, courts.court.id, made.id).village_grid_id == courts.grid_a.id
    (elsewhere,) = push(db, phone, make("task_answer", Op.CREATE, task_id=courts.task_b.id,
                                        result="done", answered_at="2026-11-21T09:00:00Z"))
    assert (elsewhere.status, elsewhere.code) == (Status.REJECTED, "task_not_found")
    (moved,) = push(db, phone, make("task_answer", Op.UPDATE, made.id, 1,
                                    task_id=courts.task_b.id))
    assert moved.status is Status.REJECTED
    (edited,) = push(db, phone, make("task_answer", Op.UPDATE, made.id, 1, result="info"))
    assert edited.status is Status.APPLIED
    assert made.id in pulled(db, engine, courts.officer)["task_answer"]
    assert made.id not in pulled(db, engine, courts.assistant_b).get("task_answer", set())


def test_visits_are_recorded_by_the_round_team_and_edited_by_their_officer(db, engine,
                                                                           courts):
    with Session(engine, expire_on_commit=False) as session:
        leader = session.get(User, (courts.court.id, courts.officer.user_id))
        rnd, (stop, _) = factories.create_visitable_round(session, leader)
        session.commit()
    made = make("visit", Op.CREATE, visited_at="2026-11-02T02:30:00Z", result="paid",
                amount_collected="1500.5", round_id=rnd.id, target_id=stop.id, point=POINT)
    (created,) = push(db, courts.officer, made)
    assert created.status is Status.APPLIED, created
    visit = row(engine, Visit, courts.court.id, made.id)
    assert visit.amount_collected == Decimal("1500.50") and visit.case_id == stop.case_id
    assert visit.officer_id == courts.officer.user_id
    for phone, code in ((courts.assistant, "forbidden"), (courts.officer2, "not_on_round_team"),
                        (courts.stranger_judge, "round_not_found")):
        (refused,) = push(db, phone, make("visit", Op.CREATE, visited_at="2026-11-02T02:30:00Z",
                                          result="paid", amount_collected="100",
                                          round_id=rnd.id, target_id=stop.id))
        assert (refused.status, refused.code) == (Status.REJECTED, code), phone.role
    (colleague,) = push(db, courts.officer2, make("visit", Op.UPDATE, made.id, 1, notes="改"))
    assert (colleague.status, colleague.code) == (Status.REJECTED, "forbidden")
    (mine,) = push(db, courts.officer, make("visit", Op.UPDATE, made.id, 1, notes="已付一半",
                                            officer_id=courts.judge.user_id))
    assert mine.status is Status.APPLIED and mine.rejected_fields == {
        "officer_id": "field_server_owned"}
    assert row(engine, Visit, courts.court.id, made.id).notes == "已付一半"
    (refact,) = push(db, courts.officer, make("visit", Op.UPDATE, made.id, 2,
                                              amount_collected="3000"))
    (withdrawn,) = push(db, courts.officer, make("visit", Op.DELETE, made.id, 2))
    assert (refact.code, withdrawn.code) == ("visit_recorded", "visit_recorded")
    assert row(engine, Visit, courts.court.id, made.id).amount_collected == Decimal("1500.50")
    assert made.id in pulled(db, engine, courts.judge)["visit"]
    assert "visit" not in pulled(db, engine, courts.assistant) or not pulled(
        db, engine, courts.assistant)["visit"]


def test_reference_tables_are_read_only_per_mutation(db, engine, courts):
    phone = courts.assistant
    lead = make("lead", Op.CREATE, kind="vehicle", description="新车", point=POINT)
    results = push(db, phone,
                   make("task", Op.UPDATE, courts.task.id, 1, title="改"),
                   make("wanted", Op.CREATE, name="王五"),
                   make("village_grid", Op.DELETE, courts.grid_a.id, 1),
                   make("case", Op.UPDATE, courts.case.id, 1, status="closed"),
                   lead)
    assert [(r.status, r.code) for r in results] == [
        (Status.REJECTED, "sync_read_only")] * 4 + [(Status.APPLIED, None)]


def test_every_pull_holds_only_the_callers_scope(db, engine, courts):
    """No row of another court, and for an assistant none of another grid, in any table."""
    push(db, courts.assistant_b, make("sighting", Op.CREATE, seen_at="2026-11-20T08:00:00Z",
                                      point={"lon": 108.315, "lat": 35.405}))
    mine = pulled(db, engine, courts.assistant)
    assert mine["village_grid"] == {courts.grid_a.id}
    assert mine["wanted"] == {courts.debtor.id}
    assert mine["task"] == {courts.task.id}
    assert courts.case.id in mine["case"] and courts.case_b.id not in mine["case"]
    assert not mine.get("sighting")
    judge = pulled(db, engine, courts.judge)
    assert judge["village_grid"] == {courts.grid_a.id, courts.grid_b.id}
    assert {courts.case.id, courts.case_b.id} <= judge["case"] and not judge.get("wanted")
    court_one = set().union(*judge.values(), *mine.values())
    for stranger in (courts.stranger, courts.stranger_judge):
        theirs = set().union(*pulled(db, engine, stranger).values())
        assert not theirs & court_one
    deputy_like = pulled(db, engine, courts.mediator)
    assert not deputy_like.get("wanted") and not deputy_like.get("lead")


FIELD_VALUES = st.fixed_dictionaries({}, optional={
    "notes": st.sampled_from(["甲", "乙", "丙"]),
    "confidence": st.integers(1, 5),
    "case": st.booleans(),
})


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(["one", "two"]), FIELD_VALUES),
                      min_size=1, max_size=4))
def test_concurrent_sighting_edits_lose_nothing(db, engine, courts, edits):
    """Two phones edit one sighting from the same base, in any order: every client field
    ends with the last value pushed, and every shared value pushed is either the
    sighting's or kept in a conflict."""
    phones = {"one": courts.assistant, "two": courts.assistant_tablet}
    made = make("sighting", Op.CREATE, seen_at="2026-11-20T08:00:00Z", point=POINT)
    push(db, courts.assistant, made)
    base = {"notes": "", "confidence": 3, "case_id": None}
    last: dict[str, Any] = {}
    shared_sent = set()
    for who, edit in edits:
        fields = {k: v for k, v in edit.items() if k != "case"}
        if "case" in edit:
            fields["case_id"] = courts.case.id if edit["case"] else courts.case_a2.id
            shared_sent.add(fields["case_id"])
        phone = phones[who]
        (result,) = push(db, phone, make("sighting", Op.UPDATE, made.id, 1, base, **fields))
        assert result.status is not Status.REJECTED, result
        last.update({k: v for k, v in fields.items() if k != "case_id"})
    final = row(engine, Sighting, courts.court.id, made.id)
    for name, value in last.items():
        assert getattr(final, name) == value
    with engine.connect() as conn:
        kept = set(conn.scalars(sa.select(sync_conflict.c.client_value).where(
            sync_conflict.c.record_id == made.id)))
    assert shared_sent <= kept | {final.case_id}
