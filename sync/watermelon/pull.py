"""WatermelonDB pull: changes since a timestamp that never skips, plus scope changes, and
what each device was sent (its bases)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session

from sync import engine, opening, rejections
from sync import scope as scope_mod
from sync.binary import TextArray
from sync.feed import COMMITTED_HORIZON, PLAN_EACH_TIME
from sync.opening import Admission
from sync.spec import Actor, Registry, identity
from sync.tables import sync_change, sync_device_base, sync_watermelon_verified
from sync.watermelon.columns import Key, shared_values, to_columns
from sync.watermelon.schema import has_table


def pull(session: Session, registry: Registry, actor: Actor, device_id: str,
         last_pulled_at: int | None, schema_version: int,
         migration: Mapping[str, Any] | None = None,
         admission: Admission | None = None,
         read_first: opening.FirstRead | None = None) -> dict[str, Any]:
    """Changes in the actor's scope since ``last_pulled_at`` (none: everything), plus the
    scope's changes: records that entered it without changing come as created, records
    the device holds that left it as deleted. A record the device does not hold comes
    under ``created``, one it holds under ``updated``, as ``synchronize()`` expects.

    Only the tables the app's ``schema_version`` declares are answered: WatermelonDB
    warns about any other, and an older app must not be sent records it cannot hold.

    ``migration`` (``synchronize()``'s, after the app's schema version went up): tables
    that appeared or gained columns come whole. Records this device sent that the server
    refused and a person then discarded are answered as deleted: the device lets them go.

    Comparing the bases with the whole scope (``_arrived``, ``_evicted``) is skipped when
    a pull that handed out ``last_pulled_at`` or an earlier timestamp verified them and
    nothing the scope reads was written since, as the native protocol does
    (``sync.scope.checking``). A pull that finds nothing to send leaves that verification as
    it is: an up-to-date phone's poll writes nothing (docs/sync.md, "An empty poll"), and
    its first statement (``_build_opening``: the sign-in with ``admission``, the verification,
    the horizon, whether the feed or discards hold anything) is all it sends."""
    since = last_pulled_at or 0
    first = opening.run(
        session, registry, actor, f"watermelon-opening {bool(since)} {admission is not None}",
        lambda template: _build_opening(registry, template, bool(since), admission),
        {"since": since, "actor_device_id": device_id}, plan_once=bool(since),
        admission=admission, read_first=read_first)
    if first.actor != actor:  # the role changed since the token was issued
        return pull(session, registry, first.actor, device_id, last_pulled_at,
                    schema_version, migration, read_first=read_first)
    opened = first.row
    # Which tables the scope reads is its shape's: the template's are built already.
    _, reads = engine.scope_clauses(registry, registry.template(actor))
    synced_as = {spec.feed_name: name for name, spec in registry.specs.items()}
    verification = scope_mod.checked(opened, synced_as, reads)
    timestamp, discards_wait = opened.horizon, opened.discards_wait
    if (since and verification.still and not opened.holds_written and not opened.feed_waits
            and not discards_wait and not migration
            and len(verification.written) <= REVERIFY_AFTER):
        # Nothing to send, nothing left the scope, the bases unchanged: the stored
        # verification holds for ``timestamp`` as it did for ``since`` (docs/sync.md, "An
        # empty poll"). Not rewriting it keeps an up-to-date phone's poll read-only.
        return {"changes": _tables(registry, schema_version), "timestamp": timestamp}
    if first.planned_once:
        session.execute(PLAN_EACH_TIME)  # the rest is planned for its own values
    if not since:  # a new (or reset) local database holds nothing
        _forget_device(session, actor, device_id)
    table_of = {spec.feed_name: name for name, spec in registry.specs.items()}
    rows = session.execute(_feed_read(registry, actor, bool(since)), {
        "since": since, "horizon": timestamp, **identity(actor),
    }).all() if opened.feed_waits else []
    changes = _tables(registry, schema_version)
    upserts: dict[str, list[str]] = {}
    for feed_table, record_id, op in rows:
        table = table_of[feed_table]
        if table not in changes:
            continue
        if op == "delete":
            changes[table]["deleted"].append(record_id)
        else:
            upserts.setdefault(table, []).append(record_id)
    fed = {(table_of[t], i) for t, i, _ in rows}
    # Verified, unless a record written since that the device holds is not in this
    # answer: it may have left the scope. Only those records' bases are read, not the
    # device's whole holdings (which grow with its scope).
    maybe_gone = ({scope_mod.split_key(k) for k in verification.written} - fed
                  if since and verification.still else set())
    verified = bool(since and verification.still and not (
        opened.holds_written if not rows  # then ``maybe_gone`` is everything written
        else _held(session, actor, device_id, maybe_gone)))
    if since and not verified:
        for table, record_id in _arrived(session, registry, actor, device_id, since):
            if table in changes:
                upserts.setdefault(table, []).append(record_id)
    if since:
        for table, record_id in _migrated(session, registry, actor, since, migration):
            if table in changes:
                upserts.setdefault(table, []).append(record_id)
    for table, ids in upserts.items():
        upserts[table] = list(dict.fromkeys(ids))
    # Which of the records sent the device holds (``updated``) or not (``created``): a
    # first pull holds nothing, its bases were just forgotten.
    held = (_held(session, actor, device_id,
                  {(table, i) for table, ids in upserts.items() for i in ids})
            if since else set())
    delivered: list[dict[str, Any]] = []
    for table, ids in upserts.items():
        spec = registry.specs[table]
        records, deleted = spec.pulled(session, actor, ids, schema_version)
        changes[table]["deleted"].extend(deleted)
        for record in records:
            record_id, version = record.pop("id"), record.pop("version")
            kind = "updated" if (table, record_id) in held else "created"
            changes[table][kind].append({"id": record_id, "version": version,
                                         **to_columns(spec, record, schema_version)})
            delivered.append({"table_name": table, "record_id": record_id,
                              "version": version,
                              "base": shared_values(spec, record, schema_version)})
    discarded = (rejections.discards_to_send(session, actor, device_id, last_pulled_at,
                                             timestamp) if discards_wait else [])
    evicted = [] if verified else _evicted(session, registry, actor, device_id)
    for table, record_id in [*evicted, *discarded]:
        if table in changes and record_id not in changes[table]["deleted"]:
            changes[table]["deleted"].append(record_id)
    gone = [(t, i) for t, ch in changes.items() for i in ch["deleted"]]
    _remember_pulled(session, actor, device_id, delivered, gone)
    if (verified and not rows and not upserts and not discarded
            and len(verification.written) <= REVERIFY_AFTER):
        # Nothing sent, nothing left the scope, the bases unchanged: the stored
        # verification holds for ``timestamp`` as it did for ``since`` (docs/sync.md, "An
        # empty poll"). Not rewriting it keeps an up-to-date phone's poll read-only.
        return {"changes": changes, "timestamp": timestamp}
    # The bases now hold exactly the scope up to ``timestamp`` (discards aside: a record
    # dropped that way is compared in full next time).
    _note_verified(session, actor, device_id, timestamp,
                   None if discarded else verification)
    return {"changes": changes, "timestamp": timestamp}


def _sent(registry: Registry, actor: Actor) -> sa.ColumnElement[bool]:
    """The feed rows a pull sends the actor: those in its scope (``engine.in_scope``, built
    once per actor) and the tombstones of its own records, wherever they went."""
    c = sync_change.c
    return registry.built(actor, "watermelon-sent", lambda: sa.or_(
        engine.in_scope(registry, actor),
        sa.and_(c.op == "delete", c.author_id == actor.user_id,
                c.table_name.in_(sorted({spec.feed_name for spec in registry.specs.values()})))))


def _feed_read(registry: Registry, actor: Actor, since: bool) -> sa.Select[Any]:
    """The feed rows the pull sends, in the feed's order, from the bound parameter
    ``since`` to ``horizon``: built once per shape of actor, like the opening. A first
    pull takes everything it can see, so a new phone is whole even while other
    transactions run; what committed past the horizon comes once more next time."""
    def build(template: Actor) -> sa.Select[Any]:
        c = sync_change.c
        window = (sa.and_(c.xid >= sa.bindparam("since", type_=sa.BigInteger),
                          c.xid < sa.bindparam("horizon", type_=sa.BigInteger))
                  if since else sa.true())
        return sa.select(c.table_name, c.record_id, c.op).where(
            c.court_id == template.court_id, window, _sent(registry, template),
        ).order_by(c.xid, c.seq)

    return registry.shared(actor, f"watermelon-feed {since}", build)


def _tables(registry: Registry, schema_version: int) -> dict[str, dict[str, list[Any]]]:
    """An answer's changes with nothing in them yet, for the tables the app declares."""
    return {name: {"created": [], "updated": [], "deleted": []}
            for name, spec in registry.specs.items() if has_table(spec, schema_version)}


REVERIFY_AFTER = 64
"""Writes a pull's check finds past which even a pull that sends nothing notes a fresh
verification. The check reads the writes since the later of the stored snapshot and
``last_pulled_at`` (``scope.checking``'s ``exact_since``): those of one poll interval,
more than this only in a court that busy."""


def _build_opening(registry: Registry, actor: Actor, since: bool,
                   admission: Admission | None) -> sa.Select[Any]:
    """A pull's first statement, with the bound parameter ``since`` and the actor's
    ``identity`` (``actor_device_id``: the pulling device): the caller's standing
    (``admission``), ``sync.scope.checking`` against the device's verification for
    ``since``, the ``horizon`` (the timestamp this pull hands out; the same snapshot as
    the verification's), whether discards wait for the device, whether the feed holds
    anything for it from ``since`` to the horizon (``feed_waits``), and whether it holds
    a record written since its verification (``holds_written``). An up-to-date phone's
    poll learns from it that there is nothing to send. Built from a template actor, once
    per role (``sync.opening.run``)."""
    _, reads = engine.scope_clauses(registry, actor)
    device_id: sa.BindParameter[str] = sa.bindparam("actor_device_id", type_=sa.String)
    from_xid = sa.bindparam("since", type_=sa.BigInteger)
    stored = None
    if since:
        v = sync_watermelon_verified.c
        clock = (sa.cast(registry.scope_clock(), sa.Text) if registry.scope_clock is not None
                 else sa.null())
        # At or before ``since``: a later timestamp was handed out by pulls that sent
        # nothing and left this verification standing (docs/sync.md, "An empty poll").
        stored = sa.select(v.verified_snapshot).where(
            v.court_id == actor.court_id, v.device_id == device_id,
            v.pulled_at_xid <= from_xid, v.verified_clock.is_not_distinct_from(clock),
            v.verified_at > sa.func.now() - scope_mod.VERIFIED_FOR).scalar_subquery()
    # ``since`` was handed out by a pull that found the bases exact (``checking``)
    checking = scope_mod.checking(actor.court_id, stored, reads, registry.scope_clock,
                                  from_xid)
    c, b = sync_change.c, sync_device_base.c
    table_of = {spec.feed_name: name for name, spec in registry.specs.items()}
    feed_waits = sa.exists().where(
        c.court_id == actor.court_id, c.xid >= from_xid, c.xid < COMMITTED_HORIZON,
        _sent(registry, actor),
    ) if since else sa.true()
    written = sa.func.unnest(checking.c.written).table_valued("key").render_derived("written")
    feed_table = sa.func.split_part(written.c.key, ":", 1)
    holds_written = sa.exists().where(
        b.court_id == actor.court_id, b.device_id == device_id,
        b.table_name == sa.case(table_of, value=feed_table, else_=feed_table),
        b.record_id == sa.func.substr(written.c.key, sa.func.strpos(written.c.key, ":") + 1))
    return opening.statement(actor, checking, [
        rejections.discards_pending(actor, device_id, from_xid).label("discards_wait"),
        feed_waits.label("feed_waits"), holds_written.label("holds_written")], admission)


def _note_verified(session: Session, actor: Actor, device_id: str, timestamp: int,
                   verification: scope_mod.Verification | None) -> None:
    """Remember (or, with None, forget) that the device's bases are its scope as of this
    pull, for a pull from ``timestamp``."""
    v = sync_watermelon_verified.c
    mine = sa.and_(v.court_id == actor.court_id, v.device_id == device_id)
    if verification is None:
        session.execute(sa.delete(sync_watermelon_verified).where(mine))
        return
    values = {"pulled_at_xid": timestamp, "verified_snapshot": verification.taken,
              "verified_clock": verification.clock, "verified_at": sa.func.now()}
    stmt = insert(sync_watermelon_verified).values(
        court_id=actor.court_id, device_id=device_id, **values)
    # A pull that handed out an older timestamp than the stored one (a stale duplicate
    # finishing late) leaves no verification: the stored one is accepted for any later
    # timestamp, and this pull changed the bases under it.
    older = sync_watermelon_verified.c.pulled_at_xid > stmt.excluded.pulled_at_xid
    session.execute(stmt.on_conflict_do_update(
        index_elements=["court_id", "device_id"],
        set_={**values, "verified_at": sa.case(
            (older, sa.literal("-infinity").cast(sa.DateTime(timezone=True))),
            else_=sa.func.now())}))


def forget_verified(session: Session, court_id: str, device_id: str) -> None:
    """The device's bases changed outside a pull (a push): its next pull compares them
    with the scope in full."""
    v = sync_watermelon_verified.c
    session.execute(sa.delete(sync_watermelon_verified).where(
        v.court_id == court_id, v.device_id == device_id))


def _forget_device(session: Session, actor: Actor, device_id: str) -> None:
    b = sync_device_base.c
    session.execute(sa.delete(sync_device_base).where(
        b.court_id == actor.court_id, b.device_id == device_id))


def _migrated(session: Session, registry: Registry, actor: Actor, since: int,
              migration: Mapping[str, Any] | None) -> list[Key]:
    """Every in-scope record older than ``since`` of the tables a migration sync names
    (newer ones come through the feed anyway)."""
    if not migration:
        return []
    names = {str(t) for t in migration.get("tables") or ()} | {
        str(c.get("table")) for c in migration.get("columns") or () if isinstance(c, Mapping)}
    c = sync_change.c
    out: list[Key] = []
    for name in sorted(names & registry.specs.keys()):
        spec = registry.specs[name]
        out.extend((name, record_id) for record_id in session.scalars(
            sa.select(c.record_id).where(
                c.court_id == actor.court_id, c.table_name == spec.feed_name, c.op == "upsert",
                c.xid < since, spec.scope(actor, sync_change))))
    return out


def _held(session: Session, actor: Actor, device_id: str, keys: set[Key]) -> set[Key]:
    """Which of ``keys`` the device holds (has bases for): only those are read, one array
    per table, so a poll's cost does not grow with the device's holdings."""
    if not keys:
        return set()
    b = sync_device_base.c
    by_table: dict[str, list[str]] = {}
    for table, record_id in keys:
        by_table.setdefault(table, []).append(record_id)
    wanted = sa.or_(*(sa.and_(b.table_name == table,
                              b.record_id == sa.any_(sa.cast(ids, ARRAY(sa.Text))))
                      for table, ids in by_table.items()))
    return {(t, i) for t, i in session.execute(sa.select(b.table_name, b.record_id).where(
        b.court_id == actor.court_id, b.device_id == device_id, wanted))}


def _arrived(session: Session, registry: Registry, actor: Actor, device_id: str,
             since: int) -> list[Key]:
    """Records that entered the device's scope without changing (a new grid, a case
    assigned): older than ``since``, in scope, and never sent to this device."""
    b, c = sync_device_base.c, sync_change.c
    out: list[Key] = []
    for name, spec in registry.specs.items():
        # NOT EXISTS, not NOT IN: an anti-join PostgreSQL can hash or index.
        held = sa.exists().where(b.court_id == actor.court_id, b.device_id == device_id,
                                 b.table_name == name, b.record_id == c.record_id)
        out.extend((name, record_id) for record_id in session.scalars(
            sa.select(c.record_id).where(
                c.court_id == actor.court_id, c.table_name == spec.feed_name, c.op == "upsert",
                c.xid < since, spec.scope(actor, sync_change), ~held)))
    return out


def _evicted(session: Session, registry: Registry, actor: Actor,
             device_id: str) -> list[Key]:
    """Records the device was sent that its scope no longer covers."""
    b, c = sync_device_base.c, sync_change.c
    out: list[Key] = []
    for name, spec in registry.specs.items():
        in_scope = sa.exists().where(
            c.court_id == actor.court_id, c.table_name == spec.feed_name,
            c.record_id == b.record_id, spec.scope(actor, sync_change))
        out.extend((name, record_id) for record_id in session.scalars(
            sa.select(b.record_id).where(b.court_id == actor.court_id,
                                         b.device_id == device_id, b.table_name == name,
                                         ~in_scope)))
    return out


def _remember_pulled(session: Session, actor: Actor, device_id: str,
                     delivered: list[dict[str, Any]], gone: list[Key]) -> None:
    b = sync_device_base.c
    if gone:
        session.execute(sa.delete(sync_device_base).where(
            b.court_id == actor.court_id, b.device_id == device_id,
            sa.tuple_(b.table_name, b.record_id).in_(gone)))
    if delivered:
        session.execute(_REMEMBER, {
            "court_id": actor.court_id, "device_id": device_id,
            "table_names": [row["table_name"] for row in delivered],
            "record_ids": [row["record_id"] for row in delivered],
            "versions": [row["version"] for row in delivered],
            "bases": json.dumps([row["base"] for row in delivered])})


_REMEMBER = sa.text("""
    INSERT INTO sync_device_base (court_id, device_id, table_name, record_id, version, base)
    SELECT :court_id, :device_id, t.table_name, t.record_id, t.version, v.base
    FROM unnest(:table_names, :record_ids, :versions)
         WITH ORDINALITY AS t(table_name, record_id, version, n)
    JOIN jsonb_array_elements(CAST(:bases AS jsonb)) WITH ORDINALITY AS v(base, n)
      ON v.n = t.n
    ON CONFLICT (court_id, device_id, table_name, record_id)
    DO UPDATE SET pending = excluded.base, pending_version = excluded.version
""").bindparams(sa.bindparam("table_names", type_=TextArray()),
                sa.bindparam("record_ids", type_=TextArray()),
                sa.bindparam("versions", type_=ARRAY(sa.Integer)),
                sa.bindparam("bases", type_=sa.Text))
"""What a pull delivered, as the device's bases (a record it holds gets them as pending):
one statement with the values as arrays and the bases as one JSON array, in the order
given (a pull sends each record once). It was an executemany, one INSERT per record: for
a bootstrap of 10,096 records 605 ms of a 1.6 s pull in process, 188 ms of it this
process's CPU (bench/profile-findings.md, finding 39). The bases are encoded by
``json.dumps`` as the JSONB column's own serializer did, so the stored values are the
same."""
