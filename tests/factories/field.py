"""What the grid network reports: leads, sightings, tasks and their answers, mediation
and settlements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from enforcement.models import (
    CaseMediator,
    EnforcementCase,
    Instalment,
    Lead,
    LeadKind,
    MediationNote,
    MediationOutcome,
    Settlement,
    SettlementKind,
    Sighting,
    Task,
    TaskAnswer,
    TaskGrid,
    TaskKind,
    User,
    VillageGrid,
    utcnow,
)
from tests.factories.grids import point


def create_lead(session: Session, author: User, village: VillageGrid | None = None,
                lon: float = 108.305, lat: float = 35.405, **overrides: Any) -> Lead:
    """A lead stored directly (no grid lookup): ``village`` sets its grid and township."""
    values: dict[str, Any] = {
        "court_id": author.court_id, "author_id": author.id, "kind": LeadKind.VEHICLE,
        "description": "三轮车停在院子里", "point": point(lon, lat),
        "reported_lon": lon, "reported_lat": lat, "datum": "wgs84",
        "village_grid_id": village.id if village else None,
        "township_id": village.township_id if village else None,
    }
    lead = Lead(**(values | overrides))
    session.add(lead)
    session.flush()
    return lead


def assign_mediator(session: Session, mediator: User, case: EnforcementCase,
                    **overrides: Any) -> CaseMediator:
    """Put ``mediator`` on ``case`` from today, open-ended; the case's court assigns."""
    values: dict[str, Any] = {
        "court_id": case.court_id, "case_id": case.id, "mediator_id": mediator.id,
        "starts_on": date.today(), "assigned_by": mediator.id,
    }
    assignment = CaseMediator(**(values | overrides))
    session.add(assignment)
    session.flush()
    return assignment


def create_mediation_note(session: Session, author: User, case: EnforcementCase,
                          **overrides: Any) -> MediationNote:
    values: dict[str, Any] = {
        "court_id": author.court_id, "case_id": case.id, "author_id": author.id,
        "held_at": utcnow(), "outcome": MediationOutcome.CONTINUE,
    }
    note = MediationNote(**(values | overrides))
    session.add(note)
    session.flush()
    return note


def create_sighting(session: Session, author: User, village: VillageGrid | None = None,
                    lon: float = 108.305, lat: float = 35.405, **overrides: Any) -> Sighting:
    """A sighting stored directly (no grid lookup): ``village`` sets its grid and township."""
    values: dict[str, Any] = {
        "court_id": author.court_id, "author_id": author.id, "seen_at": utcnow(),
        "point": point(lon, lat), "reported_lon": lon, "reported_lat": lat, "datum": "wgs84",
        "village_grid_id": village.id if village else None,
        "township_id": village.township_id if village else None,
    }
    sighting = Sighting(**(values | overrides))
    session.add(sighting)
    session.flush()
    return sighting


def create_settlement(session: Session, case: EnforcementCase,
                      amounts: tuple[str, ...] = ("1000.00", "1000.00"),
                      **overrides: Any) -> Settlement:
    """An active settlement of ``case`` with one instalment per amount, a month apart."""
    total = sum((Decimal(a) for a in amounts), Decimal("0"))
    values: dict[str, Any] = {
        "court_id": case.court_id, "case_id": case.id, "total_amount": total,
        "kind": SettlementKind.INSTALMENTS if len(amounts) > 1 else SettlementKind.LUMP_SUM,
        "agreed_on": date(2026, 1, 1),
    }
    settlement = Settlement(**(values | overrides))
    session.add(settlement)
    session.flush()
    for seq, amount in enumerate(amounts, start=1):
        session.add(Instalment(court_id=case.court_id, settlement_id=settlement.id, seq=seq,
                               due_on=date(2026, seq, 1), amount=Decimal(amount)))
    session.flush()
    return settlement


def create_task(session: Session, author: User, *villages: VillageGrid,
                **overrides: Any) -> Task:
    """A task by ``author`` (a judge or officer) addressed to ``villages``."""
    values: dict[str, Any] = {
        "court_id": author.court_id, "created_by": author.id, "kind": TaskKind.FIND_DEBTOR,
        "title": "核实张三明是否在家",
    }
    task = Task(**(values | overrides))
    session.add(task)
    session.flush()
    for village in villages:
        session.add(TaskGrid(court_id=task.court_id, task_id=task.id,
                             village_grid_id=village.id))
    session.flush()
    return task


def create_task_answer(session: Session, task: Task, author: User,
                       **overrides: Any) -> TaskAnswer:
    """``author``'s answer to ``task``, stored directly."""
    values: dict[str, Any] = {
        "court_id": task.court_id, "task_id": task.id, "author_id": author.id,
        "result": "info", "answer": "不在家", "answered_at": utcnow(),
    }
    answer = TaskAnswer(**(values | overrides))
    session.add(answer)
    session.flush()
    return answer
