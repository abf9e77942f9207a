"""Operator commands: ``flask audit verify``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from enforcement import audit
from enforcement.errors import NotFound


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
        reports = audit.verify_courts(current_app.extensions["gridwork"].db, court_code)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from exc
    broken = [r for r in reports if not r.ok]
    for report in reports:
        status = ("ok 完好" if report.ok
                  else f"BROKEN 已损坏 at #{report.broken_at}: {report.problem}")
        click.echo(f"{report.court_code}\t{report.entries} entries\t{status}")
    if broken:
        raise SystemExit(1)
