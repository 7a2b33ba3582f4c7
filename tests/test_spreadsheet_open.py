"""Every export kind and the sales ranking, opened in LibreOffice Calc after
importing factories, complaints, visits and a rep whose text starts with
hostile prefixes (issue 18): once as CSV with the separators comma,
semicolon and Tab and "Evaluate formulas" on, once as XLSX.

In every file: no cell holds a formula, no row has more columns than the
header, every record is one row, and Chinese text reads correctly with the
character set left to Calc. In the XLSX files money is a number to the cent
shown as #,##0.00, counts are integers, and codes stay text (00123); a
table with every column kind of ``table_download`` (rates as percentages)
goes through the same checks.

Needs ``soffice`` (Debian's libreoffice-calc-nogui); without it the test is
skipped, unless ``REQUIRE_SOFFICE`` is set (``.ci/run`` sets it).
"""

import csv
import datetime
import io
import os
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from exchange.kinds import KINDS
from exchange.table_download import (COUNT, DATE, MONEY, NUMBER, RATE, TEXT, write_csv,
                                     write_xlsx)
from tests import spreadsheet
from tests.exchange_files import HOSTILE_TEXTS, hostile_load, load_everything

MARCH = "period=custom&from=2025-03-01&to=2025-03-31"
RANKINGS = {f"ranking-{level}": f"/sales/ranking.{{fmt}}?{MARCH}&level={level}"
            for level in ("regions", "reps", "factories")}
CJK = re.compile(r"[\u4e00-\u9fff]")
ALL_KINDS_HEADER = ["编码", "金额", "比率", "数量", "数值", "日期"]
ALL_KINDS = [TEXT, MONEY, RATE, COUNT, NUMBER, DATE]
ALL_KINDS_ROWS = [("00123", 1234.565, 0.7125, 12000, 1 / 3, datetime.date(2025, 3, 1))] + [
    (text, Decimal("-5"), 0.5, 0, -1.5, datetime.date(2025, 3, 2)) for text in HOSTILE_TEXTS]


@pytest.fixture
def soffice():
    if spreadsheet.SOFFICE is None:
        message = "LibreOffice Calc (soffice) is not installed: apt-get install libreoffice-calc-nogui"
        if os.environ.get("REQUIRE_SOFFICE"):
            pytest.fail(message + " (REQUIRE_SOFFICE is set)")
        pytest.skip(message)
    return spreadsheet.SOFFICE


def _records(name, data, fmt):
    """The export's own rows, as Python reads them (header first)."""
    if fmt == "csv":
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    sheet = load_workbook(io.BytesIO(data)).active
    return [["" if value is None else str(value) for value in row]
            for row in sheet.iter_rows(values_only=True)]


def _problems(name, records, rows):
    """What is wrong with Calc's reading ``rows`` of an export whose own
    rows are ``records``."""
    problems = []
    width = len(records[0])
    formulas = [(r, c, cell.formula) for r, row in enumerate(rows, 1)
                for c, cell in enumerate(row, 1) if cell.formula]
    if formulas:
        problems.append(f"{name}: formulas {formulas[:3]}")
    wide = [r for r, row in enumerate(rows, 1) if len(row) > width]
    if wide:
        problems.append(f"{name}: rows {wide[:5]} have more than {width} columns")
    if len(rows) != len(records):
        problems.append(f"{name}: {len(rows)} rows in Calc, {len(records)} in the file")
    shown = {cell.text for row in rows for cell in row}
    chinese = {field for record in records for field in record
               if CJK.search(field) and field.isprintable() and field[0] != "'"}
    if not chinese <= shown:
        problems.append(f"{name}: Chinese text misread: {sorted(chinese - shown)[:3]}")
    return problems


def test_every_export_opens_in_calc_without_formulas(soffice, app, runner, client_as, users,
                                                     tmp_path):
    load_everything(runner, tmp_path, hostile_load())
    admin = client_as("admin")
    urls = {kind: f"/export/{kind}.{{fmt}}" for kind in KINDS} | RANKINGS
    files, records = {"csv": [], "xlsx": []}, {}
    for name, url in urls.items():
        for fmt in ("csv", "xlsx"):
            response = admin.get(url.format(fmt=fmt))
            assert response.status_code == 200, (name, fmt)
            path = tmp_path / fmt / f"{name}.{fmt}"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(response.get_data())
            files[fmt].append(path)
            records[path.name] = _records(name, response.get_data(), fmt)
    for fmt, write in (("csv", write_csv), ("xlsx", write_xlsx)):
        path = tmp_path / fmt / f"all-kinds.{fmt}"
        with open(path, "wb") as handle:
            write(ALL_KINDS_HEADER, ALL_KINDS_ROWS, handle, kinds=ALL_KINDS)
        files[fmt].append(path)
        records[path.name] = _records("all-kinds", path.read_bytes(), fmt)
    opened = {}
    for fmt, paths in files.items():
        fods = spreadsheet.open_in_calc(paths, tmp_path / f"{fmt}-calc", csv=fmt == "csv")
        opened |= {path.name: spreadsheet.read_fods(out) for path, out in zip(paths, fods)}

    problems = [problem for name, rows in opened.items()
                for problem in _problems(name, records[name], rows)]
    assert not problems, "\n".join(problems)
    assert len(opened) == 2 * (len(urls) + 1)

    # XLSX types: the ranking's money to the cent with #,##0.00, counts as
    # integers, factory codes as text with their leading zeros.
    ranking = opened["ranking-factories.xlsx"]
    orders, aov = 4, 5  # views.sales_report.ranking_download's columns
    amounts = [row[aov] for row in ranking[1:] if row[aov].value_type]  # no orders: empty
    assert len(amounts) > 20
    for money in amounts:
        assert money.value_type == "float"
        assert Decimal(money.value) == Decimal(money.value).quantize(Decimal("0.01"))
        assert money.text == f"{Decimal(money.value):,.2f}"
    for row in ranking[1:]:
        assert row[orders].value_type == "float" and "." not in row[orders].value
    codes = [row[0] for row in opened["factories.xlsx"][1:]]
    assert all(cell.value_type == "string" for cell in codes)
    assert "00123" in [cell.text for cell in codes]
    gmv = opened["sales.xlsx"][1][2]
    assert (gmv.value_type, gmv.value, gmv.text) == ("float", "12345.67", "12,345.67")
    # Every column kind of table_download, as other dashboards declare them.
    code, money, rate, count, number, day = opened["all-kinds.xlsx"][1]
    assert (code.value_type, code.text) == ("string", "00123")
    assert (money.value_type, money.value, money.text) == ("float", "1234.57", "1,234.57")
    assert (rate.value_type, rate.value, rate.text) == ("percentage", "0.7125", "71.3%")
    assert (count.value_type, count.value, count.text) == ("float", "12000", "12,000")
    assert (number.value_type, number.value) == ("float", "0.333333")
    assert (day.value_type, day.value) == ("date", "2025-03-01")
    # The hostile text stays text, shown with its neutralising quote.
    names = {row[0].text: row[1].text for row in opened["factories.csv"][1:]}
    assert names["H013"] == "'=1+1" and names["H018"] == "'=cmd|' /C calc'!A0"
