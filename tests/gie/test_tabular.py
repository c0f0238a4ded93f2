"""The kernel's exporters: tables to CSV and XLSX, HTML to PDF."""

import csv
import io
import logging
import subprocess
from datetime import date
from decimal import Decimal

import openpyxl

from gie.pdf import render_pdf
from gie.tabular import Table, guard_formula, to_csv, to_xlsx, unguard_formula

TABLE = Table(
    title="Balance: 2026/1",
    subtitle="COOP-101",
    headers=["Code", "Label", "Date", "Amount", "Count"],
    rows=[
        ["5141", "Banque", date(2026, 3, 31), Decimal("1234567.50"), 3],
        ["3421", '=HYPERLINK("http://x")', None, Decimal("-20.00"), None],
    ],
    totals=["Total", "", None, Decimal("1234547.50"), 3],
    strong=frozenset({1}),
)


def test_csv_is_comma_separated_with_point_decimals_and_iso_dates():
    rows = list(csv.reader(io.StringIO(to_csv(TABLE))))
    assert rows == [
        ["Code", "Label", "Date", "Amount", "Count"],
        ["5141", "Banque", "2026-03-31", "1234567.50", "3"],
        ["3421", '\'=HYPERLINK("http://x")', "", "-20.00", ""],  # never a formula
        ["Total", "", "", "1234547.50", "3"],
    ]


def test_xlsx_keeps_numbers_numbers_and_dates_dates():
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(TABLE, rtl=True))).active
    assert sheet["A1"].value == "Balance: 2026/1" and sheet["A1"].font.b
    assert sheet.sheet_view.rightToLeft
    header = next(row for row in sheet.iter_rows() if row[0].value == "Code")
    assert all(cell.font.b for cell in header)
    first = header[0].row + 1
    assert sheet.freeze_panes == f"A{first}"
    amount, when, count = sheet[f"D{first}"], sheet[f"C{first}"], sheet[f"E{first}"]
    assert Decimal(str(amount.value)) == Decimal("1234567.50")
    assert amount.number_format == "#,##0.00"
    assert when.value.date() == date(2026, 3, 31) and when.is_date
    assert count.value == 3
    formula = sheet[f"B{first + 1}"]
    assert formula.data_type == "s" and formula.value.startswith("=HYPERLINK")
    assert sheet[f"A{first + 2}"].value == "Total" and sheet[f"A{first + 2}"].font.b
    assert sheet.column_dimensions["D"].width >= len("1,234,567.50")


def test_pdf_prints_arabic_right_to_left_with_page_numbers(caplog):
    html = """<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"></head>
    <body><h1>ميزان المراجعة</h1><img src="file:///etc/hostname">
    <table><tr><td>5141</td><td class="num">1.234,50</td></tr></table></body></html>"""
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        data = render_pdf(html)
    assert data.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    assert "1.234,50" in text and "1/1" in text.replace(" ", "")
    assert "المراجعة" in text
    # nothing is fetched from the server's files or the network
    assert "disallowed protocol" in caplog.text


def test_formula_starts_are_guarded_and_negative_numbers_stay_numbers():
    cases = {
        '=HYPERLINK("x")': '\'=HYPERLINK("x")',
        "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
        "@SUM(A1)": "'@SUM(A1)",
        "-1+2": "'-1+2",
        "\t=1": "'\t=1",
        "\r=1": "'\r=1",
        "'=already quoted": "''=already quoted",
        "-12.50": "-12.50",
        "-12,50": "-12,50",
        "Banque": "Banque",
        "'plain": "'plain",
    }
    for text, written in cases.items():
        assert guard_formula(text) == written
        assert unguard_formula(written) == text
