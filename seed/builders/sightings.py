"""Sightings of debtors by grid assistants: 150 x scale, most near the debtor's home,
some urgent."""

from __future__ import annotations

from datetime import timedelta

from seed.builders.accounts import author_for
from seed.context import CountyDraft
from seed.places import point_in, report_fields
from seed.records.field import DemoSighting
from seed.reference import AS_OF, FIELD_START
from seed.values import local_moment, rand_date


def build_sightings(draft: CountyDraft) -> None:
    """150 x scale sightings of the debtors of active cases."""
    rng = draft.rng
    draft.sightings = []
    candidates = [s for s in draft.states if s.category in (
        "open", "progress", "terminated", "resumed", "closed_paid")]
    for _ in range(150 * draft.scale):
        state = rng.choice(candidates)
        home_place = state.place
        urgent = rng.random() < 0.15
        if rng.random() < 0.7:
            place, near = home_place, state.debtor.home_point
        else:
            # Seen at the township's market village, or a neighbouring village.
            place = rng.choice(draft.places_by_township[home_place.township.id])
            near = None
        author = author_for(draft, place)
        day = rand_date(rng, max(FIELD_START, state.case.filed_on), AS_OF - timedelta(days=1))
        seen = local_moment(day, rng, 6.5, 21.5)
        plate = state.debtor.vehicle_plates[0] if state.debtor.vehicle_plates and \
            rng.random() < 0.5 else None
        name = state.debtor.name
        if urgent:
            notes = rng.choice((f"{name}刚回到家，车停在门口，请速来。",
                                f"{name}正在镇上集市卖苹果，估计还要待一个小时。",
                                f"{name}在村委会附近吃席，人还在。"))
        else:
            notes = rng.choice((f"看到{name}在地里干活。", f"{name}开车路过村口。",
                                f"听说{name}前两天回来过，又走了。",
                                f"在镇上看到{name}，和几个人一起。"))
        point = point_in(draft.rng, place, near=near, radius_m=150)
        draft.sightings.append(DemoSighting(
            court_id=draft.court_id, id=draft.uid(), author_id=author.id,
            case_id=state.case.id, party_id=state.debtor.id, debtor_text=name,
            seen_at=seen, vehicle_plate=plate,
            companions=rng.choice((None, None, "其妻子", "两名男子", "其子")),
            confidence=rng.randint(4, 5) if urgent else rng.randint(1, 5), urgent=urgent,
            notes=notes, created_at=seen + timedelta(minutes=rng.randrange(1, 240)),
            **report_fields(draft.rng, point, place),
        ))
