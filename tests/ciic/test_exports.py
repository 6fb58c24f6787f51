"""ciic.exports: CSV and XLSX that a spreadsheet opens without running anything."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ciic.exports import cell_safe, csv_bytes, csv_response, xlsx_bytes, xlsx_response

EVIL = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("text", EVIL)
def test_formula_starts_are_neutralised(text):
    assert cell_safe(text) == "'" + text


def test_ordinary_values_stay_as_they_are():
    assert cell_safe("Parc în Drumul Taberei") == "Parc în Drumul Taberei"
    assert cell_safe(-5) == -5 and cell_safe(Decimal("180000.50")) == Decimal("180000.50")
    assert cell_safe(None) == "" and cell_safe(True) is True
    assert cell_safe(dt.date(2026, 11, 29)) == dt.date(2026, 11, 29)


def test_csv_has_a_bom_semicolons_and_safe_cells():
    data = csv_bytes(["Titlu", "Cost"], [[EVIL[0], Decimal("1500.00")], ["Școală", 3]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["Titlu", "Cost"], ["'" + EVIL[0], "1500.00"], ["Școală", "3"]]


def test_xlsx_cells_are_text_or_typed_values_never_formulas():
    content = xlsx_bytes(
        ["Title", "Cost", "When"],
        [[t, 1, dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)] for t in EVIL],
        sheet="Evaluări",
    )
    wb = load_workbook(io.BytesIO(content))
    ws = wb["Evaluări"]
    assert [c.value for c in ws[1]] == ["Title", "Cost", "When"]
    for row, text in zip(ws.iter_rows(min_row=2), EVIL, strict=True):
        # XML may turn a carriage return into a line feed; the apostrophe stays first
        assert row[0].value.replace("\n", "\r") == ("'" + text).replace("\n", "\r")
        assert row[0].data_type == "s"
        assert row[1].value == 1
        assert row[2].value == dt.datetime(2026, 11, 29, 10, 0)


def test_responses_are_private_attachments():
    r = csv_response("a.csv", ["x"], [[1]])
    assert r["Content-Disposition"] == 'attachment; filename="a.csv"'
    assert r["Cache-Control"] == "private, no-store" and r["Content-Type"].startswith("text/csv")
    r = xlsx_response("a.xlsx", ["x"], [[1]])
    assert r["Content-Type"].endswith("spreadsheetml.sheet")
