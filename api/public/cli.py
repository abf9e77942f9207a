"""``flask public code``: issue a party's case query code from the terminal, e.g. for the
demo (``make run`` prints one) or a court without the console at hand."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from enforcement.errors import DomainError
from enforcement.models import PartyRole
from enforcement.public import codes

public_cli = AppGroup("public", help=(
    "The parties' window: case query codes.\n\n当事人查询窗口：案件查询码。"))


@public_cli.command("code", help=(
    "Issue a new query code for the applicant (or a debtor) of a case, in the name of the "
    "case's judge; the party's previous code stops working. Without --case: a demo case. "
    "For a demo court it also prints the last four characters to type.\n\n"
    "为案件申请执行人（或被执行人）签发新的查询码，原查询码即时失效。"))
@click.option("--case", "case_number", default=None,
              help="The case number, e.g. (2024)甘1025执123号")
@click.option("--role", type=click.Choice(["applicant", "debtor"]), default="applicant",
              show_default=True)
def issue(case_number: str | None, role: str) -> None:
    try:
        result = codes.issue_from_command_line(current_app.extensions["gridwork"].db,
                                               case_number, PartyRole(role))
    except DomainError as error:
        raise click.ClickException(f"{error.code}: {error.detail}") from None
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/") or "http://127.0.0.1:8000"
    click.echo(f"Case 案件: {result.issued.case_number}  ({role}: {result.party_name})")
    click.echo(f"Query code 查询码: {result.issued.code}")
    if result.last_four:
        click.echo(f"Last four of the identity number 身份证号后四位: {result.last_four}")
    click.echo(f"Page 页面: {base}/public/case?code={result.issued.code}")
