"""Push and pull: the sync engine's two entry points.

``push`` applies a device's batch inside the caller's transaction (the caller commits, so
a batch is all or nothing: a crash half-way leaves none of it, and the retry does it all).
Each mutation runs in a savepoint: one the domain refuses is rolled back alone and answered
``rejected`` while the rest applies; its content stays in its receipt. A receipt per
(court, device, mutation id) makes a replayed mutation answer its stored result without
being applied again; pushes of one device are serialised by an advisory lock so that two
copies of a batch racing each other cannot both apply.

``pull`` reads the change feed from a cursor (``sync.feed``) and answers current rows,
plus evictions and newly in-scope rows when the scope moved (``sync.scope``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync import feed, opening, rejections
from sync import scope as scope_mod
from sync.apply import apply_creates, apply_mutation
from sync.bulk import insert_rows
from sync.feed import PLAN_EACH_TIME, PLAN_ONCE
from sync.opening import Admission
from sync.protocol import Mutation, MutationResult, Op, Status
from sync.scope import ResyncRequired
from sync.spec import Actor, Existing, Registry, identity
from sync.tables import sync_change, sync_receipt

AfterEach = Callable[[int, MutationResult], None]


def push(session: Session, registry: Registry, actor: Actor, device_id: str,
         schema_version: int, mutations: Sequence[Mutation], *,
         after_each: AfterEach | None = None, strict: bool = False) -> list[MutationResult]:
    """Apply a batch; one result per mutation, in order. The caller commits.

    Consecutive creates of new records of a table with ``create_many`` are applied
    together (``apply_creates``); everything else one by one, each in its savepoint.
    ``after_each(index, result)`` runs after each mutation, in order (tests inject faults
    with it). ``strict``: a mutation writing a server-owned field is refused whole
    (``apply.apply_mutation``).
    """
    session.execute(_LOCK_DEVICE, {"key": f"sync:{actor.court_id}:{device_id}"})
    done = _stored_results(session, actor.court_id, device_id, mutations)
    existing = _existing(session, registry, actor, mutations, done)
    batchable = {table for table, spec in registry.specs.items()
                 if spec.create_many is not None and spec.existing is not None}
    results: list[MutationResult] = []
    receipts: list[dict[str, Any]] = []
    fresh: list[tuple[Mutation, MutationResult]] = []
    run: list[Mutation] = []
    run_ids: set[str] = set()
    seen: set[tuple[str, str]] = set()

    def finish(mutation: Mutation, result: MutationResult) -> None:
        receipts.append(_receipt(actor.court_id, device_id, mutation, result))
        fresh.append((mutation, result))
        done[mutation.mutation_id] = result
        results.append(result)
        if after_each is not None:
            after_each(len(results) - 1, result)

    def apply_run() -> None:
        if not run:
            return
        batch = list(run)
        run.clear()
        run_ids.clear()
        spec = registry.specs[batch[0].table]
        try:
            applied = apply_creates(session, registry, spec, actor, schema_version, batch,
                                    strict=strict)
        except IntegrityError:  # e.g. a concurrent create of one of the ids: one by one, so
            # that only the mutation that hit it is rejected (other errors fail either way)
            applied = [apply_mutation(session, registry, actor, device_id, schema_version, m,
                                      strict=strict) for m in batch]
        for mutation, result in zip(batch, applied, strict=True):
            finish(mutation, result)

    for mutation in mutations:
        key = (mutation.table, mutation.id)
        if (mutation.op is Op.CREATE and mutation.table in batchable
                and mutation.mutation_id not in done and key not in existing and key not in seen
                and (not run or run[0].table == mutation.table)
                and mutation.mutation_id not in run_ids):
            run.append(mutation)
            run_ids.add(mutation.mutation_id)
            seen.add(key)
            continue
        seen.add(key)
        apply_run()
        result = done.get(mutation.mutation_id)
        if result is None:
            finish(mutation, apply_mutation(session, registry, actor, device_id,
                                            schema_version, mutation, strict=strict))
        else:
            results.append(result)
            if after_each is not None:
                after_each(len(results) - 1, result)
    apply_run()
    if receipts:  # one statement for the batch: they commit (or not) with it anyway
        insert_rows(session, sync_receipt, receipts)
        rejections.note(session, actor, device_id, [m for m, _ in fresh],
                        [r for _, r in fresh])
    return results


def _existing(session: Session, registry: Registry, actor: Actor,
              mutations: Sequence[Mutation], done: dict[str, MutationResult]
              ) -> set[tuple[str, str]]:
    """(table, id) of the batch's creates that name a stored row, one query per table;
    only creates of tables that can create many at once are looked at."""
    wanted: dict[str, tuple[Existing, list[str]]] = {}
    for m in mutations:
        spec = registry.get(m.table)
        if (m.op is Op.CREATE and m.mutation_id not in done and spec is not None
                and spec.create_many is not None and spec.existing is not None):
            wanted.setdefault(m.table, (spec.existing, []))[1].append(m.id)
    return {(table, record_id) for table, (existing, ids) in wanted.items()
            for record_id in existing(session, actor, ids)}


def _stored_results(session: Session, court_id: str, device_id: str,
                    mutations: Sequence[Mutation]) -> dict[str, MutationResult]:
    rows = session.execute(_STORED_RESULTS, {
        "court_id": court_id, "device_id": device_id,
        "mutation_ids": list({m.mutation_id for m in mutations})})
    return {mutation_id: MutationResult.from_json(body) for mutation_id, body in rows}


# The statements every push sends, built once: building and cache-keying a Core
# statement per push cost more Python than PostgreSQL spent on it
# (bench/profile-findings.md, finding 33).
_LOCK_DEVICE = sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
_STORED_RESULTS = sa.select(sync_receipt.c.mutation_id, sync_receipt.c.result).where(
    sync_receipt.c.court_id == sa.bindparam("court_id"),
    sync_receipt.c.device_id == sa.bindparam("device_id"),
    sync_receipt.c.mutation_id == sa.any_(sa.bindparam("mutation_ids", type_=ARRAY(sa.String))),
)


def _receipt(court_id: str, device_id: str, mutation: Mutation,
             result: MutationResult) -> dict[str, Any]:
    return {"court_id": court_id, "device_id": device_id, "mutation_id": mutation.mutation_id,
            "table_name": mutation.table, "record_id": mutation.id,
            "result": result.to_json(), "mutation": mutation.to_json()}


@dataclass(frozen=True, slots=True)
class TableChanges:
    upserts: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PullResult:
    changes: dict[str, TableChanges]
    next_cursor: str
    has_more: bool
    evictions: dict[str, list[str]] = field(default_factory=dict)
    """Per table, ids that left the device's scope: delete them locally (they were not
    deleted on the server). Only for pulls that name their device."""

    def to_json(self) -> dict[str, Any]:
        return {
            "changes": {table: {"upserts": c.upserts, "deletes": c.deletes}
                        for table, c in self.changes.items()},
            "evictions": self.evictions,
            "next_cursor": self.next_cursor, "has_more": self.has_more,
        }


def pull(session: Session, registry: Registry, actor: Actor, cursor: str | None,
         limit: int, schema_version: int, *, device_id: str | None = None,
         admission: Admission | None = None,
         read_first: opening.FirstRead | None = None) -> PullResult:
    """Changes after ``cursor`` in the actor's scope; no cursor is a bootstrap, paged.

    Upserts carry the record's *current* values (a record changed several times comes once),
    limited to the fields ``schema_version`` knows; deletes are tombstone ids. With
    ``device_id`` the pull also answers evictions and records that entered the scope since
    the cursor (``sync.scope``), and writes: the caller commits. With ``admission`` the
    caller's sign-in is checked by the pull's first statement (``sync.opening``).
    Raises ``ResyncRequired`` for a cursor the server can no longer serve.

    Phases: the opening statement (sign-in, pruned cursor, verification check, horizon,
    whether the feed holds anything and whether the device's state would change: an
    up-to-date device's poll ends there, docs/sync.md "An empty poll is one statement");
    read the feed page; compare the device's scope with the one at its cursor; add the
    records that entered it; load the values; issue the next scope snapshot.
    """
    try:
        at = feed.decode_pull_cursor(cursor)
    except feed.InvalidCursor:
        if admission is not None:  # a caller no longer signed in is told that first
            admission.admit(session.execute(admission.standing(actor)).first())
        raise
    after, snapshot, scan = at.position, at.snapshot, at.scan_from()
    incremental = bool(cursor)
    first = opening.run(
        session, registry, actor,
        f"native-opening {device_id is not None} {incremental} {admission is not None}",
        lambda template: _build_opening(registry, template, device_id is not None,
                                        incremental, admission),
        {"after_xid": after.xid, "after_seq": after.seq, "scan_xid": scan.xid,
         "scan_seq": scan.seq, "scanned": at.scanned, "snapshot": snapshot,
         "actor_device_id": device_id}, plan_once=incremental, admission=admission,
        read_first=read_first)
    if first.actor != actor:  # the role changed since the token was issued
        return pull(session, registry, first.actor, cursor, limit, schema_version,
                    device_id=device_id, read_first=read_first)
    opened = first.row
    if opened.pruned:
        raise scope_mod.behind_pruned()
    # Which tables the scope reads is its shape's: the template's are built already.
    scope_reads = _scopes(registry, registry.template(actor))[2]
    synced_as = {spec.feed_name: table for table, spec in registry.specs.items()}
    verification = scope_mod.checked(opened, synced_as, scope_reads) if device_id else None
    still = bool(verification and verification.still)
    if (device_id and snapshot and still and opened.written_held is False
            and not opened.feed_waits and opened.pull_recorded):
        # Up to date: nothing in the feed for it, its scope verified unchanged, its state
        # already saying so. What the full path would answer, without asking again.
        return PullResult({table: TableChanges() for table in registry.specs},
                          feed.encode_cursor(after, snapshot, opened.horizon), False)
    scopes, in_scope, _ = _scopes(registry, actor)
    # An up-to-date device's feed read is planned once (few rows, whatever the cursor);
    # the rest of the pull is planned for its own values.
    generic = incremental and still and bool(opened.feed_waits)
    if first.planned_once and not generic:
        session.execute(PLAN_EACH_TIME)
    elif generic and not first.planned_once:
        session.execute(PLAN_ONCE)
    # How far the cursor's pull looked (``feed.PullCursor``) holds while the scope is the
    # one verified then; otherwise the feed is read from the position, whatever
    # ``feed_waits`` (asked from past it) said.
    start = scan if still else after
    page = (_read_page(session, registry, actor, after, start, opened.horizon, in_scope,
                       limit, synced_as) if opened.feed_waits or start != scan
            else _Page({table: TableChanges() for table in registry.specs}, {}, after, False))
    if generic:
        session.execute(PLAN_EACH_TIME)
    scope = _compare_scope(session, actor, device_id, cursor, after, snapshot, scopes,
                           synced_as, verification, opened.written_held, page)
    if scope.held is not None and cursor:
        _add_arrivals(session, actor, scopes, synced_as, after, limit, scope, page)
    for table, ids in page.upserts.items():
        _add_upserts(session, registry, actor, table, ids, schema_version,
                     page.by_table[table])
    if device_id is None or (scope.held is None and not scope.same):
        return PullResult(page.by_table, feed.encode_cursor(page.position), page.has_more)
    assert verification is not None
    evictions, issued = _issue_snapshot(session, actor, device_id, after, snapshot,
                                        verification, scope, page,
                                        opened.pull_recorded if incremental else None)
    return PullResult(page.by_table, feed.encode_cursor(
        page.position, issued, 0 if page.has_more else opened.horizon), page.has_more,
        evictions)


def _build_opening(registry: Registry, actor: Actor, with_device: bool,
                   incremental: bool, admission: Admission | None) -> sa.Select[Any]:
    """The native pull's first statement (``sync.opening``), with the cursor as bound
    parameters (``feed.AFTER_*``, ``feed.SCAN_*``, ``feed.SCANNED``,
    ``scope_mod.CURSOR_SNAPSHOT``): besides the sign-in, the verification check of the
    cursor's snapshot (writes looked for from ``feed.SCANNED`` at the earliest) and the
    horizon, whether the court pruned past the cursor (``pruned``), whether the feed
    holds a row in the actor's scope past where the cursor's pull looked
    (``PullCursor.scan_from``) below the horizon (``feed_waits``), whether the snapshot
    holds a record written
    since its verification (``written_held``: ``confirmed`` would then read it; asked only
    when the feed holds nothing for it), and whether the device's state already names
    this cursor, recently (``pull_recorded``: ``record_pull`` would write nothing). A
    bootstrap asks only the sign-in, check and horizon. ``actor`` is a template
    (``Registry.shared``); the device is the bound parameter ``actor_device_id``."""
    _, in_scope, reads = _scopes(registry, actor)
    device_id = sa.bindparam("actor_device_id", type_=sa.String) if with_device else None
    stored = (scope_mod.cursor_verification(actor.court_id, actor.user_id,
                                            registry.scope_clock)
              if with_device and incremental else None)
    checking = scope_mod.checking(actor.court_id, stored, reads, registry.scope_clock,
                                  feed.SCANNED)
    if not incremental:
        return opening.statement(actor, checking, [
            sa.false().label("pruned"), sa.true().label("feed_waits"),
            sa.false().label("written_held"), sa.false().label("pull_recorded")], admission)
    c = sync_change.c
    feed_waits = sa.exists().where(
        c.court_id == actor.court_id,
        sa.tuple_(c.xid, c.seq) > sa.tuple_(feed.SCAN_XID, feed.SCAN_SEQ),
        c.xid >= feed.SCAN_XID,  # implied; the generic plan's estimate needs it (finding 42)
        c.xid < feed.COMMITTED_HORIZON, in_scope)
    synced_as = {spec.feed_name: table for table, spec in registry.specs.items()}
    # Only for a pull that may end here: one that reads the feed knows what it delivers,
    # and ``confirmed`` reads the snapshot only for held records it does not deliver.
    written_held = sa.case((feed_waits, sa.null()), else_=scope_mod.written_held(
        actor.court_id, actor.user_id, checking, synced_as)) if stored is not None else sa.false()
    return opening.statement(actor, checking, [
        scope_mod.pruned_past(actor.court_id).label("pruned"), feed_waits.label("feed_waits"),
        written_held.label("written_held"),
        (scope_mod.pull_recorded(actor.court_id, device_id) if device_id is not None
         else sa.false()).label("pull_recorded")], admission)


@dataclass(slots=True)
class _Page:
    """One page of the feed, sorted: deletes per table, upserts' ids to load."""

    by_table: dict[str, TableChanges]
    upserts: dict[str, list[str]]
    position: feed.Position
    has_more: bool


@dataclass(slots=True)
class _ScopeState:
    """How the device's scope compares with the one at its cursor."""

    verified: bool
    """A verification since which nothing the scope reads was written covers this pull."""
    same: bool
    """The scope is the one at the cursor: nothing to evict or re-send."""
    held: set[str] | None
    """What the device holds (``None``: unknown, an old-style cursor; or not needed)."""
    kept: set[str] = field(default_factory=set)
    arrivals_left: bool = False


def _read_page(session: Session, registry: Registry, actor: Actor, after: feed.Position,
               start: feed.Position, horizon: int, in_scope: sa.ColumnElement[bool],
               limit: int, synced_as: dict[str, str]) -> _Page:
    """The feed from ``start`` (the cursor's position ``after``, or past it as far as the
    cursor's pull looked); an empty page stays at ``after``."""
    statement = registry.shared(actor, "native-feed-read", lambda template: (
        feed.changes_after(template.court_id, _scopes(registry, template)[1])))
    changes, has_more = feed.read_changes(session, actor.court_id, start, in_scope, limit,
                                          horizon=horizon, statement=statement,
                                          values=identity(actor))
    by_table: dict[str, TableChanges] = {table: TableChanges() for table in registry.specs}
    upserts: dict[str, list[str]] = {}
    for change in changes:
        table = synced_as[change.table_name]
        if change.op == "delete":
            by_table[table].deletes.append(change.record_id)
        else:
            upserts.setdefault(table, []).append(change.record_id)
    position = changes[-1].position if changes else after
    return _Page(by_table, upserts, position, has_more)


def _compare_scope(session: Session, actor: Actor, device_id: str | None, cursor: str | None,
                   after: feed.Position, snapshot: str | None,
                   scopes: dict[str, sa.ColumnElement[bool]], synced_as: dict[str, str],
                   verification: scope_mod.Verification | None,
                   written_held: bool | None, page: _Page) -> _ScopeState:
    """Cheapest first: a verification since which nothing the scope reads was written; then
    the snapshot compared with the scope at the cursor inside PostgreSQL (the usual case
    either way: nothing is evicted or re-sent, and the diff needs neither set in memory).
    ``written_held`` false (the opening's): the snapshot holds none of the records written
    since the verification, so ``confirmed`` would confirm it without reading (None: not
    asked, for a pull that reads the feed)."""
    verified = bool(verification and snapshot and verification.still and (
        written_held is False or scope_mod.confirmed(
            session, actor.court_id, actor.user_id, snapshot, verification,
            {scope_mod.key(table, i) for table, ids in page.upserts.items() for i in ids})))
    same = bool(device_id and cursor and snapshot and (verified or scope_mod.unchanged(
        session, actor.court_id, actor.user_id, device_id, scopes, synced_as, after,
        snapshot)))
    held = (_held(session, actor, cursor, snapshot) if device_id and not same else None)
    return _ScopeState(verified, same, held)


def _add_arrivals(session: Session, actor: Actor, scopes: dict[str, sa.ColumnElement[bool]],
                  synced_as: dict[str, str], after: feed.Position, limit: int,
                  scope: _ScopeState, page: _Page) -> None:
    """Records in scope now that the device does not hold join the page's upserts (up to
    ``limit``; the rest on later pages)."""
    assert scope.held is not None
    current = [(_synced_key(synced_as, key), old) for key, old
               in scope_mod.in_scope(session, actor.court_id, scopes, after)]
    scope.kept, arrived, scope.arrivals_left = scope_mod.diff(scope.held, current, limit)
    page.has_more = page.has_more or scope.arrivals_left
    for table, record_id in arrived:
        page.upserts.setdefault(table, []).append(record_id)


def _issue_snapshot(session: Session, actor: Actor, device_id: str, after: feed.Position,
                    snapshot: str | None, verification: scope_mod.Verification,
                    scope: _ScopeState, page: _Page, recorded: bool | None
                    ) -> tuple[dict[str, list[str]], str]:
    """The device now holds exactly its scope at the page's position (unless arrivals were
    left for later pages): the snapshot issued says so for the next pull. Returns the
    evictions and the snapshot's id. ``recorded``: the opening's ``pull_recorded``."""
    verified_at = (None if scope.arrivals_left
                   else scope_mod.VerifiedAt(page.position, verification))
    marked = False
    if scope.same:
        assert snapshot is not None
        evictions: dict[str, list[str]] = {}
        upserted, deleted = _page_keys(page.by_table)
        issued = scope_mod.extend(session, actor.court_id, actor.user_id, device_id,
                                  snapshot, upserted, deleted, verified_at)
        marked = bool(upserted or deleted)  # written (or found) and marked in one statement
    else:
        assert scope.held is not None
        evictions, holds = _after_page(scope.held, scope.kept, page.by_table)
        issued = scope_mod.store(session, actor.court_id, actor.user_id, device_id, holds,
                                 unchanged=snapshot)
    if verified_at is not None and not marked and not (
            scope.verified and issued == snapshot and page.position == after):
        # (a verification still standing for this very cursor needs no rewrite)
        scope_mod.mark_verified(session, actor.court_id, actor.user_id, issued, page.position,
                                verification)
    scope_mod.record_pull(session, actor.court_id, scope_mod.DevicePull(
        device_id, after, snapshot, issued), recorded)
    return evictions, issued


def _scopes(registry: Registry, actor: Actor
            ) -> tuple[dict[str, sa.ColumnElement[bool]], sa.ColumnElement[bool],
                       scope_mod.ScopeReads | None]:
    """Per feed table, which of its rows the actor pulls (tables fed alike are OR-ed); all
    of them as one clause on ``sync_change``; and the tables they read. Built once per
    actor (a few milliseconds of expression building per pull otherwise)."""
    def build() -> tuple[dict[str, sa.ColumnElement[bool]], sa.ColumnElement[bool],
                         scope_mod.ScopeReads | None]:
        clauses: dict[str, list[sa.ColumnElement[bool]]] = {}
        for spec in registry.specs.values():
            clauses.setdefault(spec.feed_name, []).append(spec.scope(actor, sync_change))
        scopes = {feed_name: sa.or_(*each) for feed_name, each in clauses.items()}
        in_scope = sa.or_(*(sa.and_(sync_change.c.table_name == feed_name, scope)
                            for feed_name, scope in scopes.items()))
        return scopes, in_scope, scope_mod.reads(scopes, registry.scope_clock is not None)

    return registry.built(actor, "scopes", build)


def in_scope(registry: Registry, actor: Actor) -> sa.ColumnElement[bool]:
    """The ``sync_change`` rows the actor may pull, as one clause: what a push may say
    about a record without disclosing whether one exists outside the actor's scope."""
    return _scopes(registry, actor)[1]


def scope_clauses(registry: Registry, actor: Actor
                  ) -> tuple[dict[str, sa.ColumnElement[bool]], scope_mod.ScopeReads | None]:
    """Per feed table, the actor's scope clause on ``sync_change``, and the tables they read
    (None: their inputs cannot be followed by writes): built once per actor, for the
    WatermelonDB pull."""
    scopes, _, reads = _scopes(registry, actor)
    return scopes, reads


def _synced_key(synced_as: dict[str, str], feed_key: str) -> str:
    """A feed key (``party:…``) under the synced table's name (``wanted:…``)."""
    feed_table, record_id = scope_mod.split_key(feed_key)
    return scope_mod.key(synced_as[feed_table], record_id)


def _held(session: Session, actor: Actor, cursor: str | None,
          snapshot: str | None) -> set[str] | None:
    """What the device holds: nothing before a bootstrap; unknown for an old-style cursor."""
    if not cursor:
        return set()
    if snapshot is None:
        return None
    return scope_mod.load(session, actor.court_id, actor.user_id, snapshot)


def _after_page(held: set[str], kept: set[str], by_table: dict[str, TableChanges]
                ) -> tuple[dict[str, list[str]], set[str]]:
    """Evictions (held, no longer in scope, not deleted in this page) and what the device
    holds once it has applied the page."""
    upserted, deleted = _page_keys(by_table)
    evictions: dict[str, list[str]] = {}
    for gone in sorted(held - kept - deleted - upserted):
        table, record_id = scope_mod.split_key(gone)
        evictions.setdefault(table, []).append(record_id)
    return evictions, ((held & kept) | upserted) - deleted


def _page_keys(by_table: dict[str, TableChanges]) -> tuple[set[str], set[str]]:
    """Keys the page upserts and deletes."""
    upserted = {scope_mod.key(t, row["id"]) for t, c in by_table.items() for row in c.upserts}
    deleted = {scope_mod.key(t, i) for t, c in by_table.items() for i in c.deletes}
    return upserted, deleted


def _add_upserts(session: Session, registry: Registry, actor: Actor, table: str,
                 ids: list[str], schema_version: int, into: TableChanges) -> None:
    upserts, deletes = registry.specs[table].pulled(session, actor, ids, schema_version)
    into.upserts.extend(upserts)
    into.deletes.extend(deletes)


__all__ = ["Mutation", "MutationResult", "PullResult", "ResyncRequired", "Status", "pull",
           "push"]
