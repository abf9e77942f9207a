"""The WatermelonDB protocol on top of the engine: pull ``{changes, timestamp}`` and push
``{changes}`` with raw records (``id`` and column names), as ``synchronize()`` sends them.

**Timestamp.** Watermelon wants a number. It is the feed's commit horizon: the oldest
transaction id still running (``pg_snapshot_xmin``), read before the changes. A pull hands
out every change with ``last_pulled_at <= xid < timestamp``: those transactions are over,
and any later change gets an xid at or above the horizon, so the next pull (from this
timestamp) finds it. A change that commits late is never skipped. A first pull (no
``last_pulled_at``) has no upper bound: a new phone gets all it may see at once, and what
committed past the horizon comes once more. xids are 64-bit with the
epoch but far below 2^53, so they are safe JavaScript numbers.

**Bases.** Watermelon sends whole records and no base; its pull keeps locally edited
columns over the server's. So the server remembers per device and record the values the
device holds unchanged (``sync_device_base.base``) and what later pulls sent it
(``pending``). A record absent from a push had no local edit, so its pending values
become its base; a pushed record is merged three-way against its base and its values
become the new base. A shared field both sides changed is a conflict, as in the native
protocol. When unsure (the device pulled a newer value and then edited the field) the
merge errs towards a conflict: a person decides, nothing is overwritten blindly.

**Scope changes.** The bases also say what each device holds, so a pull adds the records
that entered its scope without changing (older than ``last_pulled_at``, never sent to it)
and answers records it holds that left its scope as deleted: no full download.

**Contract.** A push that contains a record changed on the server after
``last_pulled_at`` is refused whole (``PullFirst``): the device pulls and pushes again.
Everything else applies in one transaction through the engine (receipts, merge, conflicts,
field ownership). Every record the push touched is moved up the feed, so the next pull
sends the server's version back and the device converges. A record refused whole is
answered in ``experimentalRejectedIds``, so ``synchronize()`` leaves it unsynced on the
phone, and kept in ``sync.rejections`` for its author and the court; it is never sent back
as deleted unless a person discards it.

**What a phone means.** WatermelonDB sends every column of a record: a created record's
``null`` is "not set" (defaults apply, as on a REST create), and an updated record changes
only the columns its ``_changed`` names. Columns (``sync.watermelon.columns``) follow each
field's kind; the app's schema itself comes from ``sync.watermelon.schema``.
"""

from __future__ import annotations

from sync.opening import Admission
from sync.watermelon.columns import from_columns, to_columns
from sync.watermelon.pull import pull
from sync.watermelon.push import InvalidPush, PullFirst, push, rejected_ids
from sync.watermelon.schema import app_schema, latest_version

__all__ = ["Admission", "InvalidPush", "PullFirst", "app_schema", "from_columns",
           "latest_version", "pull", "push", "rejected_ids", "to_columns"]
