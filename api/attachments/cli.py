"""``flask attachments expire``: delete uploads that phones began and abandoned.

Register with ``app.cli.add_command(attachments_cli)``; run it from cron (daily is plenty).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from enforcement.attachments.expiry import expire_abandoned
from enforcement.attachments.files import AttachmentFiles

attachments_cli = AppGroup("attachments", help="Attachment store maintenance.\n\n附件存储维护。")


@attachments_cli.command("expire")
@click.option("--dry-run", is_flag=True,
              help="Count what would be deleted and change nothing. 只统计，不删除。")
def expire(dry_run: bool) -> None:
    """Delete every unfinished upload left untouched past its Upload-Expires
    (ATTACHMENT_UPLOAD_EXPIRY_HOURS), bytes and all. Complete files are never touched.

    删除超过 ATTACHMENT_UPLOAD_EXPIRY_HOURS 未续传的未完成上传及其数据；已完成的附件不受影响。
    """
    db = current_app.extensions["gridwork"].db
    files = AttachmentFiles(Path(current_app.config["ATTACHMENTS_DIR"]))
    count = expire_abandoned(db, files, dry_run=dry_run)
    verb = "would delete 将删除" if dry_run else "deleted 已删除"
    click.echo(f"{verb}: {count} abandoned uploads 个已失效的未完成上传")
