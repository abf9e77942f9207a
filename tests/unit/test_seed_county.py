"""The demo county generator: deterministic, geometrically sound, and telling a consistent
story (no database)."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import shapely

from enforcement.models import (
    CaseStatus,
    LeadStatus,
    OutcomeKind,
    PartyKind,
    PartyRole,
    Role,
    RoundStatus,
    metadata,
)
from geo.datum import wgs84_to_gcj02
from seed.county import DemoCounty, generate_county, record_values
from seed.identities import id_number_check_digit, uscc_check_char
from seed.reference import AS_OF, CASE_PREFIX, LEAD_NEXT

ROOT = Path(__file__).resolve().parents[2]
REL = 1e-9


@pytest.fixture(scope="module")
def county() -> DemoCounty:
    return generate_county()


def _digest(county: DemoCounty) -> str:
    h = hashlib.sha256()
    for table, rows in county.tables():
        h.update(table.encode())
        for row in rows:
            for key, value in record_values(row).items():
                h.update(f"{key}={value.wkt if hasattr(value, 'wkt') else value!r};".encode())
    return h.hexdigest()


# ---- determinism ---------------------------------------------------------------------------


def test_same_seed_same_county(county: DemoCounty) -> None:
    again = generate_county()
    assert again == county
    assert _digest(again) == _digest(county)


def test_same_county_in_another_process(county: DemoCounty) -> None:
    """No dependence on hash randomisation or other per-process state."""
    code = ("from tests.unit.test_seed_county import _digest; "
            "from seed.county import generate_county; print(_digest(generate_county()))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == _digest(county)


def test_other_seed_other_county(county: DemoCounty) -> None:
    other = generate_county(seed=7)
    assert other.court.id != county.court.id
    assert not other.outline.equals(county.outline)
    assert [c.case_number for c in other.cases] != [c.case_number for c in county.cases]
    assert {u.username for u in other.users} == {u.username for u in county.users}


# ---- geometry --------------------------------------------------------------------------------


def test_outline_is_zhengning_sized(county: DemoCounty) -> None:
    minx, miny, maxx, maxy = county.outline.bounds
    width_km = (maxx - minx) * 111.32 * 0.8143
    height_km = (maxy - miny) * 110.574
    assert 35 < width_km < 46
    assert 30 < height_km < 40
    centre = county.outline.centroid
    assert abs(centre.x - 108.36) < 0.05
    assert abs(centre.y - 35.49) < 0.05


def test_townships_tile_the_outline(county: DemoCounty) -> None:
    townships = county.townships
    assert [t.name for t in townships] == [
        "山河镇", "永和镇", "周家镇", "湫头镇", "榆林子镇",
        "宫河镇", "西坡镇", "永正镇", "五顷塬回族乡", "三嘉镇",
    ]
    assert [t.code for t in townships] == [f"621025{100 + i}" for i in range(10)]
    outline_area = county.outline.area
    union = shapely.union_all([t.geom for t in townships])
    assert abs(union.area - outline_area) / outline_area < REL
    assert abs(sum(t.geom.area for t in townships) - outline_area) / outline_area < REL
    assert union.symmetric_difference(county.outline).area / outline_area < REL
    for a, b in itertools.combinations(townships, 2):
        assert a.geom.intersection(b.geom).area / outline_area < 1e-12, (a.name, b.name)
    for t in townships:
        assert t.geom.is_valid and t.geom.geom_type == "MultiPolygon"


def test_villages_tile_their_townships(county: DemoCounty) -> None:
    villages = county.villages
    assert 90 <= len(villages) <= 110
    by_township = defaultdict(list)
    for v in villages:
        by_township[v.township_id].append(v)
    for t in county.townships:
        own = by_township[t.id]
        assert 7 <= len(own) <= 13, t.name
        assert abs(sum(v.geom.area for v in own) - t.geom.area) / t.geom.area < REL
        union = shapely.union_all([v.geom for v in own])
        assert union.symmetric_difference(t.geom).area / t.geom.area < REL
        for v in own:
            assert v.code.startswith(t.code) and len(v.code) == 12
    for v in villages:
        assert v.geom.is_valid and v.geom.geom_type == "MultiPolygon"
        inside = [t for t in county.townships
                  if v.geom.intersection(t.geom).area / v.geom.area > 1 - 1e-9]
        touching = [t for t in county.townships
                    if v.geom.intersection(t.geom).area / v.geom.area > 1e-9]
        assert len(inside) == 1 and touching == inside
        assert inside[0].id == v.township_id
    tree = shapely.STRtree([v.geom for v in villages])
    for i, v in enumerate(villages):
        for j in tree.query(v.geom):
            if j != i:
                assert v.geom.intersection(villages[j].geom).area / v.geom.area < 1e-9
    names = [v.name for v in villages]
    assert len(set(names)) == len(names) and all(n.endswith("村") for n in names)
    assert len({v.code for v in villages}) == len(villages)


def test_debtor_homes_lie_inside_their_villages(county: DemoCounty) -> None:
    village = {v.id: v for v in county.villages}
    debtor_ids = {cp.party_id for cp in county.case_parties if cp.role == PartyRole.DEBTOR}
    parties = {p.id: p for p in county.parties}
    assert debtor_ids
    for pid in debtor_ids:
        p = parties[pid]
        assert p.home_point is not None and p.village_grid_id is not None
        v = village[p.village_grid_id]
        assert v.geom.contains(p.home_point), p.name
        assert v.township_id == p.township_id
        # Strictly inside: not on (or a hair from) a shared boundary.
        assert v.geom.boundary.distance(p.home_point) > 1e-5
    for case in county.cases:
        v = village[case.village_grid_id]
        assert v.geom.contains(case.address_point)
        assert case.township_id == v.township_id


def test_field_reports_lie_in_their_grid(county: DemoCounty) -> None:
    village = {v.id: v for v in county.villages}
    for record in [*county.leads, *county.sightings, *county.visits, *county.task_answers]:
        v = village[record.village_grid_id]
        assert v.geom.contains(record.point)
        assert record.township_id == v.township_id
        lon, lat = wgs84_to_gcj02(record.point.x, record.point.y)
        assert abs(lon - record.reported_lon) < 1e-5 and abs(lat - record.reported_lat) < 1e-5


def test_gcj02_offset_is_a_few_hundred_metres() -> None:
    lon, lat = wgs84_to_gcj02(108.36, 35.49)
    metres = ((lon - 108.36) * 90650) ** 2 + ((lat - 35.49) * 110574) ** 2
    assert 100 < metres**0.5 < 800


# ---- people ------------------------------------------------------------------------------------


def test_users(county: DemoCounty) -> None:
    roles = Counter(u.role for u in county.users)
    assert roles == {
        Role.ADMIN: 1, Role.JUDGE: 4, Role.OFFICER: 16, Role.MEDIATOR: 20, Role.DEPUTY: 30,
        Role.GRID_ASSISTANT: 235, Role.LIAISON_UNIT: 13,
    }
    usernames = [u.username for u in county.users]
    assert len(set(usernames)) == len(usernames)
    assert {f"assistant{i}" for i in range(1, 236)} <= set(usernames)
    for name in ("admin", "judge1", "judge4", "officer16", "mediator20", "deputy30",
                 "liaison13"):
        assert name in usernames
    for u in county.users:
        assert 2 <= len(u.display_name) <= 3
        assert u.phone and re.fullmatch(r"1[3578]\d{9}", u.phone)
    phones = [u.phone for u in county.users]
    assert len(set(phones)) == len(phones)


def test_every_village_has_assistants(county: DemoCounty) -> None:
    role = {u.id: u.role for u in county.users}
    per_village = Counter(a.village_grid_id for a in county.grid_assignments
                          if role[a.user_id] == Role.GRID_ASSISTANT)
    assert set(per_village) == {v.id for v in county.villages}
    assert min(per_village.values()) >= 1
    assert max(per_village.values()) <= 4
    assert sum(per_village.values()) == 235
    assert sum(1 for n in per_village.values() if n >= 3) >= 5
    assistants = [u for u in county.users if u.role == Role.GRID_ASSISTANT]
    assert len({a.user_id for a in county.grid_assignments
                if role[a.user_id] == Role.GRID_ASSISTANT}) == len(assistants)


def test_mediators_cover_a_township_each(county: DemoCounty) -> None:
    village_township = {v.id: v.township_id for v in county.villages}
    role = {u.id: u.role for u in county.users}
    townships = defaultdict(set)
    for a in county.grid_assignments:
        if role[a.user_id] == Role.MEDIATOR:
            townships[a.user_id].add(village_township[a.village_grid_id])
    assert len(townships) == 20
    assert all(len(ts) == 1 for ts in townships.values())


def test_assistant1_has_work_to_do(county: DemoCounty) -> None:
    assistant1 = next(u for u in county.users if u.username == "assistant1")
    village_id = next(a.village_grid_id for a in county.grid_assignments
                      if a.user_id == assistant1.id)
    open_statuses = {CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.RESUMED,
                     CaseStatus.TERMINATED}
    wanted = {c.id for c in county.cases
              if c.village_grid_id == village_id and c.status in open_statuses}
    assert len(wanted) >= 5
    own_leads = [lead for lead in county.leads if lead.author_id == assistant1.id]
    assert len(own_leads) >= 5
    assert all(lead.village_grid_id == village_id for lead in own_leads)
    assert len({lead.status for lead in own_leads}) >= 3


def test_identity_numbers_are_valid(county: DemoCounty) -> None:
    numbers = [p.id_number for p in county.parties if p.id_number]
    assert len(set(numbers)) == len(numbers)
    persons = [p for p in county.parties if p.kind == PartyKind.PERSON]
    orgs = [p for p in county.parties if p.kind == PartyKind.ORGANISATION]
    assert persons and orgs
    for p in persons:
        n = p.id_number
        assert n and re.fullmatch(r"621025\d{11}[\dX]", n), n
        assert id_number_check_digit(n[:17]) == n[17]
        born = datetime.strptime(n[6:14], "%Y%m%d").date()
        assert born.year == p.birth_year
        assert (int(n[16]) % 2 == 1) == (p.gender == "男")
    for p in orgs:
        n = p.id_number
        assert n and re.fullmatch(r"9[123]621025[0-9A-HJ-NPQRTUWXY]{10}", n), n
        assert uscc_check_char(n[:17]) == n[17]


def test_known_check_digits() -> None:
    assert id_number_check_digit("11010519491231002") == "X"
    assert id_number_check_digit("44052418800101001") == "4"
    assert uscc_check_char("91350100M000100Y4") == "3"


def test_debtors(county: DemoCounty) -> None:
    debtors_per_case = Counter(cp.case_id for cp in county.case_parties
                               if cp.role == PartyRole.DEBTOR)
    applicants_per_case = Counter(cp.case_id for cp in county.case_parties
                                  if cp.role == PartyRole.APPLICANT)
    assert set(debtors_per_case.values()) == {1, 2}
    assert set(applicants_per_case.values()) == {1}
    debtor_ids = {cp.party_id for cp in county.case_parties if cp.role == PartyRole.DEBTOR}
    debtors = [p for p in county.parties if p.id in debtor_ids]
    orgs = sum(p.kind == PartyKind.ORGANISATION for p in debtors) / len(debtors)
    assert 0.05 < orgs < 0.15
    assert any(p.is_dishonest for p in debtors)
    plates = [plate for p in debtors for plate in p.vehicle_plates]
    assert plates and all(re.fullmatch(r"甘M·[0-9A-Z]{5}", plate) for plate in plates)


# ---- cases and money -------------------------------------------------------------------------


def test_case_numbers(county: DemoCounty) -> None:
    numbers = [c.case_number for c in county.cases]
    assert len(numbers) == 2000
    assert len(set(numbers)) == len(numbers)
    pattern = re.compile(rf"\((\d{{4}})\){CASE_PREFIX}执(恢)?([1-9]\d*)号")
    resumed = 0
    for c in county.cases:
        m = pattern.fullmatch(c.case_number)
        assert m, c.case_number
        assert int(m.group(1)) == c.filed_on.year
        resumed += bool(m.group(2))
        assert date(2022, 1, 1) <= c.filed_on <= AS_OF
    assert 0.02 < resumed / len(numbers) < 0.1
    assert {c.filed_on.year for c in county.cases} == {2022, 2023, 2024, 2025, 2026}


def test_case_statuses(county: DemoCounty) -> None:
    statuses = Counter(c.status for c in county.cases)
    assert set(statuses) == set(CaseStatus)
    assert 0.18 < statuses[CaseStatus.TERMINATED] / len(county.cases) < 0.32
    for c in county.cases:
        assert Decimal("2000") <= c.amount_owed <= Decimal("800000")
        assert (c.terminated_on is not None) == (c.status == CaseStatus.TERMINATED)
        assert (c.closed_on is not None) == (c.status == CaseStatus.CLOSED)
        if c.closed_on:
            assert c.filed_on <= c.closed_on <= AS_OF
        if c.terminated_on:
            assert c.filed_on <= c.terminated_on <= AS_OF
    events = defaultdict(list)
    for e in county.case_events:
        events[e.case_id].append(e)
    for c in county.cases:
        chain = sorted(events[c.id], key=lambda e: e.at)
        assert chain[0].kind == "filed" and chain[0].from_status is None
        for prev, nxt in itertools.pairwise(chain):
            assert nxt.from_status == prev.to_status
        assert chain[-1].to_status == c.status


def test_amounts_recovered_add_up(county: DemoCounty) -> None:
    paid = defaultdict(Decimal)
    for o in county.outcomes:
        assert o.amount >= 0
        if o.kind == OutcomeKind.PAYMENT_RECEIVED:
            assert o.amount > 0
            paid[o.case_id] += o.amount
        else:
            assert o.amount == 0
    settlement_case = {s.id: s.case_id for s in county.settlements}
    for i in county.instalments:
        assert i.paid_amount in (Decimal("0.00"), i.amount)
        assert (i.paid_on is None) == (i.paid_amount == 0)
        paid[settlement_case[i.settlement_id]] += i.paid_amount
    for c in county.cases:
        assert c.amount_recovered == paid[c.id], c.case_number
        assert Decimal("0") <= c.amount_recovered <= c.amount_owed
        if c.status == CaseStatus.CLOSED:
            assert c.amount_recovered == c.amount_owed
        if c.status == CaseStatus.OPEN:
            assert c.amount_recovered == 0
        if c.status in (CaseStatus.IN_PROGRESS, CaseStatus.RESUMED, CaseStatus.SETTLED):
            assert c.amount_recovered < c.amount_owed
    for s in county.settlements:
        own = [i for i in county.instalments if i.settlement_id == s.id]
        assert sum(i.amount for i in own) == s.total_amount
        assert [i.seq for i in own] == list(range(1, len(own) + 1))
        assert all(i.due_on > s.agreed_on for i in own)


def test_settlements_follow_cases(county: DemoCounty) -> None:
    cases = {c.id: c for c in county.cases}
    notes = {n.id: n for n in county.mediation_notes}
    for s in county.settlements:
        case = cases[s.case_id]
        assert case.status in (CaseStatus.SETTLED, CaseStatus.CLOSED)
        assert (s.status == "fulfilled") == (case.status == CaseStatus.CLOSED)
        if s.mediation_note_id:
            note = notes[s.mediation_note_id]
            assert note.outcome == "agreed" and note.case_id == s.case_id
            assert note.proposal["total"] == str(s.total_amount)
    agreed = [n for n in county.mediation_notes if n.outcome == "agreed"]
    assert {n.id for n in agreed} == {s.mediation_note_id for s in county.settlements
                                      if s.mediation_note_id}
    assert len(county.mediation_notes) == 120
    assert Counter(n.outcome for n in county.mediation_notes).keys() == {
        "agreed", "refused", "continue"}


# ---- leads and the field ---------------------------------------------------------------------


def test_lead_statuses_match_their_transitions(county: DemoCounty) -> None:
    transitions = defaultdict(list)
    for t in county.lead_transitions:
        transitions[t.lead_id].append(t)
    leads = {lead.id: lead for lead in county.leads}
    assert set(transitions) == set(leads)
    reached = {LeadStatus.ACCEPTED, LeadStatus.REJECTED, LeadStatus.DUPLICATE,
               LeadStatus.ASSIGNED, LeadStatus.VERIFIED, LeadStatus.NOT_FOUND,
               LeadStatus.OUTCOME_RECORDED, LeadStatus.CLOSED}
    for lead in county.leads:
        chain = transitions[lead.id]
        previous = None
        for t in chain:
            assert t.from_status == previous
            assert t.to_status in LEAD_NEXT[previous], (previous, t.to_status)
            previous = t.to_status
        assert previous == lead.status
        times = [t.at for t in chain]
        assert times == sorted(times)
        assert lead.observed_at <= times[0] == lead.created_at
        assert times[-1] == lead.updated_at
        statuses = {t.to_status for t in chain}
        assert (lead.triaged_at is not None) == bool(statuses & reached)
        assert (lead.assigned_officer_id is not None) == (LeadStatus.ASSIGNED in statuses)
        if lead.status == LeadStatus.DUPLICATE:
            original = leads[lead.duplicate_of_id]
            assert original.case_id == lead.case_id
            assert original.created_at <= lead.created_at
        else:
            assert lead.duplicate_of_id is None
        assert date(2025, 1, 1) <= lead.observed_at.date() <= AS_OF
    statuses = Counter(lead.status for lead in county.leads)
    assert set(statuses) == set(LeadStatus)
    assert 380 <= len(county.leads) <= 420


def test_lead_outcomes_and_money(county: DemoCounty) -> None:
    by_lead = defaultdict(list)
    for o in county.outcomes:
        if o.lead_id:
            by_lead[o.lead_id].append(o)
    for lead in county.leads:
        own = by_lead[lead.id]
        paid = sum((o.amount for o in own), Decimal("0.00"))
        assert lead.amount_recovered == paid
        if own:
            assert lead.status in (LeadStatus.OUTCOME_RECORDED, LeadStatus.CLOSED)
            assert all(o.case_id == lead.case_id for o in own)
        if lead.status == LeadStatus.OUTCOME_RECORDED:
            assert own
    assert sum(lead.amount_recovered for lead in county.leads) > 0


def test_rounds(county: DemoCounty) -> None:
    assert [r.seq for r in county.rounds] == [1, 2, 3, 4]
    quarters = [(r.starts_on.month - 1) // 3 for r in county.rounds]
    assert quarters == [0, 1, 2, 3]
    targets = defaultdict(list)
    for t in county.round_targets:
        targets[t.round_id].append(t)
    teams = Counter(t.round_id for t in county.round_teams)
    township_geom = {t.id: t.geom for t in county.townships}
    for r in county.rounds:
        assert r.status == RoundStatus.DONE and r.starts_on.year == 2025
        assert "驻村连片集中执行" in r.name
        assert 2 <= teams[r.id] == r.team_count <= 4
        covered = [tid for tid, g in township_geom.items()
                   if r.area.intersection(g).area / g.area > 1 - 1e-9]
        assert 2 <= len(covered) <= 3 and r.township_id in covered
        assert len(targets[r.id]) >= 20
        for t in targets[r.id]:
            assert r.starts_on <= t.day <= r.ends_on
            assert r.area.buffer(1e-9).contains(t.point)
    visits = {v.target_id: v for v in county.visits}
    for t in county.round_targets:
        assert (t.status == "visited") == (t.id in visits)
    for v in county.visits:
        if v.result == "paid":
            assert v.amount_collected > 0
        else:
            assert v.amount_collected == 0
    payments = {o.visit_id: o.amount for o in county.outcomes
                if o.visit_id and o.kind == OutcomeKind.PAYMENT_RECEIVED}
    assert payments == {v.id: v.amount_collected for v in county.visits if v.result == "paid"}


def test_supervision_and_linkage(county: DemoCounty) -> None:
    assert len(county.nodes) == 23
    assert [n.seq for n in county.nodes] == list(range(1, 24))
    assert len({n.code for n in county.nodes}) == 23
    assert all(n.name_zh and n.name_en for n in county.nodes)
    assert len(county.linkage_units) == 13
    liaison_units = [u.linkage_unit_id for u in county.users if u.role == Role.LIAISON_UNIT]
    assert sorted(liaison_units) == sorted(u.id for u in county.linkage_units)
    for unit in county.linkage_units:
        assert unit.duties and set(unit.duties) <= {
            "find_person", "seize_vehicle", "search_records", "freeze_and_deduct", "appraise"}
    units = {u.id: u for u in county.linkage_units}
    for r in county.linkage_requests:
        assert r.notice_id is not None or r.kind in units[r.unit_id].duties
        assert (r.status == "answered") == (r.answer is not None)
    assert len(county.case_follows) == 60
    pairs = [(f.deputy_id, f.case_id) for f in county.case_follows]
    assert len(set(pairs)) == len(pairs)
    assert len(county.deputy_evaluations) == 30
    followed = set(pairs)
    for e in county.deputy_evaluations:
        assert (e.deputy_id, e.case_id) in followed
        assert e.rating is None or 1 <= e.rating <= 5
    assert len(county.tasks) == 40
    assert len([r for r in county.linkage_requests if r.notice_id is None]) == 40
    assert len(county.sightings) == 150 and any(s.urgent for s in county.sightings)


def test_references_and_columns(county: DemoCounty) -> None:
    """Every id a record points to exists, every field is a column, nothing is later than
    the demo's "today"."""
    ids: set[str] = set()
    for _, rows in county.tables():
        for row in rows:
            if hasattr(row, "id"):
                assert row.id not in ids
                ids.add(row.id)
    ref_names = {"created_by", "recorded_by", "requested_by", "answered_by", "replied_by"}
    latest = datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=UTC) + timedelta(days=1)
    future = {"due_at", "due_on", "next_visit_on"}
    for table, rows in county.tables():
        columns = set(metadata.tables[table].c.keys())
        for row in rows:
            values = record_values(row)
            assert set(values) <= columns, table
            for key, value in values.items():
                if value is None:
                    continue
                if key.endswith("_id") or key in ref_names:
                    assert value in ids, (table, key)
                if key == "member_ids":
                    assert set(value) <= ids
                if isinstance(value, datetime):
                    assert value.tzinfo is not None
                    assert key in future or value < latest, (table, key, value)
                elif isinstance(value, date):
                    assert key in future or value <= AS_OF, (table, key, value)


# ---- scale ---------------------------------------------------------------------------------


def test_scale_two_doubles_the_work(county: DemoCounty) -> None:
    double = generate_county(scale=2)
    assert len(double.cases) == 2 * len(county.cases)
    current = [e.unit_id or e.party_id for e in double.list_entries if e.ended_at is None]
    assert len(current) == len(set(current)), "one list colour in force per unit or person"
    assert len(current) == len([e for e in county.list_entries if e.ended_at is None]) + 2
    assistants = [u for u in double.users if u.role == Role.GRID_ASSISTANT]
    assert len(assistants) == 470
    assert len(double.villages) == len(county.villages)
    assert len(double.townships) == 10
    for name in ("leads", "sightings", "mediation_notes", "tasks", "case_follows",
                 "deputy_evaluations", "linkage_requests"):
        assert len(getattr(double, name)) == 2 * len(getattr(county, name)), name
    assert len({c.case_number for c in double.cases}) == len(double.cases)


def test_record_fields_are_plain(county: DemoCounty) -> None:
    for _, rows in county.tables():
        for f in fields(rows[0]):
            value: Any = getattr(rows[0], f.name)
            assert not hasattr(value, "__table__"), f.name


def test_notices_lists_and_judicial_aid(county: DemoCounty) -> None:
    """Four notices with a copy per unit (one still unacknowledged long past due), one
    list entry in force per subject with the earlier ones ended, aid never paid beyond
    its approval."""
    copies = defaultdict(list)
    for r in county.linkage_requests:
        if r.notice_id is not None:
            copies[r.notice_id].append(r)
    assert len(county.punishment_notices) == 4
    assert set(copies) == {n.id for n in county.punishment_notices}
    debtors = {(cp.case_id, cp.party_id) for cp in county.case_parties if cp.role == "debtor"}
    end = datetime(2026, 11, 1, tzinfo=UTC)
    overdue = [r for n in county.punishment_notices for r in copies[n.id]
               if r.status == "sent" and r.due_at < end]
    assert len(overdue) == 1
    for notice in county.punishment_notices:
        assert (notice.case_id, notice.party_id) in debtors
        for copy in copies[notice.id]:
            assert copy.kind == "joint_punishment" and copy.due_at == notice.due_at
            assert (copy.result == "acknowledged") == (copy.status == "answered")

    in_force = Counter((e.unit_id, e.party_id) for e in county.list_entries
                       if e.ended_at is None)
    assert set(in_force.values()) == {1} and len(in_force) == 6
    assert any(e.ended_at is not None for e in county.list_entries)

    applicants = {(cp.case_id, cp.party_id) for cp in county.case_parties
                  if cp.role == "applicant"}
    paid = Counter()
    for payment in county.aid_payments:
        paid[payment.aid_id] += payment.amount
    assert {a.status for a in county.judicial_aid} == {"pending", "approved", "rejected"}
    for aid in county.judicial_aid:
        assert (aid.case_id, aid.applicant_id) in applicants
        assert paid[aid.id] <= (aid.approved_amount or Decimal(0)) <= aid.amount_requested
