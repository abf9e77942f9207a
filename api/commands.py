"""Operator commands: ``flask audit verify``, ``flask backup``, ``flask restore``,
``flask keys reseal``."""

from __future__ import annotations

import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from enforcement.errors import DomainError, NotFound
from enforcement.infrastructure import audit, backup, key_rotation
from enforcement.infrastructure.db import Database
from enforcement.models import utcnow


@click.group("audit", help="The audit log. 审计日志。")
def audit_cli() -> None:
    pass


@audit_cli.command("verify")
@click.option("--court", "court_code", default=None, help="Court code; default every court.")
@with_appcontext
def verify(court_code: str | None) -> None:
    """Check each court's hash chain and name the first broken entry.

    逐一校验各法院审计日志的哈希链，指出第一条被篡改或缺失的记录。Exits 1 when a chain is broken.
    """
    try:
        reports = audit.verify_courts(_db(), court_code)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from exc
    broken = [r for r in reports if not r.ok]
    for report in reports:
        status = ("ok 完好" if report.ok
                  else f"BROKEN 已损坏 at #{report.broken_at}: {report.problem}")
        click.echo(f"{report.court_code}\t{report.entries} entries\t{status}")
    if broken:
        raise SystemExit(1)


@click.group("keys", help="Personal-data keys. 个人信息加密密钥。")
def keys_cli() -> None:
    pass


@keys_cli.command("reseal")
@with_appcontext
def reseal() -> None:
    """Re-seal personal data sealed with an old key under PERSONAL_DATA_KEY.

    用当前密钥重新加密旧密钥加密的个人信息；之后即可从 PERSONAL_DATA_OLD_KEYS 中删除旧密钥。
    """
    for table, count in key_rotation.reseal(_db()).items():
        click.echo(f"{table}	{count} rows re-sealed 已重新加密")


@click.command("backup", help="Write the database and attachments to one file. 备份数据库和附件。")
@click.argument("archive", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(archive: Path | None) -> None:
    """Back up to ARCHIVE (default gridwork-backup-<UTC time>.tar in this folder)."""
    archive = archive or Path(f"gridwork-backup-{utcnow():%Y%m%d-%H%M%S}.tar")
    click.echo(f"Dumping the database to {archive} … 正在备份")
    try:
        manifest = backup.create_backup(_db(), archive, _attachments_dir())
    except OSError as exc:
        raise click.ClickException(
            f"cannot write {archive}: {exc.strerror or exc} 无法写入备份文件") from None
    except subprocess.CalledProcessError as exc:  # pg_dump: the database is down or missing
        said = str(exc.stderr or "").strip().splitlines()
        raise click.ClickException(
            f"database_unavailable: {said[-1] if said else exc} (check DATABASE_URL)") from None
    rows = sum(manifest.tables.values())
    click.echo(f"Done: {rows:,} rows in {len(manifest.tables)} tables, "
               f"{manifest.attachments} attachments, "
               f"schema {manifest.alembic_revision}. 备份完成。")


@click.command("restore", help="Restore a backup made by 'flask backup'. 从备份恢复。")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds courts.")
@with_appcontext
def restore_command(archive: Path, force: bool) -> None:
    """Restore ARCHIVE into DATABASE_URL, then check row counts and every audit chain."""
    try:
        report = backup.restore_backup(_db(), archive, _attachments_dir(), force=force)
    except DomainError as exc:  # one line: the first says what is wrong
        raise click.ClickException(str(exc).splitlines()[0].rstrip(": ")) from None
    for name, (expected, found) in report.mismatched_tables.items():
        click.echo(f"MISMATCH {name}: backup had {expected} rows, restored {found}", err=True)
    for chain in report.broken_chains:
        click.echo(f"AUDIT BROKEN {chain.court_code} at #{chain.broken_at}: {chain.problem}",
                   err=True)
    if not report.ok:
        raise SystemExit(1)
    click.echo(f"Restored {sum(report.manifest.tables.values()):,} rows from "
               f"{report.manifest.created_at}; counts match and audit chains verify. 恢复完成。")


def _db() -> Database:
    return current_app.extensions["gridwork"].db


def _attachments_dir() -> Path:
    return Path(current_app.config["ATTACHMENTS_DIR"])
