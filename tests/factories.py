"""Factories for test data: ``create_x(session, **overrides)`` with random ids.

They flush but do not commit; the ``session`` fixture's caller commits (API tests
need the rows visible to the live server's own connections).
"""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from geoalchemy2.elements import WKTElement
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box
from sqlmodel import Session

from enforcement.accounts.passwords import hash_password
from enforcement.models import (
    Attachment,
    CaseEvent,
    CaseFollow,
    CaseMediator,
    CaseParty,
    Court,
    CreditRepair,
    DeputyEvaluation,
    Device,
    EnforcementCase,
    EnforcementNode,
    EnforcementRound,
    GridAssignment,
    Instalment,
    JudicialAid,
    Lead,
    LeadKind,
    LinkageKind,
    LinkageListEntry,
    LinkageRequest,
    LinkageRequestKind,
    LinkageUnit,
    ListColour,
    MeasureAction,
    MeasureEvent,
    MeasureKind,
    MediationNote,
    MediationOutcome,
    NodeEvent,
    NodeWitness,
    Outcome,
    OutcomeKind,
    Party,
    PartyMeasure,
    PartyRole,
    PunishmentNotice,
    RepairGrounds,
    Role,
    RoundStatus,
    RoundTarget,
    RoundTeam,
    Settlement,
    SettlementKind,
    Sighting,
    Task,
    TaskAnswer,
    TaskGrid,
    TaskKind,
    Township,
    User,
    VillageGrid,
    Visit,
    VisitResult,
    utcnow,
)

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def _unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}-{uuid.uuid4().hex[:6]}"


def create_court(session: Session, **overrides: Any) -> Court:
    values: dict[str, Any] = {
        "code": _unique("C"), "name": "测试县人民法院", "county_name": "测试县",
        "region_code": "621025", "case_prefix": "甘1025",
    }
    court = Court(**(values | overrides))
    session.add(court)
    session.flush()
    return court


def create_user(session: Session, court: Court, role: Role = Role.GRID_ASSISTANT,
                **overrides: Any) -> User:
    values: dict[str, Any] = {
        "court_id": court.id, "username": _unique(role.value), "display_name": "张小明",
        "role": role, "password_hash": _password_hash(),
    }
    user = User(**(values | overrides))
    session.add(user)
    session.flush()
    return user


def square(lon: float, lat: float, size: float = 0.01) -> Any:
    """A square MultiPolygon of ``size`` degrees with its south-west corner at lon/lat."""
    return from_shape(MultiPolygon([box(lon, lat, lon + size, lat + size)]), srid=4326)


def create_township(session: Session, court: Court, lon: float = 108.3, lat: float = 35.4,
                    size: float = 0.1, **overrides: Any) -> Township:
    values: dict[str, Any] = {
        "court_id": court.id, "code": _unique("T"), "name": "山河镇",
        "geom": square(lon, lat, size),
    }
    township = Township(**(values | overrides))
    session.add(township)
    session.flush()
    return township


def create_village(session: Session, township: Township, lon: float = 108.3,
                   lat: float = 35.4, size: float = 0.01, **overrides: Any) -> VillageGrid:
    values: dict[str, Any] = {
        "court_id": township.court_id, "township_id": township.id, "code": _unique("V"),
        "name": "东关村", "geom": square(lon, lat, size),
    }
    village = VillageGrid(**(values | overrides))
    session.add(village)
    session.flush()
    return village


def create_device(session: Session, user: User, **overrides: Any) -> Device:
    """A device the user has signed in from (without the sign-in)."""
    values: dict[str, Any] = {"court_id": user.court_id, "id": _unique("device-"),
                              "user_id": user.id, "last_seen_at": utcnow()}
    device = Device(**(values | overrides))
    session.add(device)
    session.flush()
    return device


def assign_grid(session: Session, user: User, village: VillageGrid) -> GridAssignment:
    assignment = GridAssignment(court_id=user.court_id, user_id=user.id,
                                village_grid_id=village.id)
    session.add(assignment)
    session.flush()
    return assignment


def point(lon: float, lat: float) -> WKTElement:
    return WKTElement(f"POINT({lon!r} {lat!r})", srid=4326)


def create_case(session: Session, court: Court, **overrides: Any) -> EnforcementCase:
    values: dict[str, Any] = {
        "court_id": court.id, "case_number": f"(2024)甘1025执{_unique('')}号",
        "cause": "民间借贷纠纷", "applicant_name": "李四", "filed_on": date(2024, 3, 1),
        "amount_owed": Decimal("50000.00"),
    }
    case = EnforcementCase(**(values | overrides))
    session.add(case)
    session.flush()
    return case


def create_party(session: Session, court: Court, village: VillageGrid | None = None,
                 **overrides: Any) -> Party:
    values: dict[str, Any] = {
        "court_id": court.id, "name": "张三明", "id_number": "620102199001011234",
        "phone": "13812345678", "address": "东关村三组",
        "village_grid_id": village.id if village else None,
        "township_id": village.township_id if village else None,
    }
    party = Party(**(values | overrides))
    session.add(party)
    session.flush()
    return party


def add_party(session: Session, case: EnforcementCase, party: Party,
              role: PartyRole = PartyRole.DEBTOR) -> CaseParty:
    link = CaseParty(court_id=case.court_id, case_id=case.id, party_id=party.id, role=role)
    session.add(link)
    session.flush()
    return link


def create_debtor_case(session: Session, court: Court, village: VillageGrid | None = None,
                       **overrides: Any) -> tuple[EnforcementCase, Party]:
    """A case with one debtor living in ``village``."""
    case = create_case(session, court, **overrides)
    party = create_party(session, court, village)
    add_party(session, case, party)
    return case, party


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


def follow_case(session: Session, deputy: User, case: EnforcementCase) -> CaseFollow:
    follow = CaseFollow(court_id=deputy.court_id, deputy_id=deputy.id, case_id=case.id)
    session.add(follow)
    session.flush()
    return follow


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


def create_node(session: Session, court: Court, **overrides: Any) -> EnforcementNode:
    """A node of the court's catalogue (witnessable unless told)."""
    values: dict[str, Any] = {"court_id": court.id, "code": _unique("n").replace("-", "_"),
                              "name_zh": "查封", "name_en": "Sealing up", "seq": 1}
    node = EnforcementNode(**(values | overrides))
    session.add(node)
    session.flush()
    return node


def create_node_event(session: Session, case: EnforcementCase, node: EnforcementNode,
                      recorded_by: User, **overrides: Any) -> NodeEvent:
    """A node event on ``case`` that took place an hour ago unless told."""
    values: dict[str, Any] = {"court_id": case.court_id, "case_id": case.id, "node_id": node.id,
                              "recorded_by": recorded_by.id,
                              "occurs_at": utcnow() - timedelta(hours=1), "place": "东关村"}
    event = NodeEvent(**(values | overrides))
    session.add(event)
    session.flush()
    return event


def witness_event(session: Session, deputy: User, event: NodeEvent,
                  **overrides: Any) -> NodeWitness:
    values: dict[str, Any] = {"court_id": event.court_id, "node_event_id": event.id,
                              "deputy_id": deputy.id, "witnessed_at": event.occurs_at}
    row = NodeWitness(**(values | overrides))
    session.add(row)
    session.flush()
    return row


def create_opinion(session: Session, deputy: User, case: EnforcementCase,
                   **overrides: Any) -> DeputyEvaluation:
    """An opinion card to the case's judge, due in 10 days unless told."""
    values: dict[str, Any] = {"court_id": case.court_id, "case_id": case.id,
                              "deputy_id": deputy.id, "kind": "opinion", "opinion": "建议加快",
                              "judge_id": case.judge_id,
                              "due_at": utcnow() + timedelta(days=10)}
    card = DeputyEvaluation(**(values | overrides))
    session.add(card)
    session.flush()
    return card


def create_linkage_unit(session: Session, court: Court, **overrides: Any) -> LinkageUnit:
    values: dict[str, Any] = {"court_id": court.id, "name": _unique("正宁县公安局"),
                              "kind": LinkageKind.POLICE,
                              "duties": ["find_person", "seize_vehicle"],
                              "contact_name": "王建军", "contact_phone": "13912345678"}
    unit = LinkageUnit(**(values | overrides))
    session.add(unit)
    session.flush()
    return unit


def create_linkage_request(session: Session, unit: LinkageUnit, case: EnforcementCase,
                           requested_by: User, **overrides: Any) -> LinkageRequest:
    """A request to ``unit`` due in 7 days unless told."""
    values: dict[str, Any] = {"court_id": unit.court_id, "unit_id": unit.id,
                              "case_id": case.id, "kind": LinkageRequestKind.FIND_PERSON,
                              "requested_by": requested_by.id, "details": "请协助查找",
                              "due_at": utcnow() + timedelta(days=7)}
    request = LinkageRequest(**(values | overrides))
    session.add(request)
    session.flush()
    return request


def create_punishment_notice(session: Session, case: EnforcementCase, debtor: Party,
                             issuer: User, *units: LinkageUnit,
                             **overrides: Any) -> PunishmentNotice:
    """A joint punishment notice with one copy per unit, due in 7 days unless told."""
    now = utcnow()
    values: dict[str, Any] = {"court_id": case.court_id, "case_id": case.id,
                              "party_id": debtor.id, "title": "联合惩戒通知",
                              "issued_by": issuer.id, "issued_at": now,
                              "due_at": now + timedelta(days=7)}
    notice = PunishmentNotice(**(values | overrides))
    session.add(notice)
    session.flush()
    for unit in units:
        create_linkage_request(session, unit, case, issuer, party_id=debtor.id,
                               kind=LinkageRequestKind.JOINT_PUNISHMENT, details=notice.title,
                               due_at=notice.due_at, notice_id=notice.id)
    return notice


def create_list_entry(session: Session, setter: User, unit: LinkageUnit | None = None,
                      party: Party | None = None, **overrides: Any) -> LinkageListEntry:
    """``unit`` (or ``party``) on the black list of the setter's court."""
    values: dict[str, Any] = {"court_id": setter.court_id, "unit_id": unit.id if unit else None,
                              "party_id": party.id if party else None,
                              "colour": ListColour.BLACK, "reason": "拒不协助执行",
                              "effective_on": date(2026, 11, 1), "set_by": setter.id}
    entry = LinkageListEntry(**(values | overrides))
    session.add(entry)
    session.flush()
    return entry


def create_judicial_aid(session: Session, case: EnforcementCase, applicant: Party,
                        entered_by: User, **overrides: Any) -> JudicialAid:
    """A pending application for 5,000 yuan made on 2026-11-02 unless told."""
    values: dict[str, Any] = {"court_id": case.court_id, "case_id": case.id,
                              "applicant_id": applicant.id,
                              "amount_requested": Decimal("5000.00"), "grounds": "因病致贫",
                              "applied_on": date(2026, 11, 2), "entered_by": entered_by.id}
    aid = JudicialAid(**(values | overrides))
    session.add(aid)
    session.flush()
    return aid


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


def create_round(session: Session, creator: User, **overrides: Any) -> EnforcementRound:
    """A round that went out (``done``) over a week of March 2025 unless told otherwise."""
    values: dict[str, Any] = {
        "court_id": creator.court_id, "name": _unique("第一轮驻村连片集中执行"),
        "status": RoundStatus.DONE, "starts_on": date(2025, 3, 17),
        "ends_on": date(2025, 3, 21), "created_by": creator.id,
    }
    rnd = EnforcementRound(**(values | overrides))
    session.add(rnd)
    session.flush()
    return rnd


def create_round_target(session: Session, rnd: EnforcementRound,
                        **overrides: Any) -> RoundTarget:
    target = RoundTarget(**({"court_id": rnd.court_id, "round_id": rnd.id} | overrides))
    session.add(target)
    session.flush()
    return target


def create_round_team(session: Session, rnd: EnforcementRound, leader: User | None,
                      *members: User, **overrides: Any) -> RoundTeam:
    values: dict[str, Any] = {
        "court_id": rnd.court_id, "round_id": rnd.id, "name": _unique("执行组"),
        "leader_id": leader.id if leader else None, "member_ids": [m.id for m in members],
    }
    team = RoundTeam(**(values | overrides))
    session.add(team)
    session.flush()
    return team


def create_visitable_round(session: Session, leader: User, stops: int = 2,
                           **overrides: Any) -> tuple[EnforcementRound, list[RoundTarget]]:
    """A ``locked`` round with one team led by ``leader`` and ``stops`` targets, each a
    debtor's case owing 50,000 yuan: ready for visits."""
    rnd = create_round(session, leader, **({"status": RoundStatus.LOCKED,
                                            "starts_on": date(2026, 11, 2),
                                            "ends_on": date(2026, 11, 6)} | overrides))
    team = create_round_team(session, rnd, leader)
    court = session.get(Court, leader.court_id)
    targets = [create_round_target(session, rnd, team_id=team.id, seq=n,
                                   case_id=create_case(session, court).id)
               for n in range(stops)]
    return rnd, targets


def create_visit(session: Session, officer: User, result: VisitResult = VisitResult.DEBTOR_MET,
                 **overrides: Any) -> Visit:
    values: dict[str, Any] = {
        "court_id": officer.court_id, "officer_id": officer.id, "visited_at": utcnow(),
        "result": result,
    }
    visit = Visit(**(values | overrides))
    session.add(visit)
    session.flush()
    return visit


def create_outcome(session: Session, recorder: User,
                   kind: OutcomeKind = OutcomeKind.PAYMENT_RECEIVED,
                   **overrides: Any) -> Outcome:
    """An outcome stored directly (no money rolled up to lead or case, no reward earned)."""
    values: dict[str, Any] = {
        "court_id": recorder.court_id, "kind": kind, "occurred_on": date(2025, 3, 18),
        "recorded_by": recorder.id, "recorded_at": utcnow(),
        "amount": Decimal("1000.00") if kind == OutcomeKind.PAYMENT_RECEIVED else Decimal("0"),
    }
    outcome = Outcome(**(values | overrides))
    session.add(outcome)
    session.flush()
    return outcome


def create_case_event(session: Session, case: EnforcementCase, kind: str, to_status: str,
                      **overrides: Any) -> CaseEvent:
    values: dict[str, Any] = {
        "court_id": case.court_id, "case_id": case.id, "kind": kind, "to_status": to_status,
        "at": utcnow(),
    }
    event = CaseEvent(**(values | overrides))
    session.add(event)
    session.flush()
    return event
def create_attachment(session: Session, uploader: User, size_bytes: int = 1000,
                      complete: bool = True, **overrides: Any) -> Attachment:
    """An attachment row (no file): complete, or with only half its bytes received."""
    values: dict[str, Any] = {
        "court_id": uploader.court_id, "sha256": uuid.uuid4().hex * 2,
        "size_bytes": size_bytes, "content_type": "image/jpeg", "uploaded_by": uploader.id,
        "received_bytes": size_bytes if complete else size_bytes // 2, "complete": complete,
        "completed_at": utcnow() if complete else None,
    }
    attachment = Attachment(**(values | overrides))
    session.add(attachment)
    session.flush()
    return attachment


# --------------------------------------------------------------------------- boundary files


BOUNDARY_DRIVERS = {".shp": "ESRI Shapefile", ".gpkg": "GPKG", ".kml": "KML"}


def write_boundary_file(path: Any, features: list[tuple[str, str, Any]], *,
                        crs: str | None = "EPSG:4326", code_field: str = "code",
                        name_field: str = "name", encoding: str = "UTF-8", cpg: bool = True,
                        layer: str | None = None) -> Any:
    """Write ``(code, name, shapely geometry)`` features as a real GeoJSON, Shapefile,
    GeoPackage or KML (by ``path``'s suffix) with pyogrio. A Shapefile's attribute table is
    written in ``encoding``; ``cpg=False`` then deletes the ``.cpg`` that says so, as many
    exports lack one, and ``crs=None`` leaves it without ``.prj``."""
    import warnings
    from pathlib import Path

    import numpy as np
    import pyogrio.raw
    import shapely

    suffix = Path(path).suffix.lower()
    shapefile = suffix == ".shp"
    kinds = {g.geom_type for _, _, g in features}
    geometry_type = next(iter(kinds)) if len(kinds) == 1 else "Unknown"
    if shapefile and kinds <= {"Polygon", "MultiPolygon"}:
        geometry_type = "Polygon"
    columns = [np.array([f[0] for f in features], dtype=object),
               np.array([f[1] for f in features], dtype=object)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "'crs' was not provided"
        pyogrio.raw.write(
            str(path), np.array([shapely.to_wkb(g) for _, _, g in features], dtype=object),
            columns, fields=[code_field, name_field], geometry_type=geometry_type, crs=crs,
            driver=BOUNDARY_DRIVERS.get(suffix, "GeoJSON"), layer=layer,
            encoding=encoding if shapefile else None, append=layer is not None and
            Path(path).exists(),
        )
    if shapefile and not cpg:
        Path(path).with_suffix(".cpg").unlink()
    return path


def zip_shapefile(shp: Any) -> Any:
    """The Shapefile's parts (.shp/.shx/.dbf/.prj/.cpg) zipped next to it."""
    import zipfile
    from pathlib import Path

    shp = Path(shp)
    target = shp.with_suffix(".zip")
    with zipfile.ZipFile(target, "w") as archive:
        for part in sorted(shp.parent.glob(shp.stem + ".*")):
            if part.suffix != ".zip":
                archive.write(part, part.name)
    return target


def impose_measure(session: Session, party: Party, case: EnforcementCase, judge: User,
                   kind: MeasureKind = MeasureKind.DISHONEST, **overrides: Any) -> PartyMeasure:
    """A measure in force, with its ``impose`` event and the party's flags set, as
    ``enforcement.credit.measures.impose`` leaves them."""
    values: dict[str, Any] = {
        "court_id": party.court_id, "party_id": party.id, "case_id": case.id, "kind": kind,
        "imposed_on": date.today() - timedelta(days=90),
        "decision_number": f"(2024)甘1025执{_unique('')}号之一",
        "decision_text": "被执行人有履行能力而拒不履行生效法律文书确定义务。",
        "imposed_by": judge.id,
    }
    measure = PartyMeasure(**(values | overrides))
    session.add(measure)
    session.flush()
    session.add(MeasureEvent(court_id=party.court_id, measure_id=measure.id, party_id=party.id,
                             case_id=case.id, kind=kind, action=MeasureAction.IMPOSE,
                             effective_on=measure.imposed_on, actor_id=judge.id))
    flag, since = {MeasureKind.DISHONEST: ("is_dishonest", "dishonest_since"),
                   MeasureKind.CONSUMPTION: ("consumption_restricted",
                                             "consumption_restricted_since"),
                   MeasureKind.EXIT: ("exit_restricted", "exit_restricted_since")}[kind]
    setattr(party, flag, True)
    setattr(party, since, measure.imposed_on)
    party.version += 1
    session.flush()
    return measure


def create_repair(session: Session, party: Party, case: EnforcementCase, officer: User,
                  **overrides: Any) -> CreditRepair:
    """A pending credit repair application for every measure kind given (default
    dishonest)."""
    values: dict[str, Any] = {
        "court_id": party.court_id, "party_id": party.id, "case_id": case.id,
        "grounds": RepairGrounds.PAID_IN_FULL, "evidence_note": "银行转账凭证",
        "measure_kinds": [MeasureKind.DISHONEST.value], "applied_by": officer.id,
    }
    repair = CreditRepair(**(values | overrides))
    session.add(repair)
    session.flush()
    return repair
