"""Supervision by deputies over HTTP: the node catalogue, node events and the deputy's
inbox, witnessing, evaluation forms, opinion cards and their answers, follows."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from enforcement.models import AuditEntry, Role, utcnow
from enforcement.supervision.catalogue import STANDARD_NODES
from tests import factories
from tests.api.helpers import assert_problem

R = Role
BASE = "/api/v1/supervision"


def _audit_actions(session, court_id):
    session.expire_all()
    return list(session.scalars(sa.select(AuditEntry.action)
                                .where(AuditEntry.court_id == court_id).order_by(AuditEntry.seq)))


def test_a_court_loads_the_23_standard_nodes_once_and_edits_its_catalogue(http, world,
                                                                          session):
    judge = world.headers(world.judge_user)
    added = http.post(f"{BASE}/nodes/standard", headers=judge)
    assert added.status_code == 200
    assert [n["code"] for n in added.json()] == [code for code, *_ in STANDARD_NODES]
    assert {n["name_zh"] for n in added.json()} >= {"拍卖", "案款分配", "查封"}
    assert http.post(f"{BASE}/nodes/standard", headers=judge).json() == []

    created = http.post(f"{BASE}/nodes", json={"code": "site_visit", "name_zh": "现场勘验",
                                               "name_en": "Site inspection"}, headers=judge)
    assert created.status_code == 201
    node = created.json()
    assert node["seq"] == 24 and node["witnessable"] is True
    assert_problem(http.post(f"{BASE}/nodes", json={"code": "site_visit", "name_zh": "x",
                                                    "name_en": "x"}, headers=judge),
                   409, "node_code_exists")

    url = f"{BASE}/nodes/{node['id']}"
    assert_problem(http.patch(url, json={"name_zh": "现场勘查"}, headers=judge),
                   428, "precondition_required")
    renamed = http.patch(url, json={"name_zh": "现场勘查"},
                         headers={**judge, "If-Match": created.headers["ETag"]})
    assert renamed.status_code == 200 and renamed.json()["name_zh"] == "现场勘查"
    assert_problem(http.patch(url, json={"active": False},
                              headers={**judge, "If-Match": created.headers["ETag"]}),
                   412, "precondition_failed")
    retired = http.patch(url, json={"active": False},
                         headers={**judge, "If-Match": renamed.headers["ETag"]})
    assert retired.json()["active"] is False
    listed = http.get(f"{BASE}/nodes", headers=judge).json()
    assert len(listed) == 23 and node["id"] not in {n["id"] for n in listed}
    everything = http.get(f"{BASE}/nodes", params={"include_retired": "true"}, headers=judge)
    assert len(everything.json()) == 24

    assert http.delete(url, headers=judge).status_code == 204
    assert http.delete(url, headers=judge).status_code == 404
    assert _audit_actions(session, world.court.id).count("node.update") == 2


def test_a_node_in_use_is_retired_not_deleted(http, world, session):
    case = factories.create_case(session, world.court)
    node = factories.create_node(session, world.court)
    factories.create_node_event(session, case, node, world.users[R.OFFICER])
    session.commit()
    judge = world.headers(world.judge_user)
    assert_problem(http.delete(f"{BASE}/nodes/{node.id}", headers=judge), 409, "node_in_use")
    officer = world.headers(world.users[R.OFFICER])
    assert_problem(http.delete(f"{BASE}/nodes/{node.id}", headers=officer), 403, "forbidden")
    stranger_judge = factories.create_user(session, world.other_court, R.JUDGE)
    session.commit()
    assert_problem(http.delete(f"{BASE}/nodes/{node.id}",
                               headers=world.headers(stranger_judge)), 404, "node_not_found")


def _following(session, world):
    """A case with a judge, followed by the world's deputy, and two nodes."""
    case = factories.create_case(session, world.court, judge_id=world.judge_user.id)
    factories.follow_case(session, world.users[R.DEPUTY], case)
    auction = factories.create_node(session, world.court, name_zh="拍卖", seq=1)
    online = factories.create_node(session, world.court, name_zh="网络查控", seq=2,
                                   witnessable=False)
    return case, auction, online


def test_officers_record_node_events_that_reach_the_deputys_inbox(http, world, session):
    case, auction, online = _following(session, world)
    elsewhere = factories.create_case(session, world.court)
    session.commit()
    officer = world.headers(world.users[R.OFFICER])
    tomorrow = (utcnow() + timedelta(days=1)).isoformat()
    recorded = [http.post(f"{BASE}/node-events", headers=officer, json={
        "case_id": c.id, "node_id": n.id, "occurs_at": tomorrow, "place": "东关村三组",
        "note": "拍卖现场"}) for c, n in ((case, auction), (case, online), (elsewhere, auction))]
    assert [r.status_code for r in recorded] == [201, 201, 201]
    assert recorded[0].json()["node"]["name_zh"] == "拍卖"

    deputy = world.headers(world.users[R.DEPUTY])
    inbox = http.get(f"{BASE}/inbox", headers=deputy).json()["items"]
    assert [i["event"]["id"] for i in inbox] == [recorded[0].json()["id"]]
    assert inbox[0] | {"event": None} == {"event": None, "read": False, "witnessed": False,
                                          "upcoming": True}
    events = http.get(f"{BASE}/node-events", headers=deputy).json()["items"]
    assert {e["id"] for e in events} == {recorded[0].json()["id"], recorded[1].json()["id"]}

    event_id = recorded[0].json()["id"]
    assert http.post(f"{BASE}/inbox/{event_id}/read", headers=deputy).status_code == 204
    assert http.post(f"{BASE}/inbox/{event_id}/read", headers=deputy).status_code == 204
    assert http.get(f"{BASE}/inbox", params={"unread": "true"},
                    headers=deputy).json()["items"] == []
    assert http.get(f"{BASE}/inbox", headers=deputy).json()["items"][0]["read"] is True
    assert_problem(http.get(f"{BASE}/node-events/{recorded[2].json()['id']}", headers=deputy),
                   404, "node_event_not_found")


def test_a_retired_or_foreign_node_cannot_be_recorded(http, world, session):
    case, auction, _ = _following(session, world)
    auction.active = False
    foreign = factories.create_node(session, world.other_court)
    session.commit()
    officer = world.headers(world.users[R.OFFICER])
    body = {"case_id": case.id, "occurs_at": utcnow().isoformat()}
    assert_problem(http.post(f"{BASE}/node-events", json={**body, "node_id": auction.id},
                             headers=officer), 422, "node_retired")
    problem = assert_problem(http.post(f"{BASE}/node-events", headers=officer,
                                       json={**body, "node_id": foreign.id}),
                             422, "validation_failed")
    assert "node_id" in problem["errors"]["json"]


def test_a_deputy_witnesses_a_node_once_after_it_starts(http, world, session):
    case, auction, online = _following(session, world)
    officer = world.users[R.OFFICER]
    past = factories.create_node_event(session, case, auction, officer)
    coming = factories.create_node_event(session, case, auction, officer,
                                         occurs_at=utcnow() + timedelta(days=2))
    not_witnessable = factories.create_node_event(session, case, online, officer)
    session.commit()
    deputy = world.headers(world.users[R.DEPUTY])
    url = f"{BASE}/node-events/{{}}/witness"
    first = http.post(url.format(past.id), json={"note": "现场秩序良好"}, headers=deputy)
    assert first.status_code == 201, first.text
    assert_problem(http.post(url.format(past.id), json={}, headers=deputy),
                   409, "already_witnessed")
    assert_problem(http.post(url.format(coming.id), json={}, headers=deputy),
                   409, "node_event_upcoming")
    assert_problem(http.post(url.format(not_witnessable.id), json={}, headers=deputy),
                   409, "node_not_witnessable")
    item = next(i for i in http.get(f"{BASE}/inbox", headers=deputy).json()["items"]
                if i["event"]["id"] == past.id)
    assert item["witnessed"] is True and item["read"] is True
    judge = world.headers(world.judge_user)
    assert http.get(f"{BASE}/node-events/{past.id}", headers=judge).json()["witness_count"] == 1
    assert_problem(http.post(url.format(past.id), json={}, headers=judge), 403, "forbidden")
    assert "node_event.witness" in _audit_actions(session, world.court.id)


def test_the_court_assigns_and_ends_follows_and_the_case_appears_and_disappears(
        http, world, session):
    case = factories.create_case(session, world.court)
    deputy_user = world.users[R.DEPUTY]
    session.commit()
    judge, deputy = world.headers(world.judge_user), world.headers(deputy_user)
    assert http.get(f"/api/v1/cases/{case.id}", headers=deputy).status_code == 404
    follow = http.post(f"{BASE}/follows", json={"deputy_id": deputy_user.id,
                                                "case_id": case.id}, headers=judge)
    assert follow.status_code == 201
    assert_problem(http.post(f"{BASE}/follows", json={"deputy_id": deputy_user.id,
                                                      "case_id": case.id}, headers=judge),
                   409, "already_following")
    assert_problem(http.post(f"{BASE}/follows", json={"deputy_id": world.assistant.id,
                                                      "case_id": case.id}, headers=judge),
                   422, "not_a_deputy")
    assert http.get(f"/api/v1/cases/{case.id}", headers=deputy).status_code == 200
    mine = http.get(f"{BASE}/follows", headers=deputy).json()["items"]
    assert [f["case_id"] for f in mine] == [case.id]

    ended = http.post(f"{BASE}/follows/{follow.json()['id']}/end", headers=judge)
    assert ended.status_code == 200 and ended.json()["ended_at"]
    assert_problem(http.post(f"{BASE}/follows/{follow.json()['id']}/end", headers=judge),
                   409, "follow_ended")
    assert http.get(f"/api/v1/cases/{case.id}", headers=deputy).status_code == 404
    assert http.get(f"{BASE}/follows", params={"active": "true"},
                    headers=deputy).json()["items"] == []
    actions = _audit_actions(session, world.court.id)
    assert "follow.start" in actions and "follow.end" in actions


def test_a_deputy_files_an_evaluation_form_on_a_witnessed_node(http, world, session):
    case, auction, _ = _following(session, world)
    officer = world.users[R.OFFICER]
    seen = factories.create_node_event(session, case, auction, officer)
    factories.witness_event(session, world.users[R.DEPUTY], seen)
    unseen = factories.create_node_event(session, case, auction, officer)
    other_case = factories.create_case(session, world.court)
    session.commit()
    deputy = world.headers(world.users[R.DEPUTY])
    scores = {"procedure": 5, "conduct": 4, "efficiency": 3, "openness": 5}
    body = {"case_id": case.id, "scores": scores, "overall": 4, "comments": "文明执法"}
    filed = http.post(f"{BASE}/evaluations", json={**body, "node_event_id": seen.id},
                      headers=deputy)
    assert filed.status_code == 201, filed.text
    assert filed.json() | {"id": None, "created_at": None, "deputy_id": None,
                           "witnessed_at": None} == {
        "id": None, "case_id": case.id, "deputy_id": None, "node_event_id": seen.id,
        "node_id": auction.id, "witnessed_at": None, "scores": scores, "overall": 4,
        "comments": "文明执法", "created_at": None}
    assert_problem(http.post(f"{BASE}/evaluations", json={**body, "node_event_id": unseen.id},
                             headers=deputy), 422, "node_event_not_witnessed")
    bad = assert_problem(http.post(f"{BASE}/evaluations", headers=deputy,
                                   json={**body, "scores": {**scores, "conduct": 6}}),
                         422, "validation_failed")
    assert "scores" in bad["errors"]["json"]
    assert_problem(http.post(f"{BASE}/evaluations", json={**body, "case_id": other_case.id},
                             headers=deputy), 404, "case_not_found")
    judge = world.headers(world.judge_user)
    assert len(http.get(f"{BASE}/evaluations", headers=judge).json()["items"]) == 1


def test_an_opinion_card_goes_to_the_cases_judge_who_answers_it_once(http, world, session):
    case, _, _ = _following(session, world)
    other_judge = factories.create_user(session, world.court, R.JUDGE)
    no_judge = factories.create_case(session, world.court)
    factories.follow_case(session, world.users[R.DEPUTY], no_judge)
    session.commit()
    deputy = world.headers(world.users[R.DEPUTY])
    sent = http.post(f"{BASE}/opinions", json={"case_id": case.id, "opinion": "建议尽快拍卖"},
                     headers=deputy)
    assert sent.status_code == 201
    card = sent.json()
    assert card["judge_id"] == world.judge_user.id and card["overdue"] is False
    due = datetime.fromisoformat(card["due_at"]) - datetime.fromisoformat(card["created_at"])
    assert due == timedelta(days=10)
    assert_problem(http.post(f"{BASE}/opinions", json={"case_id": no_judge.id, "opinion": "x"},
                             headers=deputy), 409, "case_has_no_judge")

    url = f"{BASE}/opinions/{card['id']}/reply"
    assert_problem(http.post(url, json={"reply": "好"}, headers=world.headers(other_judge)),
                   403, "not_responsible_judge")
    answered = http.post(url, json={"reply": "已落实"}, headers=world.headers(world.judge_user))
    assert answered.status_code == 200
    assert answered.json()["reply"] == "已落实"
    assert answered.json()["replied_by"] == world.judge_user.id
    assert_problem(http.post(url, json={"reply": "再答"}, headers=world.headers(world.judge_user)),
                   409, "opinion_already_answered")
    assert_problem(http.post(url, json={"reply": "x"}, headers=deputy), 403, "forbidden")
    seen = http.get(f"{BASE}/opinions/{card['id']}", headers=deputy).json()
    assert seen["reply"] == "已落实"


def test_overdue_opinions_are_the_unanswered_past_due(http, world, session):
    case, _, _ = _following(session, world)
    deputy_user = world.users[R.DEPUTY]
    past = utcnow() - timedelta(days=1)
    overdue = factories.create_opinion(session, deputy_user, case, due_at=past)
    factories.create_opinion(session, deputy_user, case)  # not yet due
    factories.create_opinion(session, deputy_user, case, due_at=past, reply="已答复",
                             replied_by=world.judge_user.id, replied_at=past)
    elsewhere = factories.create_case(session, world.other_court)
    other_deputy = factories.create_user(session, world.other_court, R.DEPUTY)
    factories.create_opinion(session, other_deputy, elsewhere, due_at=past)
    session.commit()
    for user in (world.judge_user, deputy_user):
        listed = http.get(f"{BASE}/opinions/overdue", headers=world.headers(user)).json()
        assert [c["id"] for c in listed["items"]] == [overdue.id]
        assert listed["items"][0]["overdue"] is True
    unanswered = http.get(f"{BASE}/opinions", params={"answered": "false"},
                          headers=world.headers(world.judge_user)).json()["items"]
    assert len(unanswered) == 2


def test_the_court_sets_how_many_days_judges_have_to_answer(make_app, world, session):
    case, _, _ = _following(session, world)
    session.commit()
    client = make_app(OPINION_ANSWER_DAYS=3).test_client()
    token = client.post("/api/v1/auth/login", json={
        "username": world.users[R.DEPUTY].username, "password": factories.PASSWORD,
        "device_id": "deputy-phone-3d"}).get_json()["access_token"]
    card = client.post(f"{BASE}/opinions", json={"case_id": case.id, "opinion": "请尽快答复"},
                       headers={"Authorization": f"Bearer {token}"}).get_json()
    due = datetime.fromisoformat(card["due_at"]) - datetime.fromisoformat(card["created_at"])
    assert due == timedelta(days=3)
