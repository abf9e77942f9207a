"""The access policy of supervision and linkage endpoints as a table, over HTTP:
endpoint × role × whose record.

Columns: ``own`` — a record on a case the deputy follows (their own card, their own
follow) or a request (or joint punishment notice) to the liaison user's own unit;
``same_court`` — the same kind of
record on a case of the court that the deputy does not follow (another deputy's), or of
another unit; ``other_court`` — one of another court. 403: the role may not do this at
all; 404: outside the caller's scope (existence not disclosed); 422 for a case of
another court named in a request body, as for every reference.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from enforcement.models import AidStatus, PartyRole, Role
from tests import factories

TARGETS = ("own", "same_court", "other_court")
R = Role
ROLES = (R.GRID_ASSISTANT, R.MEDIATOR, R.OFFICER, R.JUDGE, R.DEPUTY, R.LIAISON_UNIT, R.ADMIN)
NO = (403, 403, 403)


def _row(*by_role):
    return dict(zip(ROLES, by_role, strict=True))


# endpoint               assistant, mediator, officer, judge, deputy, liaison, admin
TABLE = {
    "node_event.get":    _row(NO, NO, (200, 200, 404), (200, 200, 404), (200, 404, 404), NO, NO),
    "node_event.create": _row(NO, NO, (201, 201, 422), (201, 201, 422), NO, NO, NO),
    "node_event.witness": _row(NO, NO, NO, NO, (201, 404, 404), NO, NO),
    "inbox.read":        _row(NO, NO, NO, NO, (204, 404, 404), NO, NO),
    "evaluation.create": _row(NO, NO, NO, NO, (201, 404, 404), NO, NO),
    "opinion.create":    _row(NO, NO, NO, NO, (201, 404, 404), NO, NO),
    "opinion.get":       _row(NO, NO, (200, 200, 404), (200, 200, 404), (200, 404, 404), NO, NO),
    "opinion.reply":     _row(NO, NO, NO, (200, 200, 404), NO, NO, NO),
    "follow.end":        _row(NO, NO, NO, (200, 200, 404), NO, NO, (200, 200, 404)),
    "unit.get":          _row(NO, NO, (200, 200, 404), (200, 200, 404), NO, (200, 404, 404),
                              (200, 200, 404)),
    "request.get":       _row(NO, NO, (200, 200, 404), (200, 200, 404), NO, (200, 404, 404), NO),
    "request.answer":    _row(NO, NO, NO, NO, NO, (200, 404, 404), NO),
    "request.cancel":    _row(NO, NO, (200, 200, 404), (200, 200, 404), NO, NO, NO),
    "notice.get":        _row(NO, NO, (200, 200, 404), (200, 200, 404), NO, (200, 404, 404), NO),
    "notice.acknowledge": _row(NO, NO, NO, NO, NO, (200, 404, 404), NO),
    "aid.get":           _row(NO, NO, (200, 200, 404), (200, 200, 404), NO, NO, NO),
    "aid.pay":           _row(NO, NO, (201, 201, 404), (201, 201, 404), NO, NO, NO),
}
CREDIT = ("notice.", "aid.")
"""Endpoints whose records (notices, aid) are made only for them: a notice's copy is a
linkage request, which would change what the request list shows."""
LISTS = {
    "node_event.get": ("/api/v1/supervision/node-events", "events"),
    "opinion.get": ("/api/v1/supervision/opinions", "opinions"),
    "request.get": ("/api/v1/linkage/requests", "requests"),
    "unit.get": ("/api/v1/linkage/units", "units"),
    "notice.get": ("/api/v1/linkage/notices", "notices"),
    "aid.get": ("/api/v1/judicial-aid", "aid"),
}


def _caller(world, role):
    return world.assistant if role == R.GRID_ASSISTANT else world.users[role]


def _records(session, world, credit=False):
    """Per target: a case, node event, opinion card, follow, unit and request; with
    ``credit``, a joint punishment notice to the unit and an approved aid application."""
    deputy, judge, officer = world.users[R.DEPUTY], world.judge_user, world.users[R.OFFICER]
    other_judge = factories.create_user(session, world.other_court, R.JUDGE)
    courts = {"own": (world.court, deputy, judge, officer),
              "same_court": (world.court, factories.create_user(session, world.court, R.DEPUTY),
                             judge, officer),
              "other_court": (world.other_court,
                              factories.create_user(session, world.other_court, R.DEPUTY),
                              other_judge, factories.create_user(session, world.other_court,
                                                                 R.OFFICER))}
    records = {}
    for target, (court, follower, case_judge, clerk) in courts.items():
        case = factories.create_case(session, court, judge_id=case_judge.id)
        node = factories.create_node(session, court)
        unit = factories.create_linkage_unit(session, court)
        records[target] = {
            "case": case, "node": node, "unit": unit,
            "follow": factories.follow_case(session, follower, case),
            "event": factories.create_node_event(session, case, node, clerk),
            "opinion": factories.create_opinion(session, follower, case),
            "request": factories.create_linkage_request(session, unit, case, clerk),
        }
        if credit:
            debtor = factories.create_party(session, court)
            factories.add_party(session, case, debtor)
            applicant = factories.create_party(session, court, name="李四")
            factories.add_party(session, case, applicant, PartyRole.APPLICANT)
            records[target]["notice"] = factories.create_punishment_notice(
                session, case, debtor, clerk, unit)
            records[target]["aid"] = factories.create_judicial_aid(
                session, case, applicant, clerk, status=AidStatus.APPROVED,
                approved_amount=Decimal("5000.00"))
    world.users[R.LIAISON_UNIT].linkage_unit_id = records["own"]["unit"].id
    return records


def _call(http, endpoint, rec, headers):
    sup, link = "/api/v1/supervision", "/api/v1/linkage"
    calls = {
        "node_event.get": lambda: http.get(f"{sup}/node-events/{rec['event'].id}",
                                           headers=headers),
        "node_event.create": lambda: http.post(f"{sup}/node-events", headers=headers, json={
            "case_id": rec["case"].id, "node_id": rec["node"].id,
            "occurs_at": "2026-01-02T03:00:00Z"}),
        "node_event.witness": lambda: http.post(f"{sup}/node-events/{rec['event'].id}/witness",
                                                json={}, headers=headers),
        "inbox.read": lambda: http.post(f"{sup}/inbox/{rec['event'].id}/read", headers=headers),
        "evaluation.create": lambda: http.post(f"{sup}/evaluations", headers=headers, json={
            "case_id": rec["case"].id, "overall": 5, "scores": {
                "procedure": 5, "conduct": 5, "efficiency": 4, "openness": 5}}),
        "opinion.create": lambda: http.post(f"{sup}/opinions", headers=headers, json={
            "case_id": rec["case"].id, "opinion": "建议"}),
        "opinion.get": lambda: http.get(f"{sup}/opinions/{rec['opinion'].id}", headers=headers),
        "opinion.reply": lambda: http.post(f"{sup}/opinions/{rec['opinion'].id}/reply",
                                           json={"reply": "已落实"}, headers=headers),
        "follow.end": lambda: http.post(f"{sup}/follows/{rec['follow'].id}/end",
                                        headers=headers),
        "unit.get": lambda: http.get(f"{link}/units/{rec['unit'].id}", headers=headers),
        "request.get": lambda: http.get(f"{link}/requests/{rec['request'].id}",
                                        headers=headers),
        "request.answer": lambda: http.post(f"{link}/requests/{rec['request'].id}/answer",
                                            json={"answer": "已办", "result": "done"},
                                            headers=headers),
        "request.cancel": lambda: http.post(f"{link}/requests/{rec['request'].id}/cancel",
                                            headers=headers),
        "notice.get": lambda: http.get(f"{link}/notices/{rec['notice'].id}", headers=headers),
        "notice.acknowledge": lambda: http.post(
            f"{link}/notices/{rec['notice'].id}/acknowledge", json={}, headers=headers),
        "aid.get": lambda: http.get(f"/api/v1/judicial-aid/{rec['aid'].id}", headers=headers),
        "aid.pay": lambda: http.post(f"/api/v1/judicial-aid/{rec['aid'].id}/payments",
                                     json={"amount": "100.00", "paid_on": "2026-11-20"},
                                     headers=headers),
    }
    return calls[endpoint]()


@pytest.mark.parametrize(("endpoint", "role"),
                         [(endpoint, role) for endpoint in TABLE for role in ROLES])
def test_supervision_and_linkage_access(http, world, session, endpoint, role):
    records = _records(session, world, credit=endpoint.startswith(CREDIT))
    session.commit()
    headers = world.headers(_caller(world, role))
    got = tuple(_call(http, endpoint, records[t], headers).status_code for t in TARGETS)
    assert got == TABLE[endpoint][role]
    if endpoint not in LISTS:
        return
    url, kind = LISTS[endpoint]
    listed = http.get(url, headers=headers)
    if got[0] == 403:
        assert listed.status_code == 403
        return
    body = listed.json()
    items = body["items"] if isinstance(body, dict) else body
    key = {"events": "event", "opinions": "opinion", "requests": "request", "units": "unit",
           "notices": "notice", "aid": "aid"}[kind]
    assert {item["id"] for item in items} == {
        records[t][key].id for t, status in zip(TARGETS, got, strict=True) if status == 200}
