"""Scope changes: which records left a device's scope, and which entered it.

A device's scope moves without its records changing (an assistant is assigned another
grid, a case is reassigned) and records move out of it by being edited (re-placed in
another grid). The feed alone cannot tell: it is ordered by when records changed, not by
when the scope did. So every pull that knows its device stores what the device holds
afterwards as a *snapshot* (the set of ``table:id`` keys, content-addressed, named by the
cursor it hands out), and the next pull diffs that snapshot against the scope now:

* held records whose feed row is no longer an in-scope upsert are *evicted*;
* in-scope records at or before the cursor that the device does not hold *entered* the
  scope and are delivered as upserts (records after the cursor come through the feed).

Any cursor a device ever received names an immutable snapshot, so a lost answer or a
retried, duplicated or reordered pull diffs against exactly what that cursor stands for.
A snapshot is deleted once its device confirms a newer cursor (and no other device's
cursor names it); the rest go with pruning. A device whose snapshot is gone (pruned, or a
stale duplicate of an old pull arriving late) is told to bootstrap again.

A page's snapshot is stored as a *delta* on the one its cursor named (the keys it adds and
removes), so extending costs what the page changed rather than what the device holds:
rewriting the whole set on every page made a bootstrap quadratic (bench/profile-findings.md,
findings 10 and 12). A chain is cut by writing a whole snapshot again once its deltas hold
more keys than the whole one it starts at, or it grows ``MAX_DEPTH`` long: reading a
snapshot then costs at most about twice its size, and the whole writes of a bootstrap add
up to about twice what it delivers. Whole snapshots are content-addressed (``digest``);
a delta is named by its base and its change (``_delta_name``), so a retried page finds its
snapshot either way. A snapshot is kept while any kept snapshot is a delta on it.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by, insert
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors
from sqlalchemy.sql.functions import FunctionElement

from sync import direct
from sync.binary import TextArray
from sync.feed import AFTER_SEQ, AFTER_XID, Position
from sync.tables import (
    SCOPE_INPUT_TABLES,
    SYNCED_TABLES,
    sync_change,
    sync_device_state,
    sync_prune_mark,
    sync_scope_input_change,
    sync_scope_snapshot,
)


class ResyncRequired(Exception):
    """The device's cursor is older than what the server still keeps: bootstrap again."""

    code = "resync_required"


def key(table: str, record_id: str) -> str:
    return f"{table}:{record_id}"


def split_key(value: str) -> tuple[str, str]:
    table, record_id = value.split(":", 1)
    return table, record_id


def digest(user_id: str, device_id: str, keys: Iterable[str]) -> str:
    """Content address of a snapshot, per device (one device moving on never drops what
    another still holds)."""
    h = hashlib.sha256(_owner(user_id, device_id).encode())
    for k in sorted(keys):
        h.update(b"\n" + k.encode())
    return h.hexdigest()[:32]


MAX_DEPTH = 32
"""Deltas in a chain at most: past it the next page's snapshot is written whole (reading
one walks its chain, one primary-key lookup per link)."""
CHAIN_RATIO = 2
"""A chain's deltas hold at most this many times the keys of the whole snapshot it starts
at; past it the next snapshot is written whole. Reading one costs at most about
``1 + CHAIN_RATIO`` times its size; a bootstrap writes whole snapshots of 1, 4, 13, 40 …
pages (with 1: 1, 3, 7, 15 …, which rewrote about twice what it delivered)."""


def _gone() -> ResyncRequired:
    return ResyncRequired("the server no longer knows what this device holds; "
                          "wipe the synced records and pull from the start")


def load(session: Session, court_id: str, user_id: str, name: str) -> set[str]:
    """The keys a device held when it was handed the cursor naming ``name``: its chain's
    whole snapshot with each delta applied, oldest first."""
    chain = _chain(sa.literal(court_id), sa.literal(name), sa.literal(user_id))
    link = sync_scope_snapshot.alias("link")
    rows = session.execute(sa.select(chain.c.base_digest, link.c.record_keys,
                                     link.c.removed_keys)
                           .join_from(chain, link, _link_of(chain, link))
                           .order_by(chain.c.depth)).all()
    if not rows or rows[0].base_digest is not None:
        raise _gone()  # no snapshot, or a chain whose start is gone
    keys = set(rows[0].record_keys)
    for row in rows[1:]:
        keys.difference_update(row.removed_keys)
        keys.update(row.record_keys)
    return keys


def _chain(court: Any, name: Any, user: Any) -> Any:
    """Snapshot ``name`` of ``user`` and the snapshots it is a delta on, each with its
    ``depth`` (0: the whole one the chain starts at). A chain whose start is gone ends on
    a row with a ``base_digest``."""
    s = sync_scope_snapshot
    tip = sa.select(s.c.court_id, s.c.digest, s.c.base_digest, s.c.depth).where(
        s.c.court_id == court, s.c.digest == name, s.c.user_id == user,
    ).cte("chain", recursive=True)
    base = s.alias("base")
    return tip.union_all(sa.select(base.c.court_id, base.c.digest, base.c.base_digest,
                                   base.c.depth).where(
        base.c.court_id == tip.c.court_id, base.c.digest == tip.c.base_digest,
        base.c.user_id == user, base.c.depth < tip.c.depth))


def _link_of(chain: Any, link: Any) -> sa.ColumnElement[bool]:
    return sa.and_(link.c.court_id == chain.c.court_id, link.c.digest == chain.c.digest)


def _complete(chain: Any) -> Any:
    """Whether the chain reaches its whole snapshot."""
    return sa.exists().where(chain.c.base_digest.is_(None))


def _held(chain: Any, only: Any = None) -> Any:
    """The keys the chain's tip holds, as a subquery of one column ``k``, computed by
    PostgreSQL: a key is held when the newest link that names it adds it (within one link
    a key is added or removed, never both). ``only``: an array of the keys to look at."""
    link = sync_scope_snapshot.alias("link")

    def mentions(keys: Any, adds: int) -> Any:
        k = sa.func.unnest(keys).label("k")
        rank = (chain.c.depth * 2 + adds).label("rank")
        return sa.select(k, rank).join_from(chain, link, _link_of(chain, link))

    both = sa.union_all(mentions(link.c.record_keys, 1),
                        mentions(link.c.removed_keys, 0)).subquery("mentions")
    held = sa.select(both.c.k)
    if only is not None:
        held = held.where(both.c.k == sa.any_(only))
    return held.group_by(both.c.k).having(sa.func.max(both.c.rank) % 2 == 1).subquery("held")


Scopes = Mapping[str, sa.ColumnElement[bool]]
"""Per feed table (``sync_change.table_name``), which of its rows a caller pulls."""


def _scope_rows(court_id: str, scopes: Scopes, *columns: Any) -> Any:
    """The caller's in-scope upserts, one SELECT per feed table glued by UNION ALL: each
    is planned on its own (the primary key or the author index for its table and its own
    subqueries), where one OR across every table made PostgreSQL scan the court's whole
    feed and evaluate every table's subqueries (bench/profile-findings.md, finding 3).
    ``columns`` are functions of the feed table's name: each gets its own literal."""
    c = sync_change.c
    return sa.union_all(*(
        sa.select(c.record_id, c.xid, c.seq, *(column(feed) for column in columns))
        .where(c.court_id == court_id, c.table_name == feed, c.op == "upsert", scope)
        for feed, scope in scopes.items()
    )).subquery()


def _at_or_before(rows: Any, upto: Position) -> sa.ColumnElement[bool]:
    return sa.tuple_(rows.c.xid, rows.c.seq) <= sa.tuple_(
        sa.literal(upto.xid, sa.BigInteger), sa.literal(upto.seq, sa.BigInteger))


def in_scope(session: Session, court_id: str, scopes: Scopes, upto: Position
             ) -> list[tuple[str, bool]]:
    """Every record in scope now (not deleted), oldest first, and whether it sits at or
    before ``upto``: one indexed read of the scope, aggregated into two arrays (cheap to
    transfer), diffed in memory."""
    rows = _scope_rows(court_id, scopes,
                       lambda feed: sa.literal(f"{feed}:", sa.Text).label("prefix"))
    order = (rows.c.xid, rows.c.seq)
    keys, old = session.execute(sa.select(
        sa.func.array_agg(aggregate_order_by(rows.c.prefix + rows.c.record_id, *order)),
        sa.func.array_agg(aggregate_order_by(_at_or_before(rows, upto), *order)),
    )).one()
    return list(zip(keys or (), old or (), strict=True))


def _sorted_keys(keys: Any) -> Any:
    """The text column ``keys`` of one aggregate group as an array in ``COLLATE "C"`` order
    (UTF-8 by code point, as Python's ``sorted``): how snapshots are stored and digested."""
    return sa.func.array_agg(aggregate_order_by(keys, keys.collate("C")))


def _sql_digest(owner: Any, sorted_keys: Any) -> Any:
    """``digest`` computed by PostgreSQL over an array from ``_sorted_keys`` (NULL or empty
    for no keys), ``owner`` being the SQL text ``user_id + "\n" + device_id``: the same
    bytes in the same order, so both name a snapshot alike."""
    lines = sa.func.coalesce(sa.literal("\n") + sa.func.array_to_string(sorted_keys, "\n"),
                             "")
    text = owner + sa.case((sa.func.cardinality(sorted_keys) > 0, lines), else_="")
    return sa.func.left(sa.func.encode(sa.func.sha256(sa.func.convert_to(text, "UTF8")),
                                       "hex"), 32)


def _owner(user_id: str, device_id: str) -> str:
    return f"{user_id}\n{device_id}"


def unchanged(session: Session, court_id: str, user_id: str, device_id: str,
              scopes: Scopes, synced_as: Mapping[str, str], upto: Position,
              name: str) -> bool:
    """Whether snapshot ``name`` exists and holds exactly the records in scope at or before
    ``upto``: then nothing left the scope and nothing entered it behind the cursor, so
    ``diff`` would keep everything and add nothing. Decided inside PostgreSQL (one read of
    the scope, one digest): neither the snapshot nor the scope crosses the wire, which is
    most of an up-to-date pull of a device holding thousands of records. ``synced_as``
    names each feed table as the device knows it (``party`` rows are ``wanted`` keys).
    A snapshot stored as a delta is digested from its chain here (as much work again as
    the scope's digest), a whole one is named by its digest."""
    rows = _scope_rows(court_id, scopes, lambda feed: sa.literal(
        f"{synced_as.get(feed, feed)}:", sa.Text).label("prefix"))
    keys = sa.select((rows.c.prefix + rows.c.record_id).label("k")).where(
        _at_or_before(rows, upto)).subquery()
    owner = sa.literal(_owner(user_id, device_id))
    chain = _chain(sa.literal(court_id), sa.literal(name), sa.literal(user_id))
    held = _held(chain)
    # A whole snapshot's name is its content's digest; a delta's content is digested from
    # its chain (only then: the CASE runs the subquery only when it gets there).
    content = sa.case(
        (sa.select(chain.c.depth).where(chain.c.digest == name).scalar_subquery() == 0,
         sa.literal(name)),
        else_=sa.select(_sql_digest(owner, _sorted_keys(held.c.k))).select_from(held)
        .scalar_subquery())
    stored, current, snapshot = session.execute(sa.select(
        _complete(chain), _sql_digest(owner, _sorted_keys(keys.c.k)), content,
    ).select_from(keys)).one()
    return bool(stored) and current == snapshot


@dataclass(frozen=True, slots=True)
class VerifiedAt:
    """A verification (``checking``) that holds at ``position``: what ``mark_verified`` notes."""

    position: Position
    verification: Verification


def extend(session: Session, court_id: str, user_id: str, device_id: str, base: str,
           added: set[str], removed: set[str], verified: VerifiedAt | None = None) -> str:
    """Store snapshot ``base`` plus ``added`` minus ``removed`` and return its name: usually
    as a delta on ``base`` (what the page changed: the device's holdings do not cross the
    wire or get rewritten); when the chain is long enough, whole again (built inside
    PostgreSQL from the chain, once per content, as ``store``). With ``verified``, the
    snapshot written (or found) is marked verified in the same statement.
    """
    if not added and not removed:
        return base
    plus, minus = sorted(added - removed), sorted(removed)
    name = _delta_name(user_id, device_id, base, plus, minus)
    params: dict[str, Any] = {
        "court": court_id, "base": base, "user": user_id, "owner": _owner(user_id, device_id),
        "name": name, "plus": plus, "minus": minus, "size": len(plus) + len(minus),
        "changed": sorted(added | removed),
        "max_depth": MAX_DEPTH, "chain_ratio": CHAIN_RATIO}
    if verified is not None:
        params |= _verified_values(verified)
    # One statement sees one state: the base is found or found gone (a concurrent pull of
    # the same device dropped it), never half. A data-modifying CTE always runs.
    found, as_delta = direct.one(direct.rows(
        session.connection(), _delta_statement(verified is not None), params))
    if found and as_delta:
        return name
    if found:
        found, name = session.execute(_whole_statement(verified is not None), params).one()
    if not found:
        raise _gone()
    return str(name)


def _delta_name(user_id: str, device_id: str, base: str, plus: list[str],
                minus: list[str]) -> str:
    """A delta's name: its owner, base and change (JSON: unambiguous whatever the keys
    hold), hashed apart from content digests. A retried page gets the same name."""
    text = json.dumps(["delta", _owner(user_id, device_id), base, plus, minus],
                      ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _verified_values(verified: VerifiedAt) -> dict[str, Any]:
    return {"verified_xid": verified.position.xid, "verified_seq": verified.position.seq,
            "verified_snapshot": verified.verification.taken,
            "verified_clock": verified.verification.clock}


_MARKS = ("verified_xid", "verified_seq", "verified_snapshot", "verified_clock")


def _written(columns: list[str], values: list[sa.ColumnElement[Any]], where: Any,
             verify: bool) -> Any:
    """The INSERT of one snapshot (``columns`` from ``values`` where ``where``), marked
    verified with ``verify``; an existing snapshot of that name has the same content."""
    if verify:
        columns = [*columns, *_MARKS, "verified_at"]
        values = [*values, *(sa.bindparam(mark, type_=sync_scope_snapshot.c[mark].type)
                             for mark in _MARKS), sa.func.now()]
    written = insert(sync_scope_snapshot).from_select(columns, sa.select(*values).where(where))
    if verify:
        excluded = written.excluded
        return written.on_conflict_do_update(
            index_elements=["court_id", "digest"],
            set_={mark: excluded[mark] for mark in (*_MARKS, "verified_at")})
    return written.on_conflict_do_nothing()


def _mine(s: Any, name: str) -> tuple[sa.ColumnElement[bool], ...]:
    return (s.court_id == sa.bindparam("court", type_=sa.String),
            s.digest == sa.bindparam(name, type_=sa.String),
            s.user_id == sa.bindparam("user", type_=sa.String))


@functools.cache
def _delta_statement(verify: bool) -> Any:
    """``extend``'s usual statement, built once: whether the base exists, and the delta
    written when its chain may grow (``MAX_DEPTH``; its deltas holding no more than
    ``CHAIN_RATIO`` times the keys of the whole snapshot it starts at). A primary-key read
    and a small insert."""
    s = sync_scope_snapshot.c
    text_array = TextArray()
    base = sa.select(s.depth, s.chain_keys, s.root_keys).where(*_mine(s, "base")).cte("base")
    size = sa.bindparam("size", type_=sa.Integer)
    grows = sa.and_(base.c.depth < sa.bindparam("max_depth", type_=sa.Integer),
                    base.c.chain_keys + size
                    <= base.c.root_keys * sa.bindparam("chain_ratio", type_=sa.Integer))
    written = _written(
        ["court_id", "digest", "user_id", "record_keys", "removed_keys", "base_digest",
         "depth", "chain_keys", "root_keys"],
        [sa.bindparam("court", type_=sa.String), sa.bindparam("name", type_=sa.String),
         sa.bindparam("user", type_=sa.String), sa.bindparam("plus", type_=text_array),
         sa.bindparam("minus", type_=text_array), sa.bindparam("base", type_=sa.String),
         base.c.depth + 1, base.c.chain_keys + size, base.c.root_keys],
        grows, verify)
    return sa.select(sa.select(base).exists().label("found"),
                     sa.select(base).where(grows).exists().label("as_delta"),
                     ).add_cte(written.cte("written"))


@functools.cache
def _whole_statement(verify: bool) -> Any:
    """``extend`` writing the snapshot whole, built once: (held ∪ plus) − minus as two
    disjoint parts, so no set operation hashes the whole snapshot, and one sort gives both
    the stored array and the digest's order. The base's keys come from its chain."""
    text_array = TextArray()
    chain = _chain(sa.bindparam("court", type_=sa.String),
                   sa.bindparam("base", type_=sa.String), sa.bindparam("user", type_=sa.String))
    held = _held(chain)
    kept = sa.select(held.c.k).where(sa.not_(held.c.k == sa.any_(
        sa.bindparam("changed", type_=text_array))))
    plus = sa.select(sa.func.unnest(sa.bindparam("plus", type_=text_array)).label("k"))
    keys = sa.union_all(kept, plus).subquery()
    ordered = sa.select(
        _complete(chain).label("found"),
        sa.func.coalesce(_sorted_keys(keys.c.k),
                         sa.cast(sa.literal([], text_array), text_array)).label("record_keys"),
    ).select_from(keys).subquery()
    content = sa.select(
        ordered.c.found,
        _sql_digest(sa.bindparam("owner", type_=sa.Text), ordered.c.record_keys).label("digest"),
        ordered.c.record_keys,
    ).cte("content")
    written = _written(
        ["court_id", "digest", "user_id", "record_keys", "root_keys"],
        [sa.bindparam("court", type_=sa.String), content.c.digest,
         sa.bindparam("user", type_=sa.String), content.c.record_keys,
         sa.func.cardinality(content.c.record_keys)],
        content.c.found, verify)
    return sa.select(content.c.found, content.c.digest).add_cte(written.cte("written"))


TIME_FUNCTIONS = frozenset({
    "now", "current_date", "current_time", "current_timestamp", "localtime",
    "localtimestamp", "clock_timestamp", "statement_timestamp", "transaction_timestamp",
    "timeofday",
})
"""SQL functions through which a scope can move with time alone."""
VERIFIED_FOR = timedelta(hours=12)
"""How long a verification is trusted at most (``prune`` keeps the input log twice that)."""
RECENT_AT_MOST = 1_000
"""More writes than this since a verification: compare with the whole scope instead."""


@dataclass(frozen=True, slots=True)
class ScopeReads:
    """The tables a caller's scope clauses read besides the feed row itself: a write to any
    of them may move the scope without the held records changing."""

    fed: tuple[str, ...]
    """Tables whose writes leave feed rows (``SYNCED_TABLES``)."""
    logged: tuple[str, ...]
    """Tables whose writes are logged in ``sync_scope_input_change``."""


def reads(scopes: Scopes, clocked: bool) -> ScopeReads | None:
    """What ``scopes`` read, found by walking the clauses; None when a pull cannot follow
    their inputs by writes: raw SQL (what it reads is unknown), a table neither fed nor
    logged, or the time read with no scope clock (``clocked``) to tell when it moved."""
    tables: set[str] = set()
    for clause in scopes.values():
        for element in visitors.iterate(clause):
            if isinstance(element, sa.TextClause) or getattr(element, "is_literal", False):
                return None
            if isinstance(element, sa.TableClause):
                tables.add(element.name)
            elif (isinstance(element, FunctionElement) and not clocked
                  and str(getattr(element, "name", "")).lower() in TIME_FUNCTIONS):
                return None
    tables.discard(sync_change.name)
    fed = tables & set(SYNCED_TABLES)
    logged = tables & set(SCOPE_INPUT_TABLES)
    if tables - fed - logged:
        return None
    return ScopeReads(tuple(sorted(fed)), tuple(sorted(logged)))


class _PgSnapshot(sa.types.UserDefinedType[str]):
    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "pg_snapshot"


class _Xid8(sa.types.UserDefinedType[int]):
    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "xid8"


@dataclass(frozen=True, slots=True)
class Verification:
    """What ``checked`` makes of ``checking``'s row: whether the device's snapshot is still
    verified, given what ``confirmed`` makes of the records written since; and when this
    pull looked (its transaction snapshot and scope clock), for ``mark_verified``."""

    still: bool
    taken: str
    clock: str | None
    written: frozenset[str] = frozenset()
    """Keys (as the device names them) of records written since the verification."""


def _written_since(xid: Any, taken: Any, xmin: Any) -> sa.ColumnElement[bool]:
    """Whether the transaction ``xid`` (bigint) was not yet visible to ``taken``
    (pg_snapshot): such transactions all have ids at or above its xmin, ``xmin``, a range
    the feed's index serves."""
    visible = sa.func.pg_visible_in_snapshot(sa.cast(sa.cast(xid, sa.Text), _Xid8()), taken,
                                             type_=sa.Boolean)
    return sa.and_(xid >= xmin, sa.not_(visible))


CURSOR_SNAPSHOT = sa.bindparam("snapshot", type_=sa.String)
"""The snapshot a native pull's cursor names, as a bound parameter of its opening statement
(built once per actor; its position: ``feed.AFTER_XID``, ``feed.AFTER_SEQ``)."""


def cursor_verification(court_id: Any, user_id: Any, clock: Any) -> Any:
    """The transaction snapshot of the verification stored on the cursor's snapshot for the
    cursor's position, as a scalar subquery for ``checking`` (NULL when none holds).

    A pull that verified a snapshot (``mark_verified``) left its position, transaction
    snapshot T and scope clock on it: then every record it holds was in scope and every
    record in scope at or before the position was held. That still holds when, since T,
    nothing was written to a table the scope reads, the clock is the same, and no held
    record was written out of scope or deleted (``checking`` reads what was written since
    T; ``confirmed`` settles those records once the page shows which are delivered in
    scope). Writes since T are few: one statement reads only them, and answers this pull's
    own T (the earliest snapshot its reads see: later writes count as new next time)."""
    s = sync_scope_snapshot.c
    return sa.select(s.verified_snapshot).where(
        s.court_id == court_id, s.digest == CURSOR_SNAPSHOT, s.user_id == user_id,
        s.verified_xid == AFTER_XID, s.verified_seq == AFTER_SEQ,
        s.verified_clock.is_not_distinct_from(_clock_text(clock)),
        s.verified_at > sa.func.now() - VERIFIED_FOR).scalar_subquery()


def _clock_text(clock: Any) -> Any:
    return sa.cast(clock(), sa.Text) if clock is not None else sa.null()


def pruned_past(court_id: Any) -> sa.ColumnElement[bool]:
    """Whether the court pruned a tombstone past the cursor (``feed.AFTER_XID``,
    ``feed.AFTER_SEQ``): a device behind it may have missed a delete (``behind_pruned``)."""
    m = sync_prune_mark.c
    return sa.exists().where(m.court_id == court_id, sa.tuple_(m.xid, m.seq) > sa.tuple_(
        AFTER_XID, AFTER_SEQ))


def behind_pruned() -> ResyncRequired:
    """What a cursor behind the newest pruned tombstone is answered."""
    return ResyncRequired("this device was away longer than the server keeps deletes; "
                          "wipe the synced records and pull from the start")


def _sql(value: Any) -> Any:
    """A value as SQL: itself when it already is (a template actor's bound parameter)."""
    return value if isinstance(value, sa.ClauseElement) else sa.literal(value)


def written_held(court_id: Any, user_id: Any, checking: sa.Subquery,
                 synced_as: Mapping[str, str]) -> sa.ColumnElement[bool]:
    """Whether ``confirmed`` could fail for a page that delivers nothing: the cursor's
    snapshot (``CURSOR_SNAPSHOT``) holds a record of ``checking``'s writes since the
    verification, or its chain is gone. False without a verification or writes to look
    at (the snapshot is then not read: a CASE runs its subqueries only when it gets
    there)."""
    written = sa.func.unnest(checking.c.written).table_valued("key").render_derived("written")
    feed_table = sa.func.split_part(written.c.key, ":", 1)
    as_held = sa.cast(sa.select(sa.func.array_agg(
        sa.case(dict(synced_as), value=feed_table, else_=feed_table) + ":"
        + sa.func.substr(written.c.key, sa.func.strpos(written.c.key, ":") + 1))
    ).scalar_subquery(), ARRAY(sa.Text))  # an array, not ANY's subquery form
    chain = _chain(_sql(court_id), CURSOR_SNAPSHOT, _sql(user_id))
    held = _held(chain, only=as_held)
    looked_at = sa.and_(checking.c.then.is_not(None), sa.not_(checking.c.logged),
                        sa.func.cardinality(checking.c.written).between(1, RECENT_AT_MOST))
    return sa.case((looked_at, sa.or_(sa.not_(_complete(chain)),
                                      sa.select(held).exists())), else_=sa.false())


def checking(court_id: Any, stored: Any, scope_reads: ScopeReads | None, clock: Any,
             exact_since: Any = None) -> sa.Subquery:
    """The verification check as one row to select with other values, in the same
    statement and snapshot (``checked`` reads it), for a stored verification ``stored``:
    a scalar subquery giving the verifying pull's transaction snapshot as text, or NULL
    when none holds (it tests the clock and ``VERIFIED_FOR`` itself; None: none to look
    for). Its columns: this statement's transaction snapshot (``taken``) and
    scope clock, the stored verification's snapshot (``then``, NULL when none holds),
    whether a scope input without feed rows was written since (``logged``), and the feed's
    writes since, as ``table:id`` keys in the order of the feed's index (which the LIMIT
    makes the plan use), at most ``RECENT_AT_MOST`` + 1 (``written``).

    ``exact_since``: a transaction id (bigint) such that the device's records were also
    found exact as of a later moment, by which every transaction below it had ended (the
    horizon handed out by the pull that last found them exact: ``feed.PullCursor.scanned``,
    WatermelonDB's ``last_pulled_at``). A write not visible then has an id at or above it,
    so writes are looked for from it: a poll then reads what was written since the last
    poll, not since the stored verification, however long that stands (finding 41).
    Writes seen both times are only counted again, which can ask for more, never less."""
    taken = sa.cast(sa.func.pg_current_snapshot(), sa.Text)
    clock_now = _clock_text(clock)
    if stored is None or scope_reads is None:
        return sa.select(taken.label("taken"), clock_now.label("clock"),
                         sa.null().label("then"), sa.false().label("logged"),
                         sa.cast(sa.null(), ARRAY(sa.Text)).label("written"),
                         ).subquery("checking")
    c, i = sync_change.c, sync_scope_input_change.c
    as_snapshot = sa.cast(stored, _PgSnapshot())
    xmin: sa.ColumnElement[int] = sa.cast(
        sa.cast(sa.func.pg_snapshot_xmin(as_snapshot), sa.Text), sa.BigInteger)
    if exact_since is not None:
        xmin = sa.func.greatest(xmin, exact_since, type_=sa.BigInteger)
    logged = (sa.exists().where(i.court_id == court_id, i.table_name.in_(scope_reads.logged),
                                _written_since(i.xid, as_snapshot, xmin))
              if scope_reads.logged else sa.false())
    recent = sa.select((c.table_name + ":" + c.record_id).label("key")).where(
        c.court_id == court_id, _written_since(c.xid, as_snapshot, xmin),
    ).order_by(c.xid, c.seq).limit(RECENT_AT_MOST + 1).subquery("recent")
    written = sa.select(sa.func.array_agg(recent.c.key)).scalar_subquery()
    return sa.select(taken.label("taken"), clock_now.label("clock"), stored.label("then"),
                     logged.label("logged"), written.label("written")).subquery("checking")


def checked(row: Any, synced_as: Mapping[str, str], scope_reads: ScopeReads | None
            ) -> Verification:
    """The ``Verification`` a row of ``checking`` (its columns by name) stands for."""
    written = [split_key(k) for k in row.written or ()]
    if (row.then is None  # never verified, or for another cursor, clock or long ago
            or scope_reads is None or row.logged or len(written) > RECENT_AT_MOST
            or any(table in scope_reads.fed for table, _ in written)):
        return Verification(False, row.taken, row.clock)
    return Verification(True, row.taken, row.clock, frozenset(
        key(synced_as.get(table, table), record_id) for table, record_id in written))


def confirmed(session: Session, court_id: str, user_id: str, name: str,
              verification: Verification, delivered: set[str]) -> bool:
    """Whether ``checking``'s verification stands once the page is known: every record
    written since that the device holds is ``delivered`` again as an upsert (so it stayed
    in scope). A held one that is not may have left the scope: compare in full."""
    if not verification.still:
        return False
    undelivered = verification.written - delivered
    if not undelivered:
        return True
    chain = _chain(sa.literal(court_id), sa.literal(name), sa.literal(user_id))
    held = _held(chain, only=sa.cast(sorted(undelivered), ARRAY(sa.Text)))
    # (a chain whose start is gone confirms nothing: the full comparison says why)
    return bool(session.execute(sa.select(
        _complete(chain), sa.select(held).exists())).one() == (True, False))


def mark_verified(session: Session, court_id: str, user_id: str, name: str,
                  position: Position, verification: Verification) -> None:
    """Note on snapshot ``name`` that it is exactly what its device should hold at
    ``position``, as of ``verification`` (see ``cursor_verification``)."""
    s = sync_scope_snapshot.c
    session.execute(sa.update(sync_scope_snapshot).where(
        s.court_id == court_id, s.digest == name, s.user_id == user_id,
    ).values(**_verified_values(VerifiedAt(position, verification)),
             verified_at=sa.func.now()))


def diff(held: set[str], current: list[tuple[str, bool]], limit: int
         ) -> tuple[set[str], list[tuple[str, str]], bool]:
    """Held keys still in scope; in-scope records at or before the cursor that the device
    lacks (oldest first, up to ``limit``), and whether there are more of those."""
    kept = held & {k for k, _ in current}
    arrived = [k for k, old in current if old and k not in held]
    return kept, [split_key(k) for k in arrived[:limit]], len(arrived) > limit


def store(session: Session, court_id: str, user_id: str, device_id: str,
          keys: set[str], unchanged: str | None = None) -> str:
    """Save (once per content) what the device holds now; returns its name. ``unchanged``
    names a snapshot known to exist: when the content is the same, nothing is written."""
    name = digest(user_id, device_id, keys)
    if name == unchanged:
        return name
    session.execute(insert(sync_scope_snapshot).values(
        court_id=court_id, digest=name, user_id=user_id, record_keys=sorted(keys),
        root_keys=len(keys),
    ).on_conflict_do_nothing())
    return name


PULLED_AT_EVERY = timedelta(minutes=1)
"""How stale ``pulled_at`` may get before a pull that changes nothing else rewrites it
(pruning measures device activity in days)."""


@dataclass(frozen=True, slots=True)
class DevicePull:
    device_id: str
    sent: Position
    sent_snapshot: str | None
    issued_snapshot: str | None


def record_pull(session: Session, court_id: str, pull: DevicePull,
                recorded: bool | None = None) -> None:
    """Remember how far the device has confirmed the feed (the cursor it sent) and which
    snapshots its cursors name; drop the snapshots it no longer needs. A pull that issues
    another snapshot than its cursor named (it brought records) writes without reading
    first: the row cannot already say so, but for a retried page, which writes the same.
    ``recorded``: ``pull_recorded`` as the pull's opening read it (then not read again)."""
    if pull.issued_snapshot != pull.sent_snapshot or recorded is False:
        session.execute(_RECORD_PULL, _record_pull_params(court_id, pull))
        return
    if recorded:
        return
    d = sync_device_state.c
    state = sa.select(d.acked_xid, d.acked_seq, d.acked_digest, d.issued_digest,
                      (d.pulled_at > sa.func.now() - PULLED_AT_EVERY).label("recent")
                      ).where(d.court_id == court_id, d.device_id == pull.device_id)
    seen = session.execute(state).first()
    if seen is not None and seen.recent and _acked(seen, pull) == (
            Position(seen.acked_xid, seen.acked_seq), seen.acked_digest) \
            and seen.issued_digest == pull.issued_snapshot:
        # The same cursor again, a moment later (an up-to-date device polling): the row
        # already says so, and a read-only pull commits without waiting for the disk.
        return
    session.execute(_RECORD_PULL, _record_pull_params(court_id, pull))


def pull_recorded(court_id: Any, device_id: Any) -> sa.ColumnElement[bool]:
    """Whether ``record_pull`` of a pull that issues the snapshot its cursor named
    (``feed.AFTER_*``, ``CURSOR_SNAPSHOT``) would write nothing: the device's row was
    written less than ``PULLED_AT_EVERY`` ago, has confirmed this cursor or a later one
    (``_acked``), and names this snapshot as issued. The rule ``record_pull`` applies to
    the row it reads."""
    d = sync_device_state.c
    return sa.exists().where(
        d.court_id == court_id, d.device_id == device_id,
        d.pulled_at > sa.func.now() - PULLED_AT_EVERY,
        sa.or_(sa.tuple_(d.acked_xid, d.acked_seq) > sa.tuple_(AFTER_XID, AFTER_SEQ),
               sa.and_(d.acked_xid == AFTER_XID, d.acked_seq == AFTER_SEQ,
                       d.acked_digest == CURSOR_SNAPSHOT)),
        d.issued_digest == CURSOR_SNAPSHOT)


def _record_pull_params(court_id: str, pull: DevicePull) -> dict[str, Any]:
    return {"court": court_id, "device": pull.device_id, "sent_xid": pull.sent.xid,
            "sent_seq": pull.sent.seq, "sent_digest": pull.sent_snapshot,
            "issued": pull.issued_snapshot}


_RECORD_PULL = sa.text("""
    WITH RECURSIVE old AS (
        SELECT acked_xid, acked_seq, acked_digest,
               (SELECT created_at FROM sync_scope_snapshot AS s
                WHERE s.court_id = :court AND s.digest = d.acked_digest) AS acked_at
        FROM sync_device_state AS d
        WHERE court_id = :court AND device_id = :device FOR UPDATE
    ), sent AS (
        SELECT (SELECT created_at FROM sync_scope_snapshot AS s
                WHERE s.court_id = :court AND s.digest = CAST(:sent_digest AS varchar)) AS at
    ), acked AS (  -- the furthest confirmed cursor: a stale duplicate never moves it back
        SELECT CASE WHEN moved_back THEN old.acked_xid ELSE :sent_xid END AS xid,
               CASE WHEN moved_back THEN old.acked_seq ELSE :sent_seq END AS seq,
               CASE WHEN moved_back THEN old.acked_digest
                    ELSE CAST(:sent_digest AS varchar) END AS digest,
               old.acked_digest AS old_digest
        FROM sent
        LEFT JOIN old ON true
        -- At one position (a page of records that entered the scope, no feed row) cursors
        -- differ by their snapshot alone: the one written later is the newer. A cursor
        -- whose snapshot is not newer than the confirmed one's (a late duplicate of an
        -- earlier page's request) leaves it confirmed; were it taken as newer, the
        -- snapshot the device holds would go.
        CROSS JOIN LATERAL (SELECT coalesce(
            (old.acked_xid, old.acked_seq) > (:sent_xid, :sent_seq)
            OR ((old.acked_xid, old.acked_seq) = (:sent_xid, :sent_seq)
                AND old.acked_digest IS DISTINCT FROM CAST(:sent_digest AS varchar)
                AND old.acked_at IS NOT NULL AND coalesce(sent.at <= old.acked_at, true)),
            false) AS moved_back) m
    ), written AS (
        INSERT INTO sync_device_state AS d (court_id, device_id, acked_xid, acked_seq,
                                           acked_digest, issued_digest, pulled_at)
        SELECT :court, :device, xid, seq, digest, :issued, now() FROM acked
        ON CONFLICT (court_id, device_id) DO UPDATE SET
            acked_xid = excluded.acked_xid, acked_seq = excluded.acked_seq,
            acked_digest = excluded.acked_digest, issued_digest = excluded.issued_digest,
            pulled_at = excluded.pulled_at
        RETURNING 1
    ), doomed AS (
        -- The device confirmed a newer cursor: it never sends the older one again, so the
        -- snapshot that one named goes unless another cursor names it or a kept snapshot
        -- is a delta on it; then, up its chain, each base no cursor names whose only
        -- delta goes. A replaced ``issued`` snapshot is left to pruning (and keeps its
        -- chain): the request that replaced it may be a stale duplicate while the device
        -- holds the cursor naming it.
        SELECT s.digest, s.base_digest, s.depth FROM sync_scope_snapshot AS s, acked AS a
        WHERE s.court_id = :court AND s.digest = a.old_digest
          AND a.digest IS DISTINCT FROM a.old_digest
          AND s.digest IS DISTINCT FROM CAST(:issued AS varchar)
          AND NOT EXISTS (SELECT 1 FROM sync_device_state AS o
                          WHERE o.court_id = :court AND o.device_id <> :device
                            AND (o.acked_digest = s.digest OR o.issued_digest = s.digest))
          AND NOT EXISTS (SELECT 1 FROM sync_scope_snapshot AS c
                          WHERE c.court_id = :court AND c.base_digest = s.digest)
        UNION ALL
        SELECT s.digest, s.base_digest, s.depth
        FROM doomed AS d
        JOIN sync_scope_snapshot AS s ON s.court_id = :court AND s.digest = d.base_digest
                                     AND s.depth < d.depth
        CROSS JOIN acked AS a
        WHERE s.digest IS DISTINCT FROM a.digest
          AND s.digest IS DISTINCT FROM CAST(:issued AS varchar)
          AND NOT EXISTS (SELECT 1 FROM sync_device_state AS o
                          WHERE o.court_id = :court AND o.device_id <> :device
                            AND (o.acked_digest = s.digest OR o.issued_digest = s.digest))
          AND NOT EXISTS (SELECT 1 FROM sync_scope_snapshot AS c
                          WHERE c.court_id = :court AND c.base_digest = s.digest
                            AND c.digest <> d.digest)
    )
    DELETE FROM sync_scope_snapshot AS s
    USING doomed AS d
    WHERE s.court_id = :court AND s.digest = d.digest
""")
"""``record_pull``'s write in one statement (it was three: lock, upsert, delete). The
parts see one snapshot, so "still named" looks at the other devices' rows and at this
device's new values explicitly; ``written`` runs whether or not it is read."""


def _acked(old: Any, pull: DevicePull) -> tuple[Position, str | None]:
    """The furthest confirmed cursor: a stale duplicate pull never moves it back. (Only to
    skip a write that would change nothing: at one position ``_RECORD_PULL`` also orders
    the snapshots, which this takes as moving on, so it writes.)"""
    if old is not None and Position(old.acked_xid, old.acked_seq) > pull.sent:
        return Position(old.acked_xid, old.acked_seq), old.acked_digest
    return pull.sent, pull.sent_snapshot


def _referenced(court_id: str) -> Any:
    d = sync_device_state.c
    return sa.union(
        sa.select(d.acked_digest).where(d.court_id == court_id, d.acked_digest.is_not(None)),
        sa.select(d.issued_digest).where(d.court_id == court_id, d.issued_digest.is_not(None)),
    )


def drop_unreferenced(session: Session, court_id: str, names: set[str]) -> int:
    """Delete these snapshots unless some device's cursor still names them (or a snapshot
    kept is a delta on them)."""
    if not names:
        return 0
    s = sync_scope_snapshot.c
    # Session.execute is typed as returning a Result; a DELETE's is a CursorResult.
    result = cast("sa.CursorResult[Any]", session.execute(delete_unneeded(
        court_id, sa.and_(s.digest.in_(names), s.digest.not_in(_referenced(court_id))))))
    return int(result.rowcount or 0)


def delete_unneeded(court_id: str, doomed: sa.ColumnElement[bool]) -> sa.Delete:
    """Delete the court's snapshots that match ``doomed`` (a clause on
    ``sync_scope_snapshot``), except those a kept snapshot depends on: a snapshot that
    does not match is kept, and so is every snapshot down its chain."""
    s = sync_scope_snapshot
    kept = sa.select(s.c.base_digest.label("digest")).where(
        s.c.court_id == court_id, s.c.base_digest.is_not(None), sa.not_(doomed),
    ).cte("needed", recursive=True)
    base = s.alias("base")
    needed = kept.union(sa.select(base.c.base_digest).where(
        base.c.court_id == court_id, base.c.digest == kept.c.digest,
        base.c.base_digest.is_not(None)))
    return sa.delete(s).where(s.c.court_id == court_id, doomed,
                              s.c.digest.not_in(sa.select(needed.c.digest)))
