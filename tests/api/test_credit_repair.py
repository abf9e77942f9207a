"""Credit repair through the API: an officer applies, a judge decides, approval lifts the
measures and takes the debtor off the wanted list, on REST and on the phones' next pull."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from enforcement.credit.measures import court_today
from enforcement.models import AuditEntry, MeasureKind, Role
from tests import factories
from tests.api.helpers import assert_problem, bearer
from tests.api.test_watermelon import ids
from tests.api.test_watermelon import pull as watermelon_pull
from tests.sync.helpers import settle

V1 = "/api/v1"


@pytest.fixture
def listed(world, session):
    """A debtor in grid A, listed as dishonest and restricted from consumption."""
    case, party = factories.create_debtor_case(session, world.court, world.village_a)
    factories.impose_measure(session, party, case, world.judge_user)
    factories.impose_measure(session, party, case, world.judge_user, MeasureKind.CONSUMPTION)
    session.commit()
    return case, party


def _apply(http, world, party, case, user=None, **body):
    user = user or world.users[Role.OFFICER]
    return http.post(f"{V1}/credit-repairs", headers=world.headers(user), json={
        "party_id": party.id, "case_id": case.id, "grounds": "paid_in_full",
        "evidence_note": "2025年6月1日银行转账全部执行款", **body})


def _decide(http, world, repair_id, **body):
    return http.post(f"{V1}/credit-repairs/{repair_id}/decision",
                     headers=world.headers(world.judge_user),
                     json={"decision": "approve", "reason": "已全部履行", **body})


def _native_pull(http, tokens, cursor=None):
    """Every page of a native pull from ``cursor``: upserts, deletes and evictions by table,
    and the last cursor."""
    upserts: dict[str, set[str]] = {}
    gone: dict[str, set[str]] = {}
    more = True
    while more:
        params = {"cursor": cursor} if cursor else {}
        page = http.get(f"{V1}/sync/pull", headers=bearer(tokens), params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        for table, changes in body["changes"].items():
            upserts.setdefault(table, set()).update(r["id"] for r in changes["upserts"])
            gone.setdefault(table, set()).update(changes["deletes"])
        for table, evicted in body["evictions"].items():
            gone.setdefault(table, set()).update(evicted)
        cursor, more = body["next_cursor"], body["has_more"]
    return upserts, gone, cursor


def test_an_approved_repair_takes_the_debtor_off_the_wanted_list_on_the_next_pull(
        http, world, login, listed, engine):
    case, party = listed
    phone = login(world.assistant)
    melon = login(world.assistant)
    settle(engine)
    first, _, cursor = _native_pull(http, phone)
    assert party.id in first["wanted"]
    melon_first = watermelon_pull(http, melon)
    row = next(r for r in melon_first["changes"]["wanted"]["created"] if r["id"] == party.id)
    assert row["is_dishonest"] is True and row["consumption_restricted"] is True

    applied = _apply(http, world, party, case)
    assert applied.status_code == 201, applied.text
    assert applied.json()["measure_kinds"] == ["consumption_restriction", "dishonest"]
    approved = _decide(http, world, applied.json()["id"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["effective_on"] == court_today().isoformat()

    settle(engine)
    upserts, gone, _ = _native_pull(http, phone, cursor)
    assert party.id in gone["wanted"] and party.id not in upserts.get("wanted", set())
    rest = http.get(f"{V1}/wanted", headers=world.headers(world.assistant)).json()
    assert party.id not in {item["party"]["id"] for item in rest["items"]}
    melon_next = watermelon_pull(http, melon, melon_first["timestamp"])
    assert party.id in melon_next["changes"]["wanted"]["deleted"]
    assert party.id not in ids(melon_next["changes"], "wanted")

    judge = world.headers(world.judge_user)
    measures = http.get(f"{V1}/parties/{party.id}/measures", headers=judge).json()
    assert measures["is_dishonest"] is False and measures["consumption_restricted"] is False
    lifts = [e for e in measures["events"] if e["action"] == "lift"]
    assert {e["kind"] for e in lifts} == {"dishonest", "consumption_restriction"}
    assert all(e["repair_id"] == applied.json()["id"] for e in lifts)


def test_a_repair_for_one_case_leaves_the_debtor_wanted_for_another(http, world, listed,
                                                                    session):
    case, party = listed
    other = factories.create_case(session, world.court)
    factories.add_party(session, other, party)
    session.commit()
    repair = _apply(http, world, party, case, measure_kinds=["dishonest"]).json()
    assert _decide(http, world, repair["id"]).status_code == 200
    items = http.get(f"{V1}/wanted", headers=world.headers(world.assistant)).json()["items"]
    still = next(i for i in items if i["party"]["id"] == party.id)
    assert still["case_ids"] == [other.id]
    assert still["party"]["is_dishonest"] is False
    assert still["party"]["consumption_restricted"] is True  # not chosen: still in force


def test_phones_follow_cases_closed_or_added_in_the_case_system(http, world, login, listed,
                                                                session, engine):
    """Cases change through the court's case system too (here: straight in the database):
    the phone's wanted entry lists the open cases left, and goes when none is left."""
    case, party = listed
    other = factories.create_case(session, world.court)
    factories.add_party(session, other, party)
    session.commit()
    phone = login(world.assistant)
    settle(engine)
    _, _, cursor = _native_pull(http, phone)

    session.execute(sa.text("UPDATE enforcement_case SET status = 'closed' WHERE id = :id"),
                    {"id": case.id})
    session.commit()
    settle(engine)
    body = http.get(f"{V1}/sync/pull", headers=bearer(phone), params={"cursor": cursor}).json()
    [row] = [r for r in body["changes"]["wanted"]["upserts"] if r["id"] == party.id]
    assert row["case_ids"] == [other.id], "the closed case left the phone's entry"

    third = factories.create_case(session, world.court)
    factories.add_party(session, third, party)
    session.commit()
    settle(engine)
    body = http.get(f"{V1}/sync/pull", headers=bearer(phone),
                    params={"cursor": body["next_cursor"]}).json()
    [row] = [r for r in body["changes"]["wanted"]["upserts"] if r["id"] == party.id]
    assert sorted(row["case_ids"]) == sorted([other.id, third.id])

    session.execute(sa.text("UPDATE enforcement_case SET status = 'closed' WHERE id IN "
                            "(:a, :b)"), {"a": other.id, "b": third.id})
    session.commit()
    settle(engine)
    _, gone, _ = _native_pull(http, phone, body["next_cursor"])
    assert party.id in gone["wanted"], "no open case left: off the phone"


def test_a_rejected_repair_changes_nothing(http, world, listed):
    case, party = listed
    repair = _apply(http, world, party, case).json()
    rejected = _decide(http, world, repair["id"], decision="reject", reason="尚未履行完毕")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert_problem(_decide(http, world, repair["id"]), 409, "repair_decided")
    items = http.get(f"{V1}/wanted", headers=world.headers(world.assistant)).json()["items"]
    assert items[0]["party"]["is_dishonest"] is True
    certificate = http.get(f"{V1}/credit-repairs/{repair['id']}/certificate.pdf",
                           headers=world.headers(world.judge_user))
    assert_problem(certificate, 409, "repair_not_approved")
    assert _apply(http, world, party, case).status_code == 201  # may apply again


def test_the_certificate_is_a_chinese_pdf_naming_the_debtor_and_measures(
        http, world, listed, session):
    case, party = listed
    repair = _apply(http, world, party, case).json()
    effective = (court_today() - timedelta(days=2)).isoformat()
    assert _decide(http, world, repair["id"], effective_on=effective).status_code == 200
    response = http.get(f"{V1}/credit-repairs/{repair['id']}/certificate.pdf",
                        headers=world.headers(world.users[Role.OFFICER]))
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in ("信用修复证明", party.name, case.case_number, "失信被执行人", "限制消费"):
        assert expected in text.replace("\n", ""), expected
    audited = session.scalars(sa.select(AuditEntry.detail).where(
        AuditEntry.court_id == world.court.id, AuditEntry.action == "party.read_unmasked",
        AuditEntry.subject_id == party.id)).all()
    assert any(d.get("via") == "credit_certificate" for d in audited)


def test_application_rules(http, world, listed, session):
    case, party = listed
    _, clean = factories.create_debtor_case(session, world.court, world.village_a)
    session.commit()
    assert_problem(_apply(http, world, clean, case), 422, "party_not_debtor_of_case")
    assert_problem(_apply(http, world, party, case, measure_kinds=["exit_restriction"]),
                   422, "measure_not_in_force")
    first = _apply(http, world, party, case)
    assert first.status_code == 201
    assert_problem(_apply(http, world, party, case), 409, "repair_pending")
    tomorrow = (court_today() + timedelta(days=1)).isoformat()
    assert_problem(_decide(http, world, first.json()["id"], effective_on=tomorrow),
                   422, "date_in_future")
    too_early = (court_today() - timedelta(days=365)).isoformat()
    assert_problem(_decide(http, world, first.json()["id"], effective_on=too_early),
                   422, "lifted_before_imposed")
    # Refused decisions wrote nothing: the application is still pending, nothing lifted.
    judge = world.headers(world.judge_user)
    assert http.get(f"{V1}/credit-repairs/{first.json()['id']}",
                    headers=judge).json()["status"] == "pending"
    assert http.get(f"{V1}/parties/{party.id}/measures", headers=judge).json()["is_dishonest"]


def test_no_measure_in_force_means_nothing_to_repair(http, world, session):
    case, party = factories.create_debtor_case(session, world.court, world.village_a)
    session.commit()
    assert_problem(_apply(http, world, party, case), 409, "no_measures_in_force")


def test_lists_filter_and_page(http, world, listed, session):
    case, party = listed
    case_b, party_b = factories.create_debtor_case(session, world.court, world.village_b)
    factories.impose_measure(session, party_b, case_b, world.judge_user)
    session.commit()
    a = _apply(http, world, party, case).json()
    b = _apply(http, world, party_b, case_b).json()
    assert _decide(http, world, b["id"]).status_code == 200
    officer = world.headers(world.users[Role.OFFICER])
    page = http.get(f"{V1}/credit-repairs", headers=officer, params={"limit": 1}).json()
    assert [r["id"] for r in page["items"]] == [b["id"]] and page["next_cursor"]
    rest = http.get(f"{V1}/credit-repairs", headers=officer,
                    params={"limit": 1, "cursor": page["next_cursor"]}).json()
    assert [r["id"] for r in rest["items"]] == [a["id"]] and rest["next_cursor"] is None
    pending = http.get(f"{V1}/credit-repairs", headers=officer,
                       params={"status": "pending"}).json()["items"]
    assert [r["id"] for r in pending] == [a["id"]]
    mine = http.get(f"{V1}/credit-repairs", headers=officer,
                    params={"party_id": party_b.id}).json()["items"]
    assert [r["id"] for r in mine] == [b["id"]]
    assert_problem(http.get(f"{V1}/credit-repairs", headers=officer,
                            params={"status": "maybe"}), 422, "validation_failed")


def test_access_by_role_and_court(http, world, listed, session):
    case, party = listed
    other_judge = factories.create_user(session, world.other_court, Role.JUDGE)
    other_officer = factories.create_user(session, world.other_court, Role.OFFICER)
    session.commit()
    repair = _apply(http, world, party, case).json()
    # An officer enters applications but does not decide them.
    refused = http.post(f"{V1}/credit-repairs/{repair['id']}/decision",
                        headers=world.headers(world.users[Role.OFFICER]),
                        json={"decision": "approve", "reason": "x"})
    assert_problem(refused, 403, "forbidden")
    for role in (Role.GRID_ASSISTANT, Role.MEDIATOR, Role.DEPUTY, Role.LIAISON_UNIT,
                 Role.ADMIN):
        headers = world.headers(world.users[role])
        assert_problem(http.get(f"{V1}/credit-repairs", headers=headers), 403, "forbidden")
        assert_problem(_apply(http, world, party, case, user=world.users[role]),
                       403, "forbidden")
    # Another court: the application, and the debtor, do not exist there.
    for user in (other_judge, other_officer):
        assert_problem(http.get(f"{V1}/credit-repairs/{repair['id']}",
                                headers=world.headers(user)), 404, "repair_not_found")
        assert http.get(f"{V1}/credit-repairs", headers=world.headers(user)).json()[
            "items"] == []
        assert_problem(http.get(f"{V1}/credit-repairs/{repair['id']}/certificate.pdf",
                                headers=world.headers(user)), 404, "repair_not_found")
    foreign = _apply(http, world, party, case, user=other_officer)
    assert foreign.status_code == 422 and "party_id" in foreign.json()["errors"]["json"]
    assert_problem(http.post(f"{V1}/credit-repairs/{repair['id']}/decision",
                             headers=world.headers(other_judge),
                             json={"decision": "approve", "reason": "x"}),
                   404, "repair_not_found")
