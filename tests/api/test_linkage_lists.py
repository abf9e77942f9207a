"""Red, white and black lists of linkage units and persons, over HTTP (Luojiang report)."""

from __future__ import annotations

import sqlalchemy as sa

from enforcement.models import AuditEntry, LinkageListEntry, Role
from tests import factories
from tests.api.helpers import assert_problem

R = Role
BASE = "/api/v1/linkage"


def test_a_judge_lists_a_unit_and_the_colour_shows_where_units_are_chosen(http, world, session):
    unit = factories.create_linkage_unit(session, world.court)
    liaison = world.users[R.LIAISON_UNIT]
    liaison.linkage_unit_id = unit.id
    case, _ = factories.create_debtor_case(session, world.court)
    session.commit()
    judge, officer = world.headers(world.judge_user), world.headers(world.users[R.OFFICER])

    black = http.post(f"{BASE}/lists", headers=judge, json={
        "unit_id": unit.id, "colour": "black", "reason": "三次拒不协助查询车辆",
        "effective_on": "2026-11-01"})
    assert black.status_code == 201, black.text
    assert black.json()["ended_at"] is None and black.json()["set_by"] == world.judge_user.id

    shown = http.get(f"{BASE}/units/{unit.id}", headers=officer).json()
    assert (shown["list_colour"], shown["list_reason"], shown["list_since"]) == (
        "black", "三次拒不协助查询车辆", "2026-11-01")
    assert http.get(f"{BASE}/units", headers=judge).json()[0]["list_colour"] == "black"
    sent = http.post(f"{BASE}/requests", headers=officer, json={
        "unit_id": unit.id, "case_id": case.id, "kind": "find_person"})
    assert sent.status_code == 201, sent.text
    assert sent.json()["unit_blacklisted"] is True
    assert sent.json()["unit_list_colour"] == "black"

    # liaison users never see the lists, not even their own unit's colour
    own = http.get(f"{BASE}/units/{unit.id}", headers=world.headers(liaison)).json()
    assert own["list_colour"] is None and own["list_reason"] is None
    assert_problem(http.get(f"{BASE}/lists", headers=world.headers(liaison)), 403, "forbidden")
    assert_problem(http.post(f"{BASE}/lists", headers=officer, json={
        "unit_id": unit.id, "colour": "red", "reason": "配合"}), 403, "forbidden")

    red = http.post(f"{BASE}/lists", headers=judge, json={
        "unit_id": unit.id, "colour": "red", "reason": "整改后积极配合"})
    assert red.status_code == 201
    current = http.get(f"{BASE}/lists", params={"unit_id": unit.id}, headers=officer).json()
    assert [e["colour"] for e in current["items"]] == ["red"]
    history = http.get(f"{BASE}/lists", params={"unit_id": unit.id, "current": "false"},
                       headers=officer).json()["items"]
    assert [(e["colour"], e["ended_at"] is None) for e in history] == [
        ("red", True), ("black", False)]
    again = http.post(f"{BASE}/requests", headers=officer, json={
        "unit_id": unit.id, "case_id": case.id, "kind": "find_person"}).json()
    assert again["unit_blacklisted"] is False and again["unit_list_colour"] == "red"

    session.expire_all()
    entries = list(session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "linkage_list.set", AuditEntry.court_id == world.court.id)
        .order_by(AuditEntry.seq)))
    assert [(e.detail["colour"], e.detail["previous"]) for e in entries] == [
        ("black", None), ("red", "black")]


def test_persons_are_listed_too_and_filtered_by_colour(http, world, session):
    obstructive = factories.create_party(session, world.court, name="王五")
    helpful = factories.create_party(session, world.court, name="赵六")
    unit = factories.create_linkage_unit(session, world.court)
    session.commit()
    judge = world.headers(world.judge_user)
    created = {}
    for key, colour in (({"party_id": obstructive.id}, "black"),
                        ({"party_id": helpful.id}, "red"), ({"unit_id": unit.id}, "white")):
        entry = http.post(f"{BASE}/lists", headers=judge,
                          json={**key, "colour": colour, "reason": "见执行笔录"})
        assert entry.status_code == 201, entry.text
        created[colour] = entry.json()["id"]

    black = http.get(f"{BASE}/lists", params={"colour": "black"}, headers=judge).json()
    assert [e["party_id"] for e in black["items"]] == [obstructive.id]
    both = http.get(f"{BASE}/lists", params={"colour": ["red", "white"], "limit": 1},
                    headers=judge).json()
    assert len(both["items"]) == 1 and both["next_cursor"]
    rest = http.get(f"{BASE}/lists", params={"colour": ["red", "white"], "limit": 1,
                                             "cursor": both["next_cursor"]},
                    headers=judge).json()
    assert [both["items"][0]["id"], rest["items"][0]["id"]] == [created["white"],
                                                                created["red"]]
    assert rest["next_cursor"] is None


def test_bad_list_entries_are_refused_and_other_courts_lists_stay_apart(http, world, session):
    unit = factories.create_linkage_unit(session, world.court)
    party = factories.create_party(session, world.court)
    foreign_unit = factories.create_linkage_unit(session, world.other_court)
    foreign_judge = factories.create_user(session, world.other_court, R.JUDGE)
    factories.create_list_entry(session, foreign_judge, unit=foreign_unit)
    session.commit()
    judge = world.headers(world.judge_user)
    good = {"unit_id": unit.id, "colour": "black", "reason": "拒不协助"}
    for bad in ({"party_id": party.id}, {"unit_id": None}, {"colour": "grey"},
                {"reason": ""}, {"unit_id": foreign_unit.id}, {"effective_on": "1899-01-01"},
                {"unit_id": "x" * 37}):
        assert_problem(http.post(f"{BASE}/lists", json={**good, **bad}, headers=judge),
                       422, "validation_failed")
    for role in (R.GRID_ASSISTANT, R.MEDIATOR, R.OFFICER, R.DEPUTY, R.LIAISON_UNIT, R.ADMIN):
        assert_problem(http.post(f"{BASE}/lists", json=good,
                                 headers=world.headers(world.users[role])), 403, "forbidden")
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(LinkageListEntry).where(
        LinkageListEntry.court_id == world.court.id)) == 0

    assert http.get(f"{BASE}/lists", headers=judge).json()["items"] == []
    assert http.get(f"{BASE}/lists", params={"unit_id": foreign_unit.id},
                    headers=judge).json()["items"] == []
    # the admin manages units but does not read the lists
    admin_view = http.get(f"{BASE}/units", headers=world.headers(world.users[R.ADMIN])).json()
    assert all(u["list_colour"] is None for u in admin_view)
