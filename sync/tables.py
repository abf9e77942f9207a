"""The sync engine's own tables: the change feed, push receipts and conflicts.

They live on the shared metadata so that Alembic manages them with the rest of the schema,
but are plain Core tables: ``sync`` knows the domain's tables only through sync specs.
Constraint names are given whole (``conv``) so they do not depend on import order.

``sync_change`` holds *one row per record*: the trigger ``sync_record_change`` (created by
the migration on every synced table; ``lead``, written in bulk by pushes, has its own
``sync_lead_change`` with the same effect, without the JSON round trip, and for INSERTs a
statement-level ``sync_lead_inserted`` that writes a whole statement's rows at once)
upserts it on each write, giving it a fresh position.
A device that is behind sees the record once, at its newest position; one that is ahead
never needed the old position. So the feed is compacted for free and a bootstrap reads one
row per record. Positions are ``(xid, seq)``: see ``sync.feed``.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.sql.elements import conv
from sqlmodel import SQLModel

metadata = SQLModel.metadata

ID = sa.String(36)
DEVICE_ID = sa.String(64)

sync_change = sa.Table(
    "sync_change",
    metadata,
    sa.Column("court_id", ID, nullable=False),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("record_id", ID, nullable=False),
    sa.Column("seq", sa.BigInteger, sa.Identity(always=False), nullable=False),
    sa.Column("xid", sa.BigInteger, nullable=False,
              comment="pg_current_xact_id() of the writing transaction, as bigint"),
    sa.Column("op", sa.String(8), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Column("author_id", ID),
    sa.Column("village_grid_id", ID),
    sa.Column("township_id", ID),
    sa.Column("case_id", ID),
    sa.PrimaryKeyConstraint("court_id", "table_name", "record_id", name=conv("pk_sync_change")),
    sa.ForeignKeyConstraint(["court_id"], ["court.id"],
                            name=conv("fk_sync_change_court_id_court")),
    sa.CheckConstraint("op IN ('upsert', 'delete')", name=conv("ck_sync_change_op")),
    sa.Index("ix_sync_change_feed", "court_id", "xid", "seq"),
    sa.Index("ix_sync_change_author", "court_id", "author_id"),
    sa.Index("ix_sync_change_grid", "court_id", "village_grid_id"),
)

sync_receipt = sa.Table(
    "sync_receipt",
    metadata,
    sa.Column("court_id", ID, nullable=False),
    sa.Column("device_id", DEVICE_ID, nullable=False),
    sa.Column("mutation_id", sa.String(64), nullable=False),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("record_id", ID, nullable=False),
    sa.Column("result", JSONB, nullable=False),
    sa.Column("mutation", JSONB, nullable=False,
              comment="the mutation as sent: even a rejected one is kept"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.PrimaryKeyConstraint("court_id", "device_id", "mutation_id", name=conv("pk_sync_receipt")),
    sa.ForeignKeyConstraint(["court_id", "device_id"], ["device.court_id", "device.id"],
                            ondelete="CASCADE",
                            name=conv("fk_sync_receipt_court_id_device_id_device")),
)

sync_rejection = sa.Table(
    "sync_rejection",
    metadata,
    sa.Column("court_id", ID, nullable=False),
    sa.Column("id", ID, nullable=False),
    sa.Column("device_id", DEVICE_ID, nullable=False),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("record_id", ID, nullable=False),
    sa.Column("author_id", ID, nullable=False),
    sa.Column("op", sa.String(16), nullable=False),
    sa.Column("mutation", JSONB, nullable=False, comment="the latest refused mutation, as sent"),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("detail", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="1"),
    sa.Column("status", sa.String(16), nullable=False, server_default="open"),
    sa.Column("first_refused_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Column("last_refused_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Column("resolved_by", ID),
    sa.Column("resolved_at", sa.DateTime(timezone=True)),
    sa.Column("discard_sent_in", sa.BigInteger,
              comment="WatermelonDB: the pull timestamp that first told the device to drop "
              "the discarded record; sent again until the device pulls past it"),
    sa.PrimaryKeyConstraint("court_id", "id", name=conv("pk_sync_rejection")),
    sa.UniqueConstraint("court_id", "device_id", "table_name", "record_id",
                        name=conv("uq_sync_rejection_court_id_device_id_table_name_record_id")),
    sa.ForeignKeyConstraint(["court_id"], ["court.id"],
                            name=conv("fk_sync_rejection_court_id_court")),
    sa.CheckConstraint("status IN ('open', 'fixed', 'discarded')",
                       name=conv("ck_sync_rejection_status")),
    sa.Index("ix_sync_rejection_status", "court_id", "status"),
)
"""A record a device sent that the server refused whole: kept (with the mutation as sent)
and listed for its author and the court until a later push of it applies (``fixed``) or a
person discards it. One row per device and record; each new refusal reopens it."""

sync_conflict = sa.Table(
    "sync_conflict",
    metadata,
    sa.Column("court_id", ID, nullable=False),
    sa.Column("id", ID, nullable=False),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("record_id", ID, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("field", sa.String(64)),
    sa.Column("device_id", DEVICE_ID, nullable=False),
    sa.Column("author_id", ID, nullable=False),
    sa.Column("mutation_id", sa.String(64), nullable=False),
    sa.Column("base_known", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("base_value", JSONB),
    sa.Column("server_value", JSONB),
    sa.Column("client_value", JSONB),
    sa.Column("status", sa.String(16), nullable=False, server_default="open"),
    sa.Column("resolution", sa.String(16)),
    sa.Column("resolved_value", JSONB),
    sa.Column("resolved_by", ID),
    sa.Column("resolved_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.PrimaryKeyConstraint("court_id", "id", name=conv("pk_sync_conflict")),
    sa.ForeignKeyConstraint(["court_id"], ["court.id"],
                            name=conv("fk_sync_conflict_court_id_court")),
    sa.CheckConstraint("kind IN ('field', 'edit_deleted', 'delete_edited')",
                       name=conv("ck_sync_conflict_kind")),
    sa.CheckConstraint("status IN ('open', 'resolved')", name=conv("ck_sync_conflict_status")),
    sa.CheckConstraint(
        "resolution IS NULL OR resolution IN ('take_server', 'take_client', 'merged')",
        name=conv("ck_sync_conflict_resolution"),
    ),
    sa.Index("ix_sync_conflict_open", "court_id", "status", "author_id"),
    sa.Index("ix_sync_conflict_record", "court_id", "table_name", "record_id"),
)

sync_scope_snapshot = sa.Table(
    "sync_scope_snapshot",
    metadata,
    sa.Column("court_id", ID, nullable=False),
    sa.Column("digest", sa.String(32), nullable=False),
    sa.Column("user_id", ID, nullable=False),
    sa.Column("record_keys", ARRAY(sa.Text), nullable=False,
              comment="'table:record_id' of every record a device holds after a pull; "
              "of a delta (base_digest set): the keys it adds to its base"),
    sa.Column("removed_keys", ARRAY(sa.Text), nullable=False, server_default="{}",
              comment="of a delta: the keys it takes from its base (before adding)"),
    sa.Column("base_digest", sa.String(32),
              comment="the snapshot this one is a delta on; NULL: record_keys is whole"),
    sa.Column("depth", sa.Integer, nullable=False, server_default="0",
              comment="deltas between this snapshot and the whole one its chain starts at"),
    sa.Column("chain_keys", sa.Integer, nullable=False, server_default="0",
              comment="keys added and removed by the deltas of the chain up to this one"),
    sa.Column("root_keys", sa.Integer, nullable=False, server_default="0",
              comment="keys of the whole snapshot the chain starts at"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Column("verified_xid", sa.BigInteger),
    sa.Column("verified_seq", sa.BigInteger,
              comment="with verified_xid: the cursor position the verification holds for"),
    sa.Column("verified_snapshot", sa.Text,
              comment="pg_snapshot of the pull that verified these keys against the scope"),
    sa.Column("verified_clock", sa.Text,
              comment="the registry's scope clock then (time-dependent scope rules)"),
    sa.Column("verified_at", sa.DateTime(timezone=True)),
    sa.PrimaryKeyConstraint("court_id", "digest", name=conv("pk_sync_scope_snapshot")),
    sa.ForeignKeyConstraint(["court_id"], ["court.id"],
                            name=conv("fk_sync_scope_snapshot_court_id_court")),
    sa.Index("ix_sync_scope_snapshot_base", "court_id", "base_digest"),
)
"""What a device holds after a pull, named by the cursor it was handed: the next pull
diffs it against the current scope to find evictions and records that entered the scope
(``sync.scope``). A whole snapshot is content-addressed; a page's snapshot is usually a
*delta* on the previous one (``base_digest``), so that writing it costs what the page
changed, not what the device holds."""

sync_scope_input_change = sa.Table(
    "sync_scope_input_change",
    metadata,
    sa.Column("court_id", ID, nullable=False),
    sa.Column("xid", sa.BigInteger, nullable=False,
              comment="pg_current_xact_id() of the writing transaction, as bigint"),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.PrimaryKeyConstraint("court_id", "xid", "table_name",
                            name=conv("pk_sync_scope_input_change")),
)
"""Which transactions wrote the tables of ``SCOPE_INPUT_TABLES``: one row per transaction and
table (trigger ``sync_scope_input_touch``). Scopes read these tables, which have no feed
rows, so a pull learns from here whether a scope may have moved since it was last verified
(``sync.scope.still_verified``). No foreign key: it is a log, pruned by age."""

sync_device_state = sa.Table(
    "sync_device_state",
    metadata,
    sa.Column("court_id", ID, nullable=False),
    sa.Column("device_id", DEVICE_ID, nullable=False),
    sa.Column("acked_xid", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("acked_seq", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("acked_digest", sa.String(32)),
    sa.Column("issued_digest", sa.String(32)),
    sa.Column("pulled_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.PrimaryKeyConstraint("court_id", "device_id", name=conv("pk_sync_device_state")),
    sa.ForeignKeyConstraint(["court_id", "device_id"], ["device.court_id", "device.id"],
                            ondelete="CASCADE",
                            name=conv("fk_sync_device_state_court_id_device_id_device")),
)
"""Per device: the furthest feed position it has confirmed (by sending a cursor), when it
last pulled, and the snapshots its cursors name (kept while referenced)."""

sync_prune_mark = sa.Table(
    "sync_prune_mark",
    metadata,
    sa.Column("court_id", ID, nullable=False),
    sa.Column("xid", sa.BigInteger, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("pruned_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.PrimaryKeyConstraint("court_id", name=conv("pk_sync_prune_mark")),
    sa.ForeignKeyConstraint(["court_id"], ["court.id"],
                            name=conv("fk_sync_prune_mark_court_id_court")),
)
"""The newest feed position of a pruned tombstone: a cursor behind it may have missed a
delete, so its device must bootstrap again."""

SYNCED_TABLES = ("lead", "sighting", "mediation_note", "task_answer", "visit", "township",
                 "village_grid", "task", "enforcement_case", "party", "round_target")
"""Tables the migration puts the change trigger on (those with ``version`` and
``deleted_at``; ``round_target`` has neither: its feed rows carry version 1 and a deleted
stop is a hard delete's tombstone). A table without a registered spec is recorded but never
pulled."""

sync_device_base = sa.Table(
    "sync_device_base",
    metadata,
    sa.Column("court_id", ID, nullable=False),
    sa.Column("device_id", DEVICE_ID, nullable=False),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("record_id", ID, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("base", JSONB, nullable=False,
              comment="values the device last held unchanged: the base of its next edit"),
    sa.Column("pending_version", sa.Integer),
    sa.Column("pending", JSONB, comment="values sent by a later pull, not yet known to be "
              "the device's base (it may have had local edits when they arrived)"),
    sa.PrimaryKeyConstraint("court_id", "device_id", "table_name", "record_id",
                            name=conv("pk_sync_device_base")),
    sa.ForeignKeyConstraint(["court_id", "device_id"], ["device.court_id", "device.id"],
                            ondelete="CASCADE",
                            name=conv("fk_sync_device_base_court_id_device_id_device")),
)
"""Per device and record, the values a WatermelonDB device based its edits on. That
protocol sends whole records without a base, and its pull keeps locally edited columns
over the server's, so without this a clash on a shared field would be overwritten
blindly (see ``sync.watermelon``)."""

sync_watermelon_verified = sa.Table(
    "sync_watermelon_verified",
    metadata,
    sa.Column("court_id", ID, nullable=False),
    sa.Column("device_id", DEVICE_ID, nullable=False),
    sa.Column("pulled_at_xid", sa.BigInteger, nullable=False,
              comment="the timestamp handed out: the verification holds for a pull from it"),
    sa.Column("verified_snapshot", sa.Text, nullable=False,
              comment="pg_snapshot of the pull that verified the device's bases"),
    sa.Column("verified_clock", sa.Text,
              comment="the registry's scope clock then (time-dependent scope rules)"),
    sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.PrimaryKeyConstraint("court_id", "device_id", name=conv("pk_sync_watermelon_verified")),
    sa.ForeignKeyConstraint(["court_id", "device_id"], ["device.court_id", "device.id"],
                            ondelete="CASCADE",
                            name=conv("fk_sync_watermelon_verified_court_id_device_id_device")),
)
"""Per WatermelonDB device: the pull after which its bases were exactly its scope, as the
native protocol's ``sync_scope_snapshot.verified_*`` (``sync.scope.checking``): a pull
from that timestamp skips comparing the bases with the whole scope when nothing it reads changed."""

SCOPE_INPUT_TABLES = ("grid_assignment", "case_party", "credit_repair", "task_grid",
                      "case_mediator", "case_follow", "round_team", "enforcement_round")
"""Tables that scopes read but that have no feed rows: their writes are logged in
``sync_scope_input_change`` instead. A scope reading a table that is neither here nor in
``SYNCED_TABLES`` is verified in full on every pull (tests/sync/test_scope_inputs.py lists
each role's tables)."""
