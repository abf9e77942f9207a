"""The published supervision figures, checked against counts made here in Python from
the facts the test itself wrote (not the same query twice)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from enforcement.models import CaseFollow, Role
from tests import factories

CHINA = timezone(timedelta(hours=8))
YEAR = 2025


def _moment(rng: random.Random) -> datetime:
    """A time from mid-2024 to mid-2026, with a few right on the China new-year edge."""
    if rng.random() < 0.15:
        edge = datetime(YEAR + rng.choice((0, 1)), 1, 1, tzinfo=CHINA)
        return edge + timedelta(minutes=rng.choice((-30, 30)))
    return datetime(2024, 7, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 24 * 730))


def _local_day(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def _in_year(moment: datetime) -> bool:
    return _local_day(moment).year == YEAR


def test_the_summary_matches_an_independent_count(http, world, session):
    rng = random.Random(20250)
    court = world.court
    officer, judge = world.users[Role.OFFICER], world.judge_user
    deputies = [factories.create_user(session, court, Role.DEPUTY) for _ in range(5)]
    node = factories.create_node(session, court)
    cases = [factories.create_case(session, court, judge_id=judge.id) for _ in range(6)]

    follows: list[tuple[str, date, date | None]] = []
    for case in cases[:4]:
        for deputy in rng.sample(deputies, 2):
            start = _moment(rng)
            end = start + timedelta(days=rng.randrange(20, 300)) if rng.random() < 0.5 else None
            session.add(CaseFollow(court_id=court.id, deputy_id=deputy.id, case_id=case.id,
                                   started_at=start, ended_at=end))
            follows.append((case.id, _local_day(start), _local_day(end) if end else None))

    def followed_on(case_id: str, day: date) -> bool:
        return any(c == case_id and s <= day and (e is None or day <= e)
                   for c, s, e in follows)

    active: set[str] = set()
    witnessed = 0
    for _ in range(25):
        deputy, case = rng.choice(deputies), rng.choice(cases)
        at = _moment(rng)
        event = factories.create_node_event(session, case, node, officer, occurs_at=at)
        factories.witness_event(session, deputy, event, witnessed_at=at)
        if _in_year(at):
            witnessed += 1
            active.add(deputy.id)
    cards = {"evaluation": 0, "opinion": 0, "answered": 0}
    for _ in range(12):
        deputy, case, at = rng.choice(deputies), rng.choice(cases), _moment(rng)
        kind = rng.choice(("evaluation", "opinion"))
        answered = kind == "opinion" and rng.random() < 0.5
        factories.create_opinion(
            session, deputy, case, kind=kind, created_at=at, due_at=at + timedelta(days=10),
            rating=4 if kind == "evaluation" else None,
            **({"reply": "已落实", "replied_by": judge.id,
                "replied_at": at + timedelta(days=1)} if answered else {}))
        if _in_year(at):
            active.add(deputy.id)
            cards[kind] += 1
            cards["answered"] += answered

    mediated: set[str] = set()
    for _ in range(10):
        case, day = rng.choice(cases), _local_day(_moment(rng))
        factories.create_settlement(session, case, ("500.00",), agreed_on=day)
        if day.year == YEAR and followed_on(case.id, day):
            mediated.add(case.id)
    recovered = Decimal("0")
    for _ in range(30):
        case, day = rng.choice(cases), _local_day(_moment(rng))
        amount = Decimal(rng.randrange(0, 500_000)) / 100
        factories.create_outcome(session, officer, case_id=case.id, amount=amount,
                                 occurred_on=day)
        if day.year == YEAR and followed_on(case.id, day):
            recovered += amount
    # Another court's deputies and money never count.
    other_case = factories.create_case(session, world.other_court)
    other_deputy = factories.create_user(session, world.other_court, Role.DEPUTY)
    factories.follow_case(session, other_deputy, other_case)
    factories.create_outcome(session,
                             factories.create_user(session, world.other_court, Role.OFFICER),
                             case_id=other_case.id, amount=Decimal("999.00"),
                             occurred_on=date(YEAR, 6, 1))
    session.commit()

    response = http.get("/api/v1/supervision/summary", params={"year": YEAR},
                        headers=world.headers(judge))
    assert response.status_code == 200, response.text
    got = response.json()
    assert witnessed > 0 and mediated and recovered > 0  # the data exercises every figure
    assert got["deputies_active"] == len(active)
    assert got["nodes_witnessed"] == witnessed
    assert got["cases_mediated"] == len(mediated)
    assert Decimal(got["amount_recovered"]) == recovered
    assert got["evaluations"] == cards["evaluation"]
    assert got["opinions_sent"] == cards["opinion"]
    assert got["opinions_answered"] == cards["answered"]
    year_start, year_end = date(YEAR, 1, 1), date(YEAR, 12, 31)
    assert got["cases_followed"] == len({c for c, s, e in follows
                                         if s <= year_end and (e is None or e >= year_start)})


def test_the_summary_is_published_to_deputies_but_not_to_assistants(http, world):
    params = {"year": 2026}
    deputy = http.get("/api/v1/supervision/summary", params=params,
                      headers=world.headers(world.users[Role.DEPUTY]))
    assert deputy.status_code == 200
    assert deputy.json()["amount_recovered"] == "0.00"
    assert http.get("/api/v1/supervision/summary", params=params,
                    headers=world.headers(world.assistant)).status_code == 403
    assert http.get("/api/v1/supervision/summary", params={"year": "1900"},
                    headers=world.headers(world.judge_user)).status_code == 422
