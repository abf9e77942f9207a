"""Reports as files: CSV (UTF-8 with a BOM, so Excel shows the Chinese) or XLSX, with
column headers in the language of ``Accept-Language`` (Chinese by default), translated
through the gettext catalogs.

A file cannot run code in the judge's spreadsheet: any text that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return (OWASP's list of what Excel and LibreOffice read as
a formula or DDE call) is written with a leading single quote, in CSV and XLSX alike, and
every XLSX text cell is typed as text. Free text (names, grounds, notes) reaches these files,
so this is the one place every export goes through. Numbers stay numbers, negative ones
included: only text is neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response

from api.messages import request_locale

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """Text that a spreadsheet would evaluate, made literal with a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: Any
    """A lazy gettext string (``_l("Leads accepted")``): translated when the file is made."""


def file_content_doc(description: str, schema: Any) -> dict[str, Any]:
    """The OpenAPI ``200`` of a report that is JSON (``schema``) by default and a file with
    ``format``."""
    return {"200": {"description": description, "content": {
        "application/json": {"schema": schema},
        CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
        XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
    }}}


def file_response(stem: str, columns: Sequence[Column], rows: Sequence[dict[str, Any]],
                  fmt: str) -> Response:
    """``rows`` (dicts keyed by ``Column.key``) as ``<stem>.csv`` or ``<stem>.xlsx``."""
    header = [inert(str(c.title)) for c in columns]
    table = [[inert(_cell(row.get(c.key))) for c in columns] for row in rows]
    if fmt == "xlsx":
        body, mimetype = _xlsx(stem, header, table), XLSX_MEDIA_TYPE
    else:
        body, mimetype = _csv(header, table), f"{CSV_MEDIA_TYPE}; charset=utf-8"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    response.headers["Content-Language"] = request_locale()
    return response


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _csv(header: list[str], table: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in table:
        writer.writerow(["" if v is None else str(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(stem: str, header: list[str], table: list[list[Any]]) -> bytes:
    from openpyxl import Workbook  # on the first export: ~30 MB a worker need not hold
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.worksheets[0]  # the new book's one (active) sheet
    sheet.title = stem[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    for row in table:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        for cell, value in zip(sheet[sheet.max_row], row, strict=True):
            if isinstance(value, Decimal):
                cell.number_format = "0.00"  # yuan and cents, as the court writes them
            elif isinstance(value, str):
                cell.data_type = "s"  # text, never a formula, whatever it looks like
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
