"""Linkage units and the court's requests to them, over HTTP (Qijiang report)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from enforcement.models import AuditEntry, LinkageRequestStatus, Role, User, utcnow
from tests import factories
from tests.api.helpers import assert_problem

R = Role
BASE = "/api/v1/linkage"
UNIT = {"name": "正宁县公安局", "kind": "police",
        "duties": ["find_person", "seize_vehicle", "search_records"],
        "contact_name": "王建军", "contact_phone": "13912345678", "answer_days": 3}


def test_judges_keep_units_and_liaison_users_see_their_own_unit_masked(http, world, session):
    judge = world.headers(world.judge_user)
    created = http.post(f"{BASE}/units", json=UNIT, headers=judge)
    assert created.status_code == 201, created.text
    unit = created.json()
    assert unit["contact_phone"] == "13912345678" and unit["phone_masked"] is False
    assert_problem(http.post(f"{BASE}/units", json=UNIT, headers=judge), 409, "unit_name_exists")
    assert_problem(http.post(f"{BASE}/units", json={**UNIT, "name": "x", "duties": ["fly"]},
                             headers=judge), 422, "validation_failed")

    liaison = world.users[R.LIAISON_UNIT]
    added = http.put(f"{BASE}/units/{unit['id']}/members/{liaison.id}", headers=judge)
    assert added.json()["member_ids"] == [liaison.id]
    assert_problem(http.put(f"{BASE}/units/{unit['id']}/members/{world.assistant.id}",
                            headers=judge), 422, "not_a_liaison_user")
    other = factories.create_linkage_unit(session, world.court)
    session.commit()

    mine = http.get(f"{BASE}/units", headers=world.headers(liaison)).json()
    assert [u["id"] for u in mine] == [unit["id"]]
    assert mine[0]["contact_phone"] == "139****5678" and mine[0]["phone_masked"] is True
    assert_problem(http.get(f"{BASE}/units/{other.id}", headers=world.headers(liaison)),
                   404, "linkage_unit_not_found")

    court_view = http.get(f"{BASE}/units", headers=judge).json()
    assert {u["contact_phone"] for u in court_view} == {"13912345678", other.contact_phone}

    url = f"{BASE}/units/{unit['id']}"
    edited = http.patch(url, json={"duties": ["find_person"], "answer_days": 5},
                        headers={**judge, "If-Match": created.headers["ETag"]})
    assert edited.status_code == 200
    assert edited.json()["duties"] == ["find_person"] and edited.json()["version"] == 2
    assert_problem(http.delete(url, headers=judge), 409, "unit_in_use")  # it has a member
    http.delete(f"{url}/members/{liaison.id}", headers=judge)
    assert http.delete(url, headers=judge).status_code == 204

    session.expire_all()
    actions = list(session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.court_id == world.court.id)))
    assert {"linkage_unit.create", "linkage_unit.update", "linkage_unit.add_member",
            "linkage_unit.remove_member", "linkage_unit.delete",
            "linkage_unit.read_unmasked"} <= set(actions)
    assert session.get(User, (world.court.id, liaison.id)).linkage_unit_id is None


def test_a_request_must_be_among_the_units_duties_and_is_due_after_its_answer_days(
        http, world, session):
    unit = factories.create_linkage_unit(session, world.court, answer_days=3)
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    session.commit()
    officer = world.headers(world.users[R.OFFICER])
    body = {"unit_id": unit.id, "case_id": case.id, "party_id": debtor.id,
            "kind": "find_person", "details": "请协助查找被执行人下落"}
    sent = http.post(f"{BASE}/requests", json=body, headers=officer)
    assert sent.status_code == 201, sent.text
    request = sent.json()
    assert request["status"] == "sent" and request["overdue"] is False
    due = datetime.fromisoformat(request["due_at"]) - datetime.fromisoformat(
        request["created_at"])
    assert due == timedelta(days=3)
    problem = assert_problem(http.post(f"{BASE}/requests", json={**body, "kind": "appraise"},
                                       headers=officer), 422, "request_kind_not_in_duties")
    assert "kind" in problem["errors"]["json"]
    stranger = factories.create_party(session, world.court)
    session.commit()
    problem = assert_problem(http.post(f"{BASE}/requests", json={**body, "party_id": stranger.id},
                                       headers=officer), 422, "validation_failed")
    assert "party_id" in problem["errors"]["json"]
    past = (utcnow() - timedelta(hours=1)).isoformat()
    problem = assert_problem(http.post(f"{BASE}/requests", json={**body, "due_at": past},
                                       headers=officer), 422, "validation_failed")
    assert "due_at" in problem["errors"]["json"]
    foreign = factories.create_linkage_unit(session, world.other_court)
    session.commit()
    problem = assert_problem(http.post(f"{BASE}/requests", json={**body, "unit_id": foreign.id},
                                       headers=officer), 422, "validation_failed")
    assert "unit_id" in problem["errors"]["json"]
    assert_problem(http.post(f"{BASE}/requests", json=body,
                             headers=world.headers(world.users[R.DEPUTY])), 403, "forbidden")


def test_a_units_users_see_and_answer_only_their_units_requests(http, world, session):
    police = factories.create_linkage_unit(session, world.court)
    bank = factories.create_linkage_unit(session, world.court, name="正宁农商银行",
                                         duties=["freeze_and_deduct"])
    officer = world.users[R.OFFICER]
    case = factories.create_case(session, world.court)
    to_police = factories.create_linkage_request(session, police, case, officer)
    to_bank = factories.create_linkage_request(session, bank, case, officer,
                                               kind="freeze_and_deduct")
    policeman = factories.create_user(session, world.court, R.LIAISON_UNIT,
                                      linkage_unit_id=police.id)
    session.commit()
    headers = world.headers(policeman)
    listed = http.get(f"{BASE}/requests", headers=headers).json()["items"]
    assert [r["id"] for r in listed] == [to_police.id]
    assert_problem(http.get(f"{BASE}/requests/{to_bank.id}", headers=headers),
                   404, "linkage_request_not_found")
    assert_problem(http.post(f"{BASE}/requests/{to_bank.id}/answer", headers=headers,
                             json={"answer": "已查", "result": "done"}),
                   404, "linkage_request_not_found")
    answered = http.post(f"{BASE}/requests/{to_police.id}/answer", headers=headers,
                         json={"answer": "经查，其在西安市活动", "result": "done"})
    assert answered.status_code == 200
    assert answered.json()["result"] == "done"
    assert answered.json()["status"] == "answered"
    assert answered.json()["answered_by"] == policeman.id
    assert_problem(http.post(f"{BASE}/requests/{to_police.id}/answer", headers=headers,
                             json={"answer": "again", "result": "done"}),
                   409, "linkage_request_closed")
    judge = world.headers(world.judge_user)
    assert http.get(f"{BASE}/requests/{to_police.id}", headers=judge).json()["answer"] \
        == "经查，其在西安市活动"
    cancelled = http.post(f"{BASE}/requests/{to_bank.id}/cancel", headers=judge)
    assert cancelled.json()["status"] == "cancelled"
    assert_problem(http.post(f"{BASE}/requests/{to_bank.id}/cancel", headers=judge),
                   409, "linkage_request_closed")
    unassigned = world.users[R.LIAISON_UNIT]  # belongs to no unit: sees nothing
    assert http.get(f"{BASE}/requests", headers=world.headers(unassigned)).json()["items"] == []


def test_overdue_requests_are_listed_per_unit_and_counted(http, world, session):
    officer = world.users[R.OFFICER]
    case = factories.create_case(session, world.court)
    units = [factories.create_linkage_unit(session, world.court, name=name)
             for name in ("甲公安局", "乙车管所", "丙银行")]
    past, now = utcnow() - timedelta(days=2), utcnow()
    S = LinkageRequestStatus
    plan = {  # unit index: [(status, due, answered_at)]
        0: [(S.SENT, past, None), (S.ACKNOWLEDGED, past, None), (S.SENT, None, None),
            (S.ANSWERED, past, past - timedelta(days=1)), (S.ANSWERED, past, now)],
        1: [(S.CANCELLED, past, None), (S.OVERDUE, past, None)],
        2: [],
    }
    made = {}
    for index, rows in plan.items():
        for status, due, answered_at in rows:
            request = factories.create_linkage_request(
                session, units[index], case, officer, status=status, due_at=due,
                answered_at=answered_at, answer="已办" if answered_at else None,
                created_at=past - timedelta(days=3))
            made.setdefault(index, []).append(request)
    factories.create_linkage_request(
        session, factories.create_linkage_unit(session, world.other_court),
        factories.create_case(session, world.other_court),
        factories.create_user(session, world.other_court, R.OFFICER), due_at=past)
    session.commit()

    judge = world.headers(world.judge_user)
    groups = http.get(f"{BASE}/requests/overdue", headers=judge).json()
    expected = {units[i].id: {r.id for r, (status, due, _) in zip(made[i], plan[i], strict=True)
                              if status in (S.SENT, S.ACKNOWLEDGED, S.OVERDUE)
                              and due is not None and due < now}
                for i in plan if i in made}
    expected = {k: v for k, v in expected.items() if v}
    assert {g["unit_id"]: {r["id"] for r in g["requests"]} for g in groups} == expected
    assert all(r["overdue"] for g in groups for r in g["requests"])

    counts = {c["unit_id"]: c for c in http.get(f"{BASE}/summary", headers=judge).json()}
    assert set(counts) == {u.id for u in units}
    for i, unit in enumerate(units):
        rows = plan[i]
        answered = [r for r in rows if r[0] == S.ANSWERED]
        assert counts[unit.id] | {"unit_id": None, "unit_name": None} == {
            "unit_id": None, "unit_name": None, "sent": len(rows), "answered": len(answered),
            "answered_on_time": sum(1 for r in answered if r[2] <= r[1]),
            "open": sum(1 for r in rows if r[0] in (S.SENT, S.ACKNOWLEDGED, S.OVERDUE)),
            "overdue": len(expected.get(unit.id, ())),
            "cancelled": sum(1 for r in rows if r[0] == S.CANCELLED)}
