"""The demo county gives the outcome-review reports something to show, and their figures
agree with counts made here over the generated county itself."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import sqlalchemy as sa

from enforcement.accounts.principal import Principal
from enforcement.infrastructure.db import Database
from enforcement.models import OutcomeKind, Role, User
from enforcement.reports import outcomes, resume, rounds
from enforcement.reports.common import Period
from seed.county import generate_county
from seed.load import load_demo


def test_the_demo_county_fills_the_reports(engine, database_url):
    county = generate_county()
    load_demo(engine, progress=False)
    db = Database(database_url)
    try:
        with db.unit_of_work() as session:
            judge = session.scalars(sa.select(User).where(User.username == "judge1")).one()
        principal = Principal(judge.id, judge.court_id, Role.JUDGE, "test")

        report = outcomes.outcome_report(db, principal, "township", Period())
        assert len(report.rows) == len(county.townships)
        assert report.total.leads_submitted == len(county.leads)
        assert report.total.amount_recovered == sum((o.amount for o in county.outcomes),
                                                    Decimal("0"))
        through_leads = sum((o.amount for o in county.outcomes if o.lead_id), Decimal("0"))
        assert report.total.amount_through_leads == through_leads > 0
        useful = {o.lead_id for o in county.outcomes
                  if o.lead_id and o.kind != OutcomeKind.NO_RESULT}
        assert report.total.leads_with_outcome == len(useful) > 50

        compared = rounds.round_report(db, principal, Period())
        visits = Counter(v.round_id for v in county.visits)
        assert [(r.round_id, r.visits) for r in compared] == [
            (r.id, visits[r.id]) for r in sorted(county.rounds, key=lambda r: r.starts_on)]
        assert all(r.compared["visits"].previous is not None for r in compared[1:])

        candidates = resume.resume_candidates(db, principal)
        found = {c.case_id for group in candidates for c in group.cases}
        assert found == _resume_candidates(county) and len(found) > 20

        with engine.connect() as conn:
            entries = conn.execute(sa.text("SELECT count(*) FROM reward_entry")).scalar_one()
        role = {u.id: u.role for u in county.users}
        author = {lead.id: lead.author_id for lead in county.leads}
        assert entries == sum(1 for o in county.outcomes
                              if o.lead_id and o.kind != OutcomeKind.NO_RESULT
                              and role[author[o.lead_id]] == Role.GRID_ASSISTANT) > 50
    finally:
        db.dispose()


def _resume_candidates(county) -> set[str]:
    """Terminated cases with a lead or sighting, about the case or its debtor, after the
    termination event (the generator writes one for every terminated case)."""
    ended = {e.case_id: e.at for e in county.case_events if e.to_status == "terminated"}
    terminated = {c.id for c in county.cases if c.status == "terminated"}
    debtors: dict[str, set[str]] = {}
    for link in county.case_parties:
        if link.role == "debtor":
            debtors.setdefault(link.party_id, set()).add(link.case_id)

    def cases_of(record, at) -> set[str]:
        linked = {record.case_id} | debtors.get(record.party_id, set())
        return {c for c in linked if c in terminated and at > ended[c]}

    found: set[str] = set()
    for lead in county.leads:
        found |= cases_of(lead, lead.created_at)
    for sighting in county.sightings:
        found |= cases_of(sighting, sighting.seen_at)
    return found
