"""Pushes through the sync use cases on a real database: receipts, all-or-nothing batches,
field ownership, merges, conflicts and tombstones."""

from __future__ import annotations

import threading
import time

import pytest

from enforcement.syncing import usecases as syncing
from sync.conflicts import Resolution
from sync.protocol import Status
from tests.sync.conftest import (
    conflicts_count,
    create,
    delete,
    lead,
    leads_count,
    receipts_count,
    update,
)
from tests.sync.helpers import SETTINGS


def statuses(results):
    return [r.status for r in results]


def test_a_replayed_batch_returns_the_stored_results_and_applies_once(db, engine, world):
    a = world.phone_a
    first = create()
    batch = [first, update(first.id, 1, description="改：两辆三轮车")]
    results = syncing.push(db, SETTINGS, a, a.device_id, 1, batch)
    assert statuses(results) == [Status.APPLIED, Status.APPLIED]
    assert results[1].version == 2

    replay = syncing.push(db, SETTINGS, a, a.device_id, 1, batch)
    assert replay == results
    assert leads_count(engine) == 1 and receipts_count(engine) == 2
    assert lead(engine, world.court.id, first.id).version == 2


class Crash(Exception):
    pass


def test_a_batch_cut_off_half_way_leaves_nothing_and_the_retry_applies_all_once(
        db, engine, world):
    a = world.phone_a
    batch = [create() for _ in range(4)]

    def crash_after_second(index, _result):
        if index == 1:
            raise Crash

    with pytest.raises(Crash):
        syncing.push(db, SETTINGS, a, a.device_id, 1, batch, after_each=crash_after_second)
    assert leads_count(engine) == 0 and receipts_count(engine) == 0

    results = syncing.push(db, SETTINGS, a, a.device_id, 1, batch)
    assert statuses(results) == [Status.APPLIED] * 4
    assert syncing.push(db, SETTINGS, a, a.device_id, 1, batch) == results
    assert leads_count(engine) == 4


def test_an_invalid_mutation_is_rejected_alone_and_kept_in_its_receipt(db, engine, world):
    """Documented choice: a mutation the domain refuses is rolled back alone (savepoint)
    and answered `rejected` with a code; the rest of the batch applies."""
    a = world.phone_a
    bad_ref = create(case_id="no-such-case")
    results = syncing.push(db, SETTINGS, a, a.device_id, 1, [
        create(), bad_ref, create(kind="bogus"), create(urgency="soon"), create(description=42),
    ])
    assert statuses(results) == [Status.APPLIED] + [Status.REJECTED] * 4
    assert results[1].code == "validation_failed"
    assert leads_count(engine) == 1 and receipts_count(engine) == 5


def test_a_write_to_a_server_field_is_rejected_not_dropped(db, engine, world):
    a = world.phone_a
    made = create()
    syncing.push(db, SETTINGS, a, a.device_id, 1, [made])
    only_server = syncing.push(db, SETTINGS, a, a.device_id, 1,
                               [update(made.id, 1, status="closed")])[0]
    assert only_server.status is Status.REJECTED and only_server.code == "field_server_owned"
    mixed = syncing.push(db, SETTINGS, a, a.device_id, 1,
                         [update(made.id, 1, status="closed", urgency="urgent")])[0]
    assert mixed.status is Status.APPLIED
    assert mixed.rejected_fields == {"status": "field_server_owned"}
    stored = lead(engine, world.court.id, made.id)
    assert (stored.status, stored.urgency) == ("submitted", "urgent")


def test_disjoint_edits_from_two_phones_both_survive(db, engine, world):
    a, b = world.phone_a, world.phone_b
    made = create()
    syncing.push(db, SETTINGS, a, a.device_id, 1, [made])
    first = syncing.push(db, SETTINGS, a, a.device_id, 1,
                         [update(made.id, 1, description="车牌甘K")])
    second = syncing.push(db, SETTINGS, b, b.device_id, 1, [update(made.id, 1, urgency="high")])
    assert first[0].status is Status.APPLIED and second[0].status is Status.MERGED
    stored = lead(engine, world.court.id, made.id)
    assert (stored.description, stored.urgency, stored.version) == ("车牌甘K", "high", 3)


def test_a_shared_field_clash_keeps_the_court_value_and_resolves(db, engine, world):
    a, bench = world.phone_a, world.bench
    made = create()
    syncing.push(db, SETTINGS, a, a.device_id, 1, [made])
    syncing.push(db, SETTINGS, bench, bench.device_id, 1,
                 [update(made.id, 1, case_id=world.case.id)])
    result = syncing.push(db, SETTINGS, a, a.device_id, 1, [
        update(made.id, 1, base={"case_id": None}, case_id=world.case2.id, description="新"),
    ])[0]
    assert result.status is Status.CONFLICT
    (note,) = result.conflicts
    assert (note.field, note.server_value, note.client_value) == (
        "case_id", world.case.id, world.case2.id)
    stored = lead(engine, world.court.id, made.id)
    assert (stored.case_id, stored.description) == (world.case.id, "新")

    assert [c["id"] for c in syncing.list_conflicts(db, a)] == [note.conflict_id]
    assert syncing.list_conflicts(db, world.other_phone) == []
    resolved = syncing.resolve_conflict(db, SETTINGS, bench, note.conflict_id,
                                        Resolution.TAKE_CLIENT)
    assert resolved["status"] == "resolved" and resolved["resolved_by"] == world.judge.id
    assert lead(engine, world.court.id, made.id).case_id == world.case2.id
    assert syncing.list_conflicts(db, bench) == []


def test_an_edit_of_a_lead_deleted_on_the_server_is_kept_as_a_conflict(db, engine, world):
    a, bench = world.phone_a, world.bench
    made = create()
    syncing.push(db, SETTINGS, a, a.device_id, 1, [made])
    deleted = syncing.push(db, SETTINGS, bench, bench.device_id, 1, [delete(made.id, 1)])[0]
    assert deleted.status is Status.APPLIED and deleted.version == 2

    edit = syncing.push(db, SETTINGS, a, a.device_id, 1,
                        [update(made.id, 1, description="补充：车在")])[0]
    assert edit.status is Status.CONFLICT
    assert edit.conflicts[0].client_value == {"description": "补充：车在"}
    assert lead(engine, world.court.id, made.id).deleted_at is not None

    syncing.resolve_conflict(db, SETTINGS, bench, edit.conflicts[0].conflict_id,
                             Resolution.TAKE_CLIENT)
    restored = lead(engine, world.court.id, made.id)
    assert restored.deleted_at is None and restored.description == "补充：车在"


def test_a_delete_of_a_lead_the_court_changed_since_is_a_conflict(db, engine, world):
    a, bench = world.phone_a, world.bench
    made = create()
    syncing.push(db, SETTINGS, a, a.device_id, 1, [made])
    syncing.push(db, SETTINGS, bench, bench.device_id, 1,
                 [update(made.id, 1, case_id=world.case.id)])
    result = syncing.push(db, SETTINGS, a, a.device_id, 1, [delete(made.id, 1)])[0]
    assert result.status is Status.CONFLICT
    assert lead(engine, world.court.id, made.id).deleted_at is None
    assert conflicts_count(engine) == 1


def test_another_assistants_lead_is_not_found_and_a_push_needs_the_own_device(
        db, engine, world):
    a, other = world.phone_a, world.other_phone
    made = create()
    syncing.push(db, SETTINGS, a, a.device_id, 1, [made])
    result = syncing.push(db, SETTINGS, other, other.device_id, 1,
                          [update(made.id, 1, description="x")])
    assert result[0].status is Status.REJECTED and result[0].code == "not_found"
    from enforcement.errors import Forbidden

    with pytest.raises(Forbidden):
        syncing.push(db, SETTINGS, a, world.phone_b.device_id, 1, [create()])


def test_two_copies_of_a_batch_racing_each_other_apply_once(db, engine, world):
    """A phone retries while its first push is still running on the server: the second
    waits for the first (a per-device lock) and answers its stored results."""
    a = world.phone_a
    batch = [create(), create()]
    inside = threading.Event()
    first: list = []

    def hold(index, _result):
        if index == 0:
            inside.set()
            time.sleep(0.5)

    thread = threading.Thread(target=lambda: first.append(
        syncing.push(db, SETTINGS, a, a.device_id, 1, batch, after_each=hold)))
    thread.start()
    assert inside.wait(10)
    second = syncing.push(db, SETTINGS, a, a.device_id, 1, batch)
    thread.join(10)
    assert first == [second]
    assert statuses(second) == [Status.APPLIED, Status.APPLIED]
    assert leads_count(engine) == 2 and receipts_count(engine) == 2
