"""What a device receives of each synced table's values, byte for byte, is pinned by a file
written from the code before the values were defined once as SQL (issue #20: one
definition per table, formatted by PostgreSQL, shared by pulls and push results).

For every field table (leads, sightings, mediation notes, task answers, visits), every
kind of record (full, sparse, shielded free text, attachments, money, points with and
without parts, tombstones), every role that reads it and every schema version: the
native pull's records, and the push results that carry the server's values (a stale
no-op update, a stale delete that conflicts, an update that writes). Ids are replaced by
names so that the file does not depend on the run; times are fixed, so their text is
compared as sent. ``GRIDWORK_WRITE_WIRE=1`` rewrites the file (only ever from code whose
output is known good).
"""

from __future__ import annotations

import json
import os
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import Session

from enforcement.accounts.principal import Principal
from enforcement.attachments.refs import replace_refs
from enforcement.models import (
    LeadKind,
    LeadStatus,
    MediationOutcome,
    OutcomeKind,
    Role,
    Urgency,
    User,
    VisitResult,
)
from enforcement.syncing import usecases as syncing
from sync.protocol import Mutation, Op
from tests import factories
from tests.sync.helpers import SETTINGS, settle
from tests.sync.test_table_specs import Courts

GOLDEN = Path(__file__).with_name("wire_values.json")
TABLES = ("lead", "sighting", "mediation_note", "task_answer", "visit")
SCHEMA_VERSIONS = (1, 2, 3, 4, 5)
CST = timezone(timedelta(hours=8))
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _at(n: int, micro: int = 0) -> datetime:
    """A fixed instant, in China's time zone (the text must come out in UTC)."""
    return datetime(2026, 3, 1, 9, 30, tzinfo=CST) + timedelta(hours=n, microseconds=micro)


class Records:
    """Every kind of record of every field table, with fixed times and names for ids."""

    def __init__(self, session: Session, c: Courts) -> None:
        self.c = c
        user = lambda p: session.get(User, (p.court_id, p.user_id))  # noqa: E731
        assistant, officer = user(c.assistant), user(c.officer)
        mediator = c.mediator_user
        self.neighbour = c._phone(session, c.court, Role.GRID_ASSISTANT, c.grid_a)
        neighbour = user(self.neighbour)
        names: dict[str, str] = {}
        self.names = names

        def named(label: str, obj: Any) -> Any:
            names[obj.id] = label
            return obj

        stamps = lambda n: {"created_at": _at(n, 123456), "updated_at": _at(n + 1)}  # noqa: E731
        said = "张三明说他住在13812345678那边,身份证620102199001011234"
        # leads: full, sparse, tombstone; one with the debtor named in its text
        full = named("lead-full", factories.create_lead(
            session, assistant, c.grid_a, id=_id(1), kind=LeadKind.VEHICLE,
            urgency=Urgency.HIGH, status=LeadStatus.ACCEPTED, description=said,
            debtor_text="张三明", observed_at=_at(-5, 500), triaged_at=_at(2),
            amount_recovered=Decimal("12.50"), case_id=c.case.id, party_id=c.debtor.id,
            accuracy_m=12.0, datum="gcj02", position_source="gps",
            position_note="信号弱", nearest_grid_distance_m=0.0, version=3, **stamps(0)))
        named("lead-sparse", factories.create_lead(
            session, assistant, None, id=_id(2), kind=LeadKind.OTHER, description="",
            reported_lon=None, reported_lat=None, point=None, datum=None,
            outside_grid=True, nearest_grid_distance_m=1234.5, version=3, **stamps(3)))
        named("lead-gone", factories.create_lead(
            session, assistant, c.grid_a, id=_id(3), deleted_at=_at(9), version=4,
            **stamps(4)))
        named("lead-neighbour", factories.create_lead(
            session, neighbour, c.grid_a, id=_id(4), description=said, party_id=c.debtor.id,
            version=3, **stamps(5)))
        for n in range(2):
            file = factories.create_attachment(session, assistant, sha256=f"{n:064x}")
            names[file.sha256] = f"file-{n}"
        replace_refs(session, c.court.id, "lead", full.id,
                     [{"sha256": f"{n:064x}", "caption": cap}
                      for n, cap in enumerate(("门口", None))])
        # sightings
        named("sighting-full", factories.create_sighting(
            session, assistant, c.grid_a, id=_id(11), seen_at=_at(-3, 1), notes=said,
            debtor_text="张三明", companions="张三明的哥哥", vehicle_plate="甘A12345",
            confidence=4, urgent=True, case_id=c.case.id, party_id=c.debtor.id,
            accuracy_m=3.5, version=3, **stamps(6)))
        named("sighting-sparse", factories.create_sighting(
            session, assistant, None, id=_id(12), seen_at=_at(-2), reported_lon=None,
            reported_lat=None, point=None, version=3, **stamps(7)))
        named("sighting-gone", factories.create_sighting(
            session, assistant, c.grid_a, id=_id(13), deleted_at=_at(8, 9), version=5,
            **stamps(8)))
        named("sighting-neighbour", factories.create_sighting(
            session, neighbour, c.grid_a, id=_id(14), notes=said, debtor_text="张三明",
            case_id=c.case.id, seen_at=_at(-1), version=3, **stamps(9)))
        # mediation notes
        proposal = {"kind": "instalments", "total": "2000.00", "instalments": [
            {"due_on": "2026-04-01", "amount": "1000.00"},
            {"due_on": "2026-05-01", "amount": "1000.00"}]}
        named("note-full", factories.create_mediation_note(
            session, mediator, c.case, id=_id(21), held_at=_at(-4, 999999), place="村委会",
            present=["张三明", "李四"], applicant_statement=said,
            debtor_statement="愿意分期", proposal=proposal,
            outcome=MediationOutcome.CONTINUE, next_visit_on=date(2026, 4, 2), version=3,
            **stamps(10)))
        named("note-sparse", factories.create_mediation_note(
            session, mediator, c.case, id=_id(22), held_at=_at(-6), version=3,
            **stamps(11)))
        named("note-gone", factories.create_mediation_note(
            session, mediator, c.case, id=_id(23), held_at=_at(-6), deleted_at=_at(12),
            version=4, **stamps(12)))
        # task answers
        named("answer-full", factories.create_task_answer(
            session, c.task, assistant, id=_id(31), result="done", answer=said,
            answered_at=_at(-2, 250000), point=factories.point(108.305, 35.405),
            reported_lon=108.305, reported_lat=35.405, datum="wgs84", accuracy_m=8.25,
            township_id=c.grid_a.township_id, village_grid_id=c.grid_a.id, version=3,
            **stamps(13)))
        named("answer-sparse", factories.create_task_answer(
            session, c.task, assistant, id=_id(32), answered_at=_at(-1), version=3,
            **stamps(14)))
        named("answer-gone", factories.create_task_answer(
            session, c.task, assistant, id=_id(33), answered_at=_at(-1), deleted_at=_at(15),
            version=4, **stamps(15)))
        # visits
        rnd, targets = factories.create_visitable_round(session, officer)
        names[rnd.id] = "round"
        for n, target in enumerate(targets):
            names[target.id] = f"target-{n}"
            names[target.case_id] = f"target-case-{n}"
        visit = named("visit-full", factories.create_visit(
            session, officer, VisitResult.DEBTOR_MET, id=_id(41), visited_at=_at(-3, 10),
            round_id=rnd.id, target_id=targets[0].id, case_id=targets[0].case_id,
            amount_collected=Decimal("300.00"), outcome_kind=OutcomeKind.PAYMENT_RECEIVED,
            notes="收到现金", point=factories.point(108.305, 35.405), reported_lon=108.305,
            reported_lat=35.405, datum="bd09", accuracy_m=None,
            township_id=c.grid_a.township_id, village_grid_id=c.grid_a.id, version=3,
            **stamps(16)))
        file = factories.create_attachment(session, officer, sha256=f"{7:064x}")
        names[file.sha256] = "file-7"
        replace_refs(session, c.court.id, "visit", visit.id,
                     [{"sha256": file.sha256, "caption": "收据"}])
        named("visit-sparse", factories.create_visit(
            session, officer, VisitResult.DEBTOR_ABSENT, id=_id(42), visited_at=_at(-2),
            round_id=rnd.id, target_id=targets[1].id, case_id=targets[1].case_id,
            version=3, **stamps(17)))
        named("visit-gone", factories.create_visit(
            session, officer, VisitResult.DEBTOR_ABSENT, id=_id(43), visited_at=_at(-2),
            round_id=rnd.id, target_id=targets[1].id, deleted_at=_at(18), version=4,
            **stamps(18)))
        for label, obj in (("court", c.court), ("grid-a", c.grid_a), ("grid-b", c.grid_b),
                           ("case", c.case), ("case-b", c.case_b), ("case-a2", c.case_a2),
                           ("debtor", c.debtor), ("debtor-b", c.debtor_b), ("task", c.task),
                           ("task-b", c.task_b)):
            names[obj.id] = label
        names[c.grid_a.township_id] = "township"
        for label in ("assistant", "assistant_b", "officer", "officer2", "judge", "mediator"):
            names[getattr(c, label).user_id] = label
        names[self.neighbour.user_id] = "neighbour"

    def canonical(self, value: Any) -> str:
        """JSON text as a device gets it, ids replaced by their names."""
        text = json.dumps(value, ensure_ascii=False, indent=1)
        for real, label in sorted(self.names.items(), key=lambda kv: -len(kv[0])):
            text = text.replace(real, f"<{label}>")
        return UUID.sub("<uuid>", text)


def _id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def _pulls(db: Any, engine: Any, records: Records) -> dict[str, Any]:
    c = records.c
    readers = {"assistant": c.assistant, "neighbour": records.neighbour,
               "assistant_b": c.assistant_b, "officer": c.officer, "judge": c.judge,
               "mediator": c.mediator}
    settle(engine)
    out: dict[str, Any] = {}
    for role, phone in readers.items():
        for version in SCHEMA_VERSIONS:
            page = syncing.pull(db, phone, None, 1000, version)
            assert not page.has_more
            for table in TABLES:
                changes = page.changes.get(table)
                if changes is None:
                    continue
                upserts = sorted(changes.upserts, key=lambda r: r["id"])
                out[f"pull {table} as {role}, schema {version}"] = {
                    "upserts": upserts, "deletes": sorted(changes.deletes)}
    return out


def _mutation(n: int, table: str, op: Op, record: str, fields: dict[str, Any],
              base_version: int | None = 1) -> Mutation:
    return Mutation(f"m{n}", table, op, record, fields, base_version)


def _pushes(db: Any, records: Records) -> dict[str, Any]:
    """Push results that carry server values: a stale update that changes nothing, a
    stale delete (a conflict), an update that writes (its new ``updated_at`` replaced)."""
    c = records.c
    cases = [
        (c.assistant, "lead", _id(1), {"description": "三轮车"}),
        (c.officer, "lead", _id(1), {"case_id": c.case.id}),
        (c.judge, "lead", _id(2), {"case_id": None}),
        (c.assistant, "sighting", _id(11), {"notes": "又见到了"}),
        (c.officer, "sighting", _id(14), {"case_id": c.case.id}),
        (c.mediator, "mediation_note", _id(21), {"place": "调解室"}),
        (c.mediator, "mediation_note", _id(22), {"case_id": c.case.id}),
        (c.assistant, "task_answer", _id(31), {"answer": "在家"}),
        (c.assistant, "task_answer", _id(32), {"result": "info"}),
        (c.officer, "visit", _id(41), {"notes": "补记"}),
        (c.officer, "visit", _id(42), {"notes": ""}),
    ]
    out: dict[str, Any] = {}
    n = 0
    for phone, table, record, change in cases:
        for version in (1, 5):
            current = _server(db, phone, table, record, version)
            same = {name: current[name] for name in change if name in current}
            for label, mutation in (
                    ("no-op update", _mutation(n, table, Op.UPDATE, record, same)),
                    ("stale delete", _mutation(n + 1, table, Op.DELETE, record, {}))):
                (result,) = syncing.push(db, SETTINGS, phone, phone.device_id, version, [mutation])
                out[f"push {label} of {table} {record} by {phone.role.value}, schema "
                    f"{version}"] = _without_conflict_ids(result.to_json())
                n += 2
    writes = [(c.assistant, "lead", _id(2), {"description": "三轮车"}), cases[3], cases[6],
              (c.assistant, "task_answer", _id(32), {"answer": "在家"}), cases[9]]
    for phone, table, record, change in writes:
        (result,) = syncing.push(db, SETTINGS, phone, phone.device_id, 5,
                                 [_mutation(n, table, Op.UPDATE, record, change)])
        body = result.to_json()
        if body["server_values"]:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00",
                                body["server_values"]["updated_at"])
            body["server_values"]["updated_at"] = "<now>"
        out[f"push writing update of {table} {record} by {phone.role.value}"] = body
        n += 1
    return out


def _server(db: Any, phone: Principal, table: str, record: str, version: int
            ) -> dict[str, Any]:
    """The record as the phone's last pull gave it (stale base: version 1)."""
    page = syncing.pull(db, phone, None, 1000, version)
    return next(r for r in page.changes[table].upserts if r["id"] == record)


def _without_conflict_ids(body: dict[str, Any]) -> dict[str, Any]:
    body["conflicts"] = [{**note, "conflict_id": "<conflict>"} for note in body["conflicts"]]
    return body


def test_every_tables_values_reach_devices_exactly_as_before(db, engine, records):
    """Pulls and push results of every field table, role and schema version, compared
    with the JSON the code before the single SQL definition sent."""
    wire = {**_pulls(db, engine, records), **_pushes(db, records)}
    text = records.canonical(wire)
    if os.environ.get("GRIDWORK_WRITE_WIRE") == "1":
        GOLDEN.write_text(text + "\n", encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = json.loads(text)
    assert sorted(got) == sorted(expected)
    for key in expected:
        assert json.dumps(got[key], ensure_ascii=False) == json.dumps(
            expected[key], ensure_ascii=False), key
    assert text + "\n" == GOLDEN.read_text(encoding="utf-8")


def test_the_pinned_file_covers_every_kind_of_record(records):
    """The file holds what it claims to: shielded text, tombstones, amounts only for the
    court, attachments from schema 2, position fields from schema 5."""
    wire = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for table in TABLES:
        assert any(v["deletes"] for k, v in wire.items() if k.startswith(f"pull {table} "))
    lead = {r["id"]: r for r in wire["pull lead as officer, schema 5"]["upserts"]}
    assert lead["<lead-full>"]["amount_recovered"] == "12.50"
    assert lead["<lead-full>"]["attachments"][0]["caption"] == "门口"
    assert lead["<lead-full>"]["position_source"] == "gps"
    assert "position_source" not in wire["pull lead as officer, schema 4"]["upserts"][0]
    assert "attachments" not in wire["pull lead as officer, schema 1"]["upserts"][0]
    assert all("amount_recovered" not in r
               for r in wire["pull lead as assistant, schema 5"]["upserts"])
    masked = {r["id"]: r for r in wire["pull sighting as assistant, schema 1"]["upserts"]}
    assert masked["<sighting-neighbour>"]["notes"] != masked["<sighting-full>"]["notes"]
    assert any("server_values" in v and v["server_values"] for k, v in wire.items()
               if k.startswith("push stale delete of visit"))
