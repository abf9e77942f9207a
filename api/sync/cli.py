"""``flask sync prune``: keep the sync engine's bookkeeping from growing forever.

Register with ``app.cli.add_command(sync_cli)``.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from enforcement.errors import DomainError
from enforcement.syncing import usecases as syncing

sync_cli = AppGroup("sync", help="Offline sync maintenance.\n\n离线同步维护。")


@sync_cli.command("prune")
@click.option("--dry-run", is_flag=True,
              help="Count what would be pruned and change nothing. 只统计，不删除。")
@click.option("--days", type=int, default=None,
              help="Horizon in days (default SYNC_PRUNE_HORIZON_DAYS). "
                   "保留期（天），默认取 SYNC_PRUNE_HORIZON_DAYS。")
def prune(dry_run: bool, days: int | None) -> None:
    """Remove tombstones, push receipts and scope snapshots older than the horizon that
    no active device still needs. A device that has not pulled for longer than the horizon
    must bootstrap again.

    删除超过保留期、且所有活跃设备都已不再需要的删除标记、推送回执和范围快照；
    超过保留期未同步的设备需要重新完整同步。
    """
    ext = current_app.extensions["gridwork"]
    horizon = days if days is not None else int(current_app.config["SYNC_PRUNE_HORIZON_DAYS"])
    try:
        reports = syncing.prune(ext.db, horizon, dry_run=dry_run)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    verb = "would prune 将删除" if dry_run else "pruned 已删除"
    for r in reports:
        click.echo(f"{r.court_id}\t{verb}: {r.tombstones} tombstones 删除标记, "
                   f"{r.receipts} receipts 回执, {r.snapshots} snapshots 快照 "
                   f"({r.active_devices} active devices 活跃设备)")
    total = sum(r.tombstones + r.receipts + r.snapshots for r in reports)
    click.echo(f"{verb}: {total} rows in {len(reports)} courts (horizon {horizon} days)")
