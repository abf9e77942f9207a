"""A push answers with the server's values as the pusher's pulls show them: a reader who is
shown another's free text masked (an assistant reading a neighbour's sighting or lead) does
not get it unmasked back from a stale change or a stale delete of that record."""

from __future__ import annotations

from enforcement.syncing import usecases as syncing
from sync.protocol import Mutation, Op, Status
from tests.sync.helpers import SETTINGS
from tests.sync.test_values_wire import _id


def test_a_stale_push_hands_back_free_text_masked_as_the_pull_showed_it(db, records):
    phone = records.c.assistant
    page = syncing.pull(db, phone, None, 1000, 5)
    pulled = {r["id"]: r for r in page.changes["sighting"].upserts}
    neighbours = pulled[_id(14)]
    assert "13812345678" not in neighbours["notes"]  # masked in the pull
    same_case = Mutation("m-same", "sighting", Op.UPDATE, _id(14),
                         {"case_id": neighbours["case_id"]}, 1)
    stale_delete = Mutation("m-del", "sighting", Op.DELETE, _id(14), {}, 1)
    merged, conflict = syncing.push(db, SETTINGS, phone, phone.device_id, 5,
                                    [same_case, stale_delete])
    assert merged.status is Status.MERGED
    assert merged.server_values["notes"] == neighbours["notes"]
    assert conflict.status is Status.CONFLICT
    assert conflict.server_values["notes"] == neighbours["notes"]
    assert conflict.conflicts[0].server_value["notes"] == neighbours["notes"]
    # the author's own words come back as written, and so do the court's reads
    own = syncing.push(db, SETTINGS, phone, phone.device_id, 5, [Mutation(
        "m-own", "sighting", Op.UPDATE, _id(11), {"urgent": True}, 1)])[0]
    assert "13812345678" in own.server_values["notes"]
    officer = records.c.officer
    court = syncing.push(db, SETTINGS, officer, officer.device_id, 5, [Mutation(
        "m-court", "sighting", Op.UPDATE, _id(14), {"case_id": neighbours["case_id"]}, 1)])[0]
    assert "13812345678" in court.server_values["notes"]
