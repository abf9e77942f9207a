"""Joint punishment notices (联合惩戒) to linkage units, over HTTP (Luojiang report)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from enforcement.models import (
    AuditEntry,
    LinkageKind,
    LinkageRequest,
    PartyRole,
    PunishmentNotice,
    Role,
    utcnow,
)
from tests import factories
from tests.api.helpers import assert_problem

R = Role
BASE = "/api/v1/linkage"


def _units_with_liaisons(session, world):
    bank = factories.create_linkage_unit(session, world.court, name="正宁农商银行",
                                         kind=LinkageKind.BANK)
    market = factories.create_linkage_unit(session, world.court, name="正宁县市场监督管理局",
                                           kind=LinkageKind.MARKET_REGULATOR)
    transport = factories.create_linkage_unit(session, world.court, name="正宁县交通运输局")
    bank_user = world.users[R.LIAISON_UNIT]
    bank_user.linkage_unit_id = bank.id
    transport_user = factories.create_user(session, world.court, R.LIAISON_UNIT,
                                           linkage_unit_id=transport.id)
    return bank, market, transport, bank_user, transport_user


def test_a_notice_goes_to_each_unit_which_acknowledges_its_own_copy(http, world, session):
    bank, market, _, bank_user, transport_user = _units_with_liaisons(session, world)
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    factories.create_list_entry(session, world.judge_user, unit=market, reason="多次拒不协助")
    session.commit()
    officer = world.headers(world.users[R.OFFICER])
    body = {"case_id": case.id, "party_id": debtor.id, "unit_ids": [bank.id, market.id],
            "title": "关于对失信被执行人张三明实施联合惩戒的通知",
            "content": "请限制其贷款、招投标及高消费"}

    issued = http.post(f"{BASE}/notices", json=body, headers=officer)
    assert issued.status_code == 201, issued.text
    notice = issued.json()
    assert issued.headers["Location"].endswith(f"/linkage/notices/{notice['id']}")
    by_unit = {r["unit_id"]: r for r in notice["recipients"]}
    assert set(by_unit) == {bank.id, market.id}
    assert not any(r["acknowledged"] for r in by_unit.values())
    assert by_unit[market.id]["unit_list_colour"] == "black"
    assert by_unit[market.id]["unit_list_reason"] == "多次拒不协助"
    assert by_unit[bank.id]["unit_list_colour"] is None
    assert notice["blacklisted_unit_ids"] == [market.id]
    copy = by_unit[bank.id]["request"]
    assert copy["kind"] == "joint_punishment" and copy["notice_id"] == notice["id"]
    assert copy["due_at"] == notice["due_at"]

    # the bank's users see the notice with their own copy only, and no list colours
    bank_headers = world.headers(bank_user)
    seen = http.get(f"{BASE}/notices", headers=bank_headers).json()["items"]
    assert [n["id"] for n in seen] == [notice["id"]]
    assert [r["unit_id"] for r in seen[0]["recipients"]] == [bank.id]
    assert seen[0]["blacklisted_unit_ids"] == []
    mine = http.get(f"{BASE}/requests", params={"kind": "joint_punishment"},
                    headers=bank_headers).json()["items"]
    assert [r["notice_id"] for r in mine] == [notice["id"]]
    # a copy is acknowledged, not answered
    assert_problem(http.post(f"{BASE}/requests/{copy['id']}/answer", headers=bank_headers,
                             json={"answer": "已办", "result": "done"}),
                   409, "notice_needs_acknowledgement")

    acknowledged = http.post(f"{BASE}/notices/{notice['id']}/acknowledge",
                             json={"note": "已在信贷系统中设置限制"}, headers=bank_headers)
    assert acknowledged.status_code == 200, acknowledged.text
    [own] = acknowledged.json()["recipients"]
    assert own["acknowledged"] is True and own["request"]["status"] == "answered"
    assert own["request"]["answer"] == "已在信贷系统中设置限制"
    assert own["request"]["answered_by"] == bank_user.id
    assert_problem(http.post(f"{BASE}/notices/{notice['id']}/acknowledge", json={},
                             headers=bank_headers), 409, "linkage_request_closed")

    # transport got no copy: the notice does not exist for its users
    transport_headers = world.headers(transport_user)
    assert http.get(f"{BASE}/notices", headers=transport_headers).json()["items"] == []
    assert_problem(http.get(f"{BASE}/notices/{notice['id']}", headers=transport_headers),
                   404, "punishment_notice_not_found")
    assert_problem(http.post(f"{BASE}/notices/{notice['id']}/acknowledge", json={},
                             headers=transport_headers), 404, "punishment_notice_not_found")

    court_view = http.get(f"{BASE}/notices/{notice['id']}", headers=officer).json()
    assert {r["unit_id"]: r["acknowledged"] for r in court_view["recipients"]} == {
        bank.id: True, market.id: False}
    summary = {u["unit_id"]: u for u in http.get(f"{BASE}/summary", headers=officer).json()}
    assert summary[bank.id]["answered_on_time"] == 1 and summary[market.id]["open"] == 1

    session.expire_all()
    actions = [a for a in session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.court_id == world.court.id, AuditEntry.subject_id == notice["id"])
        .order_by(AuditEntry.seq))]
    assert actions == ["notice.issue", "notice.acknowledge"]


def test_unacknowledged_notices_past_due_are_listed_per_unit(http, world, session):
    bank, market, _, bank_user, _ = _units_with_liaisons(session, world)
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    officer_user = world.users[R.OFFICER]
    late = factories.create_punishment_notice(session, case, debtor, officer_user, bank, market,
                                              due_at=utcnow() - timedelta(days=2))
    factories.create_punishment_notice(session, case, debtor, officer_user, bank)  # not due
    request = factories.create_linkage_request(session, bank, case, officer_user,
                                               due_at=utcnow() - timedelta(days=1))
    session.commit()
    judge = world.headers(world.judge_user)

    groups = http.get(f"{BASE}/requests/overdue", params={"kind": "joint_punishment"},
                      headers=judge).json()
    assert [(g["unit_id"], [r["notice_id"] for r in g["requests"]]) for g in groups] == [
        (bank.id, [late.id]), (market.id, [late.id])]
    assert all(r["overdue"] for g in groups for r in g["requests"])
    everything = http.get(f"{BASE}/requests/overdue", headers=judge).json()
    bank_group = next(g for g in everything if g["unit_id"] == bank.id)
    assert {r["id"] for r in bank_group["requests"]} >= {request.id}

    # acknowledging late closes the copy: the bank leaves the overdue list
    bank_headers = world.headers(bank_user)
    assert http.post(f"{BASE}/notices/{late.id}/acknowledge", json={},
                     headers=bank_headers).status_code == 200
    groups = http.get(f"{BASE}/requests/overdue", params={"kind": "joint_punishment"},
                      headers=judge).json()
    assert [g["unit_id"] for g in groups] == [market.id]
    # the bank's users see only their unit in the overdue list
    assert http.get(f"{BASE}/requests/overdue", params={"kind": "joint_punishment"},
                    headers=bank_headers).json() == []
    assert_problem(http.get(f"{BASE}/requests/overdue", params={"kind": "fly"},
                            headers=judge), 422, "validation_failed")
    session.expire_all()
    late_entry = session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "notice.acknowledge", AuditEntry.subject_id == late.id)).one()
    assert late_entry.detail["late"] is True


def test_notices_are_refused_for_wrong_parties_units_and_roles_without_writing(
        http, world, session):
    bank, *_ = _units_with_liaisons(session, world)
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    applicant = factories.create_party(session, world.court, name="李四")
    factories.add_party(session, case, applicant, PartyRole.APPLICANT)
    foreign_unit = factories.create_linkage_unit(session, world.other_court)
    foreign_judge = factories.create_user(session, world.other_court, R.JUDGE)
    session.commit()
    judge = world.headers(world.judge_user)
    body = {"case_id": case.id, "party_id": debtor.id, "unit_ids": [bank.id],
            "title": "联合惩戒通知"}

    problem = assert_problem(http.post(f"{BASE}/notices", json={**body, "party_id": applicant.id},
                                       headers=judge), 422, "party_not_debtor")
    assert "party_id" in problem["errors"]["json"]
    problem = assert_problem(http.post(f"{BASE}/notices", json={
        **body, "unit_ids": [bank.id, foreign_unit.id]}, headers=judge), 422, "validation_failed")
    assert list(problem["errors"]["json"]["unit_ids"]) == ["1"]
    for bad in ({"unit_ids": []}, {"unit_ids": [bank.id, bank.id]}, {"title": ""},
                {"due_at": "2020-01-01T00:00:00Z"}, {"unit_ids": ["not an id"]},
                {"due_at": (utcnow() - timedelta(hours=1)).isoformat()}):
        assert_problem(http.post(f"{BASE}/notices", json={**body, **bad}, headers=judge),
                       422, "validation_failed")
    for role in (R.GRID_ASSISTANT, R.MEDIATOR, R.DEPUTY, R.LIAISON_UNIT, R.ADMIN):
        assert_problem(http.post(f"{BASE}/notices", json=body,
                                 headers=world.headers(world.users[role])), 403, "forbidden")
    assert_problem(http.post(f"{BASE}/notices", json=body,
                             headers=world.headers(foreign_judge)), 422, "validation_failed")
    # joint punishment is never sent as a single request
    assert_problem(http.post(f"{BASE}/requests", headers=judge, json={
        "unit_id": bank.id, "case_id": case.id, "kind": "joint_punishment"}),
        422, "punishment_needs_notice")
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(PunishmentNotice)) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(LinkageRequest)) == 0

    issued = http.post(f"{BASE}/notices", json=body, headers=judge).json()
    def listed(user):
        return [n["id"] for n in http.get(f"{BASE}/notices", params={"unit_id": bank.id},
                                          headers=world.headers(user)).json()["items"]]

    assert listed(world.users[R.OFFICER]) == [issued["id"]]
    assert listed(foreign_judge) == []
    assert_problem(http.get(f"{BASE}/notices/{issued['id']}",
                            headers=world.headers(foreign_judge)),
                   404, "punishment_notice_not_found")
    assert_problem(http.post(f"{BASE}/notices/{issued['id']}/acknowledge", json={},
                             headers=judge), 403, "forbidden")
    assert_problem(http.get(f"{BASE}/notices/{issued['id']}",
                            headers=world.headers(world.assistant)), 403, "forbidden")


def test_notices_list_newest_first_in_pages_and_filter_by_case(http, world, session):
    bank, *_ = _units_with_liaisons(session, world)
    case, debtor = factories.create_debtor_case(session, world.court, world.village_a)
    other_case, other_debtor = factories.create_debtor_case(session, world.court)
    officer_user = world.users[R.OFFICER]
    older = factories.create_punishment_notice(
        session, case, debtor, officer_user, bank, created_at=utcnow() - timedelta(days=3))
    newer = factories.create_punishment_notice(session, case, debtor, officer_user, bank)
    factories.create_punishment_notice(session, other_case, other_debtor, officer_user, bank)
    session.commit()
    judge = world.headers(world.judge_user)

    first = http.get(f"{BASE}/notices", params={"case_id": case.id, "limit": 1}, headers=judge)
    assert [n["id"] for n in first.json()["items"]] == [newer.id]
    second = http.get(f"{BASE}/notices", params={"case_id": case.id, "limit": 1,
                                                 "cursor": first.json()["next_cursor"]},
                      headers=judge).json()
    assert [n["id"] for n in second["items"]] == [older.id] and second["next_cursor"] is None
    assert len(http.get(f"{BASE}/notices", headers=judge).json()["items"]) == 3
    assert_problem(http.get(f"{BASE}/notices", params={"cursor": "garbage"}, headers=judge),
                   422, "invalid_cursor")
