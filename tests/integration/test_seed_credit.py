"""The demo county's measures and credit repair: consistent with the rules the API keeps."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from enforcement.wanted import wanted_party_ids
from seed.load import load_demo


def test_demo_flags_mirror_the_measures_and_the_repaired_debtor_is_not_wanted(engine: Engine):
    report = load_demo(engine, progress=False)
    court = report.court_id
    with engine.connect() as conn:
        mismatched = conn.execute(sa.text("""
            SELECT count(*) FROM party p WHERE p.court_id = :court AND (
              p.is_dishonest IS DISTINCT FROM EXISTS (SELECT 1 FROM party_measure m
                WHERE m.court_id = p.court_id AND m.party_id = p.id
                  AND m.kind = 'dishonest' AND m.lifted_on IS NULL)
              OR p.dishonest_since IS DISTINCT FROM (SELECT m.imposed_on FROM party_measure m
                WHERE m.court_id = p.court_id AND m.party_id = p.id
                  AND m.kind = 'dishonest' AND m.lifted_on IS NULL)
              OR p.consumption_restricted IS DISTINCT FROM EXISTS (SELECT 1 FROM party_measure m
                WHERE m.court_id = p.court_id AND m.party_id = p.id
                  AND m.kind = 'consumption_restriction' AND m.lifted_on IS NULL)
              OR p.exit_restricted IS DISTINCT FROM EXISTS (SELECT 1 FROM party_measure m
                WHERE m.court_id = p.court_id AND m.party_id = p.id
                  AND m.kind = 'exit_restriction' AND m.lifted_on IS NULL))
        """), {"court": court}).scalar_one()
        assert mismatched == 0
        listed = conn.execute(sa.text(
            "SELECT count(*) FROM party_measure WHERE court_id = :court AND lifted_on IS NULL "
            "AND kind = 'dishonest'"), {"court": court}).scalar_one()
        assert listed >= 5
        events = conn.execute(sa.text(
            "SELECT action, count(*) FROM party_measure_event WHERE court_id = :court "
            "GROUP BY action"), {"court": court}).all()
        assert {a for a, _ in events} == {"impose", "lift"}
        repaired = conn.execute(sa.text(
            "SELECT party_id FROM credit_repair WHERE court_id = :court "
            "AND status = 'approved'"), {"court": court}).scalars().all()
        assert len(repaired) == 1
        wanted = set(conn.execute(wanted_party_ids(court)).scalars())
        assert wanted and repaired[0] not in wanted

    again = load_demo(engine, progress=False)
    assert again.already_loaded
