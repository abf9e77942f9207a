"""Measures on debtors through the API: judges impose, amend and lift; officers read;
every change is an event and an audit entry; the wanted list shows the flags."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from enforcement.credit.measures import court_today
from enforcement.models import AuditEntry, MeasureEvent, Role
from tests import factories
from tests.api.helpers import assert_problem

V1 = "/api/v1"


def _impose(http, world, party, case, **body):
    return http.post(f"{V1}/parties/{party.id}/measures", headers=world.headers(
        world.judge_user), json={"kind": "consumption_restriction", "case_id": case.id,
                                 "imposed_on": "2025-03-01",
                                 "decision_number": "(2025)甘1025执55号之一",
                                 "decision_text": "限制被执行人高消费及非生活必需的消费行为。",
                                 **body})


@pytest.fixture
def debtor(world, session):
    case, party = factories.create_debtor_case(session, world.court, world.village_a)
    session.commit()
    return case, party


def test_a_judge_imposes_and_the_wanted_list_shows_the_flag_not_the_decision(
        http, world, debtor, session):
    case, party = debtor
    made = _impose(http, world, party, case)
    assert made.status_code == 201, made.text
    assert made.json()["in_force"] is True and made.headers["ETag"] == '"1"'

    wanted = http.get(f"{V1}/wanted", headers=world.headers(world.assistant)).json()["items"]
    shown = wanted[0]["party"]
    assert shown["consumption_restricted"] is True
    assert shown["consumption_restricted_since"] == "2025-03-01"
    assert shown["is_dishonest"] is False and shown["exit_restricted"] is False
    assert "高消费" not in str(wanted) and "之一" not in str(wanted)

    officer = world.headers(world.users[Role.OFFICER])
    read = http.get(f"{V1}/parties/{party.id}/measures", headers=officer).json()
    assert read["consumption_restricted"] is True
    assert [m["decision_number"] for m in read["measures"]] == ["(2025)甘1025执55号之一"]
    assert [(e["action"], e["effective_on"]) for e in read["events"]] == [
        ("impose", "2025-03-01")]
    audited = session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.court_id == world.court.id, AuditEntry.subject_id == made.json()["id"]))
    assert list(audited) == ["measure.impose"]


def test_a_second_measure_of_a_kind_in_force_is_refused(http, world, debtor):
    case, party = debtor
    assert _impose(http, world, party, case).status_code == 201
    assert_problem(_impose(http, world, party, case), 409, "measure_in_force")
    assert _impose(http, world, party, case, kind="exit_restriction").status_code == 201


def test_lifting_clears_the_flag_and_keeps_the_history(http, world, debtor):
    case, party = debtor
    measure = _impose(http, world, party, case, kind="dishonest").json()
    judge = world.headers(world.judge_user)
    lift = f"{V1}/parties/{party.id}/measures/{measure['id']}/lift"
    early = http.post(lift, headers=judge, json={"lifted_on": "2025-02-01", "reason": "履行"})
    assert_problem(early, 422, "lifted_before_imposed")
    tomorrow = (court_today() + timedelta(days=1)).isoformat()
    assert_problem(http.post(lift, headers=judge, json={"lifted_on": tomorrow,
                                                         "reason": "履行"}),
                   422, "date_in_future")
    done = http.post(lift, headers=judge, json={"lifted_on": "2025-06-01",
                                                 "reason": "已全部履行"})
    assert done.status_code == 200, done.text
    assert done.json()["in_force"] is False and done.json()["lift_reason"] == "已全部履行"
    assert_problem(http.post(lift, headers=judge, json={"lifted_on": "2025-06-01",
                                                         "reason": "again"}),
                   409, "measure_lifted")
    read = http.get(f"{V1}/parties/{party.id}/measures", headers=judge).json()
    assert read["is_dishonest"] is False
    assert [e["action"] for e in read["events"]] == ["impose", "lift"]
    shown = http.get(f"{V1}/wanted", headers=world.headers(world.assistant)).json()
    assert shown["items"][0]["party"]["is_dishonest"] is False
    assert shown["items"][0]["party"]["dishonest_since"] is None
    # Once lifted, a new listing may be imposed again.
    assert _impose(http, world, party, case, kind="dishonest").status_code == 201


def test_amending_needs_the_etag_and_records_old_and_new(http, world, debtor):
    case, party = debtor
    made = _impose(http, world, party, case)
    url = f"{V1}/parties/{party.id}/measures/{made.json()['id']}"
    judge = world.headers(world.judge_user)
    body = {"decision_number": "(2025)甘1025执55号之二", "imposed_on": "2025-03-02"}
    assert_problem(http.patch(url, headers=judge, json=body), 428, "precondition_required")
    assert_problem(http.patch(url, headers={**judge, "If-Match": '"7"'}, json=body),
                   412, "precondition_failed")
    amended = http.patch(url, headers={**judge, "If-Match": made.headers["ETag"]}, json=body)
    assert amended.status_code == 200, amended.text
    assert amended.json()["decision_number"] == "(2025)甘1025执55号之二"
    events = http.get(f"{V1}/parties/{party.id}/measures", headers=judge).json()["events"]
    assert events[-1]["action"] == "amend"
    assert events[-1]["changes"]["imposed_on"] == ["2025-03-01", "2025-03-02"]
    shown = http.get(f"{V1}/wanted", headers=world.headers(world.assistant)).json()
    assert shown["items"][0]["party"]["consumption_restricted_since"] == "2025-03-02"
    assert_problem(http.patch(url, headers={**judge, "If-Match": amended.headers["ETag"]},
                              json={}), 422, "validation_failed")


def test_who_may_impose_read_and_lift(http, world, debtor, session):
    case, party = debtor
    other_case, other_party = factories.create_debtor_case(session, world.other_court)
    other_judge = factories.create_user(session, world.other_court, Role.JUDGE)
    session.commit()
    for role in (Role.OFFICER, Role.GRID_ASSISTANT, Role.MEDIATOR, Role.DEPUTY, Role.ADMIN):
        refused = http.post(f"{V1}/parties/{party.id}/measures",
                            headers=world.headers(world.users[role]), json={
                                "kind": "dishonest", "case_id": case.id,
                                "imposed_on": "2025-01-01", "decision_number": "x"})
        assert_problem(refused, 403, "forbidden")
    for role in (Role.GRID_ASSISTANT, Role.DEPUTY, Role.LIAISON_UNIT):
        assert_problem(http.get(f"{V1}/parties/{party.id}/measures",
                                headers=world.headers(world.users[role])), 403, "forbidden")
    # Another court's judge: the party does not exist for them.
    assert_problem(http.get(f"{V1}/parties/{party.id}/measures",
                            headers=world.headers(other_judge)), 404, "party_not_found")
    assert_problem(_impose(http, world, other_party, other_case), 404, "party_not_found")
    # A case of another debtor, or of another court, is not a ground for a measure.
    assert_problem(_impose(http, world, party, other_case), 422, "party_not_debtor_of_case")
    assert session.scalar(sa.select(sa.func.count()).select_from(MeasureEvent)) == 0


@pytest.mark.parametrize("body", [
    {"kind": "banished"}, {"imposed_on": "1999-12-31"}, {"decision_number": ""},
    {"case_id": "not an id"}, {"imposed_on": (date.today() + timedelta(days=3)).isoformat()},
])
def test_bad_input_is_a_problem_and_writes_nothing(http, world, debtor, session, body):
    case, party = debtor
    response = _impose(http, world, party, case, **body)
    assert response.status_code == 422, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    read = http.get(f"{V1}/parties/{party.id}/measures",
                    headers=world.headers(world.judge_user)).json()
    assert read["measures"] == [] and read["events"] == []


def test_events_are_append_only(http, world, debtor, engine):
    case, party = debtor
    assert _impose(http, world, party, case).status_code == 201
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError, match="append-only"):
        conn.execute(sa.text("UPDATE party_measure_event SET reason = 'forged'"))
