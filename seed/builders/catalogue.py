"""The court's fixed lists: its 13 linkage units and the 23 key enforcement nodes."""

from __future__ import annotations

from datetime import date

from enforcement.supervision.catalogue import ALWAYS_DISCLOSED
from seed.context import CountyDraft
from seed.records.court import DemoLinkageUnit, DemoNode
from seed.reference import ENFORCEMENT_NODES, LINKAGE_UNITS
from seed.values import local_moment


def build_units_and_nodes(draft: CountyDraft) -> None:
    """The linkage units (their liaisons come with the users) and the node catalogue."""
    rng = draft.rng
    created = local_moment(date(2023, 6, 1), rng)
    draft.linkage_units = [
        DemoLinkageUnit(
            court_id=draft.court_id, id=draft.uid(), name=name, kind=kind,
            duties=list(duties), answer_days=days, created_at=created,
        )
        for name, kind, duties, days in LINKAGE_UNITS
    ]
    draft.nodes = [
        DemoNode(court_id=draft.court_id, id=draft.uid(), code=code, name_zh=zh,
                 name_en=en, seq=i + 1, witnessable=witnessable,
                 disclosure="always" if code in ALWAYS_DISCLOSED else "after")
        for i, (code, zh, en, witnessable) in enumerate(ENFORCEMENT_NODES)
    ]
