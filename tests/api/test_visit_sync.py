"""A visit pushed from a phone is the same write as one posted to
``POST /api/v1/rounds/{id}/visits``: the same checks, refused with the same problem code
(per mutation), and the same effects on the stop, the case, the outcomes and the audit log."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from enforcement.models import (
    AuditEntry,
    EnforcementCase,
    EnforcementRound,
    Outcome,
    Role,
    RoundStatus,
    RoundTarget,
    Visit,
)
from tests import factories
from tests.api.helpers import bearer

VISITED_AT = "2026-11-02T02:30:00Z"  # 10:30 in China, on the round's first day
POINT = {"lon": 108.305, "lat": 35.405, "datum": "gcj02"}


def _post(http: Any, world: Any, user: Any, round_id: str, target_id: str,
          **body: Any) -> Any:
    return http.post(f"/api/v1/rounds/{round_id}/visits",
                     json={"target_id": target_id, "result": "debtor_met",
                           "visited_at": VISITED_AT} | body, headers=world.headers(user))


def _mutation(round_id: str, target_id: str, visit_id: str | None = None,
              **fields: Any) -> dict[str, Any]:
    """A visit created on a phone."""
    return {"mutation_id": uuid.uuid4().hex, "table": "visit", "op": "create",
            "id": visit_id or str(uuid.uuid4()),
            "fields": {"round_id": round_id, "target_id": target_id, "result": "debtor_met",
                       "visited_at": VISITED_AT} | fields}


def _edit(visit_id: str, base_version: int, op: str = "update", **fields: Any
          ) -> dict[str, Any]:
    return {"mutation_id": uuid.uuid4().hex, "table": "visit", "op": op, "id": visit_id,
            "base_version": base_version, "fields": fields}


def _push(http: Any, tokens: dict[str, Any], *mutations: dict[str, Any]) -> list[dict]:
    response = http.post("/api/v1/sync/push", headers=bearer(tokens), json={
        "device_id": tokens["device_id"], "schema_version": 1, "mutations": list(mutations)})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def _effects(session: Any, round_work: Any, stop: RoundTarget, visit_id: str) -> dict:
    """Everything a visit changes, with the ids that differ between two visits left out."""
    session.expire_all()
    court_id = round_work.rnd.court_id
    target = session.get(RoundTarget, (court_id, stop.id))
    visit = session.get(Visit, (court_id, visit_id))
    outcomes = session.scalars(sa.select(Outcome).where(
        Outcome.court_id == court_id, Outcome.visit_id == visit_id)).all()
    audit = session.scalars(sa.select(AuditEntry).where(
        AuditEntry.court_id == court_id, AuditEntry.subject_table == "visit",
        AuditEntry.subject_id == visit_id).order_by(AuditEntry.seq)).all()
    return {
        "target": (target.status, target.last_result, target.visited_at),
        "recovered": session.get(EnforcementCase, (court_id, stop.case_id)).amount_recovered,
        "visit": (visit.result, visit.amount_collected, visit.outcome_kind, visit.notes,
                  visit.officer_id, visit.case_id == stop.case_id, visit.village_grid_id,
                  visit.reported_lon, visit.datum),
        "outcomes": sorted((o.kind.value, o.amount, o.occurred_on, o.notes, o.recorded_by,
                            o.case_id == stop.case_id, o.round_id) for o in outcomes),
        "audit": [(a.action, a.actor_id, {k: v for k, v in a.detail.items()
                                          if k != "target_id"}) for a in audit],
    }


def test_a_pushed_visit_has_every_effect_of_a_posted_one(http, world, login, session, round_work):
    fields = {"result": "property_found", "amount_collected": "1500.00",
              "outcome_kind": "property_sealed", "notes": "查封农用车一辆，当场履行1500元",
              "point": POINT}
    posted = _post(http, world, round_work.leader, round_work.rnd.id, round_work.stops[0].id,
                   **fields)
    assert posted.status_code == 201, posted.text
    assert posted.json()["outcome_kind"] == "property_sealed"
    pushed_id = str(uuid.uuid4())
    (pushed,) = _push(http, login(round_work.leader),
                      _mutation(round_work.rnd.id, round_work.stops[1].id, pushed_id, **fields))
    assert pushed["status"] == "applied", pushed

    by_rest = _effects(session, round_work, round_work.stops[0], posted.json()["id"])
    by_sync = _effects(session, round_work, round_work.stops[1], pushed_id)
    assert by_sync == by_rest
    assert by_sync["target"][:2] == ("visited", "property_found")
    assert by_sync["recovered"] == Decimal("1500.00")
    assert [o[:2] for o in by_sync["outcomes"]] == [
        ("payment_received", Decimal("1500.00")), ("property_sealed", Decimal("0.00"))]
    assert by_sync["visit"][6] == world.village_a.id, "placed on its grid from the GCJ-02 point"
    (action, actor, detail), = by_sync["audit"]
    assert (action, actor) == ("visit.record", round_work.leader.id)
    assert detail["outcomes"] == ["payment_received", "property_sealed"]
    session.expire_all()
    rnd = session.get(EnforcementRound, (round_work.rnd.court_id, round_work.rnd.id))
    assert rnd.status == RoundStatus.RUNNING


def test_a_refused_visit_gets_the_rest_code_per_mutation(http, world, login, session, round_work):
    planned, (planned_stop,) = factories.create_visitable_round(session, round_work.leader, stops=1,
                                                                status=RoundStatus.PLANNED)
    session.commit()
    stop = round_work.stops[0]
    cases = [  # who, round, stop, extra fields, REST status and code
        (round_work.bystander, round_work.rnd.id, stop.id, {}, 403, "not_on_round_team"),
        (world.judge_user, round_work.rnd.id, stop.id, {}, 403, "not_on_round_team"),
        (world.assistant, round_work.rnd.id, stop.id, {}, 403, "forbidden"),
        (round_work.outsider, round_work.rnd.id, stop.id, {}, 404, "round_not_found"),
        (round_work.leader, planned.id, planned_stop.id, {}, 409, "round_not_running"),
        (round_work.leader, round_work.rnd.id, "0" * 16, {}, 404, "round_target_not_found"),
        (round_work.leader, round_work.rnd.id, stop.id,
         {"result": "paid", "amount_collected": "50001"}, 409, "amount_owed_exceeded"),
        (round_work.leader, round_work.rnd.id, stop.id, {"result": "paid"}, 422,
         "validation_failed"),
    ]
    for user, round_id, target_id, extra, status, code in cases:
        posted = _post(http, world, user, round_id, target_id, **extra)
        assert (posted.status_code, posted.json()["code"]) == (status, code), posted.text
        lead = {"mutation_id": uuid.uuid4().hex, "table": "lead", "op": "create",
                "id": str(uuid.uuid4()), "fields": {"kind": "vehicle", "description": "新车",
                                                   "point": POINT}}
        mutations = [_mutation(round_id, target_id, **extra)]
        if user.role in (Role.OFFICER, Role.JUDGE):
            mutations.append(lead)  # the rest of the batch still applies
        results = _push(http, login(user), *mutations)
        assert (results[0]["status"], results[0]["code"]) == ("rejected", code), user.role
        assert [r["status"] for r in results[1:]] in ([], ["applied"])
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(Visit).where(
        Visit.court_id == round_work.rnd.court_id,
        Visit.round_id.in_((round_work.rnd.id, planned.id)))) == 0
    assert session.get(EnforcementCase, (stop.court_id, stop.case_id)).amount_recovered == 0
    assert session.get(EnforcementRound, (stop.court_id, round_work.rnd.id)).status == \
        RoundStatus.LOCKED


def test_a_retried_visit_pays_once(http, world, login, session, round_work):
    phone = login(round_work.leader)
    stop = round_work.stops[2]
    visit_id = "visitpaid0000002"  # WatermelonDB's 16-character ids
    made = _mutation(round_work.rnd.id, stop.id, visit_id, result="paid", amount_collected="2000")
    first = _push(http, phone, made)
    assert first[0]["status"] == "applied", first
    assert _push(http, phone, made) == first, "a replayed batch answers the same"
    (again,) = _push(http, phone, {**made, "mutation_id": uuid.uuid4().hex})
    assert again["status"] in ("applied", "merged"), again  # the same values: no change
    other_phone = login(round_work.leader)
    (elsewhere,) = _push(http, other_phone, {**made, "mutation_id": uuid.uuid4().hex})
    assert elsewhere["status"] in ("applied", "merged"), elsewhere
    retry = _post(http, world, round_work.leader, round_work.rnd.id, stop.id, id=visit_id,
                  result="paid", amount_collected="2000")
    assert retry.status_code == 200, retry.text

    effects = _effects(session, round_work, stop, visit_id)
    assert effects["recovered"] == Decimal("2000.00")
    assert [o[:2] for o in effects["outcomes"]] == [("payment_received", Decimal("2000.00"))]
    assert [a[0] for a in effects["audit"]] == ["visit.record"]


def test_the_recording_officer_edits_notes_and_point_only(http, world, login, session, round_work):
    phone = login(round_work.leader)
    stop = round_work.stops[3]
    visit_id = str(uuid.uuid4())
    _push(http, phone, _mutation(round_work.rnd.id, stop.id, visit_id, result="paid",
                                 amount_collected="800"))
    (noted,) = _push(http, phone, _edit(visit_id, 1, notes="余款约定下周付清", point=POINT))
    assert noted["status"] == "applied", noted
    refused = _push(
        http, phone,
        _edit(visit_id, 2, amount_collected="8000"), _edit(visit_id, 2, result="refused"),
        _edit(visit_id, 2, target_id=round_work.stops[0].id), _edit(visit_id, 2, op="delete"))
    assert [(r["status"], r["code"]) for r in refused] == [("rejected", "visit_recorded")] * 4
    (bystander,) = _push(http, login(round_work.bystander), _edit(visit_id, 2, notes="改"))
    assert (bystander["status"], bystander["code"]) == ("rejected", "forbidden")

    effects = _effects(session, round_work, stop, visit_id)
    assert effects["visit"][:4] == ("paid", Decimal("800.00"), None, "余款约定下周付清")
    assert effects["visit"][6] == world.village_a.id
    assert effects["recovered"] == Decimal("800.00")
    assert [a[0] for a in effects["audit"]] == ["visit.record", "visit.edit"]
