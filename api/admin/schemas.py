"""The admin health report, as the JSON endpoint returns it."""

from __future__ import annotations

import marshmallow as ma


class DatabaseHealthSchema(ma.Schema):
    reachable = ma.fields.Boolean()
    latency_ms = ma.fields.Float(metadata={"description": "Round trip of `SELECT 1`"})
    revisions = ma.fields.List(ma.fields.String(),
                               metadata={"description": "Alembic revisions applied"})
    head_revisions = ma.fields.List(ma.fields.String(),
                                    metadata={"description": "Revisions this release expects"})
    at_head = ma.fields.Boolean(metadata={"description": "false: run `alembic upgrade head`"})


class DiskHealthSchema(ma.Schema):
    path = ma.fields.String(metadata={"description": "The attachments folder"})
    free_bytes = ma.fields.Integer()
    total_bytes = ma.fields.Integer()
    warn_below_bytes = ma.fields.Integer()
    low = ma.fields.Boolean()


class DeviceGroupLagSchema(ma.Schema):
    role = ma.fields.String()
    devices = ma.fields.Integer(metadata={"description": "Devices not revoked"})
    behind = ma.fields.Integer(
        metadata={"description": "Devices whose last sync is older than the newest change"})
    least_recent_sync_at = ma.fields.DateTime(allow_none=True)
    oldest_unacknowledged_change_at = ma.fields.DateTime(
        allow_none=True, metadata={"description": "First change after the group's least "
                                   "recent sync (court-wide)"})


class SyncLagSchema(ma.Schema):
    oldest_open_transaction_seconds = ma.fields.Float(
        metadata={"description": "Age of the oldest writing transaction: pulls hand out no "
                  "change that commits after it started until it ends"})
    changes_waiting = ma.fields.Integer(
        metadata={"description": "Committed changes held back by that transaction"})
    oldest_waiting_change_at = ma.fields.DateTime(allow_none=True)
    newest_change_at = ma.fields.DateTime(allow_none=True)
    device_groups = ma.fields.List(ma.fields.Nested(DeviceGroupLagSchema))


class StaleDeviceSchema(ma.Schema):
    device_id = ma.fields.String()
    name = ma.fields.String()
    username = ma.fields.String()
    role = ma.fields.String()
    last_seen_at = ma.fields.DateTime(allow_none=True)


class StaleDevicesSchema(ma.Schema):
    days = ma.fields.Integer(metadata={"description": "HEALTH_DEVICE_STALE_DAYS"})
    count = ma.fields.Integer()
    devices = ma.fields.List(ma.fields.Nested(StaleDeviceSchema),
                             metadata={"description": "The 50 quietest, oldest first"})


class OpenConflictsSchema(ma.Schema):
    open = ma.fields.Integer()
    oldest_open_at = ma.fields.DateTime(allow_none=True)


class HealthSchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "`ok` or `warning`"})
    warnings = ma.fields.List(ma.fields.String(), metadata={
        "description": "migrations_pending, disk_low, devices_not_seen, sync_held_back, "
                       "conflicts_open"})
    checked_at = ma.fields.DateTime()
    database = ma.fields.Nested(DatabaseHealthSchema)
    disk = ma.fields.Nested(DiskHealthSchema)
    sync = ma.fields.Nested(SyncLagSchema)
    stale_devices = ma.fields.Nested(StaleDevicesSchema)
    conflicts = ma.fields.Nested(OpenConflictsSchema)
