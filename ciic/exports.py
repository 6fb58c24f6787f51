"""Tables staff download: CSV and XLSX built from plain rows, safe to open in a
spreadsheet.

A cell a resident typed may begin with `=`, `+`, `-`, `@`, a tab or a carriage
return; a spreadsheet would read it as a formula ("formula injection", CWE-1236).
Every text cell is neutralised by `cell_safe` (prefixed with an apostrophe, as
OWASP recommends), in both formats; numbers, dates and booleans stay typed.

    return csv_response("assessments.csv", columns, rows)
    return xlsx_response("assessments.xlsx", columns, rows, sheet=_("Assessments"))

CSV is UTF-8 with a byte-order mark (so Excel shows diacritics) and `;` as
separator (what Romanian-locale spreadsheets expect)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cell_safe(value: Any) -> Any:
    """The value as a spreadsheet should store it: text that could start a
    formula gets a leading apostrophe; numbers and dates stay as they are."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | dt.date | dt.datetime):
        return value
    text = str(value)
    if text.startswith(DANGEROUS_FIRST):
        return "'" + text
    return text


def _csv_value(value: Any) -> str:
    value = cell_safe(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_value(c) for c in columns])
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = (str(sheet) or "Sheet")[:31]
    ws.append([cell_safe(c) for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = []
        for v in row:
            v = cell_safe(v)
            if isinstance(v, dt.datetime) and v.tzinfo is not None:
                v = v.replace(tzinfo=None)  # spreadsheets have no time zones; values are local
            values.append(v)
        ws.append(values)
    for cell in ws.iter_rows():
        for c in cell:
            if isinstance(c.value, str):
                c.data_type = "s"  # never a formula, whatever the text
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def csv_response(
    filename: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    return _attachment(csv_bytes(columns, rows), CSV_CONTENT_TYPE, filename)


def xlsx_response(
    filename: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str = ""
) -> HttpResponse:
    return _attachment(xlsx_bytes(columns, rows, sheet=sheet), XLSX_CONTENT_TYPE, filename)
