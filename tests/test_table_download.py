"""exchange/table_download.py: column kinds type the cells of CSV and XLSX
downloads (money to the cent, rates as percentages, counts as integers,
codes as text), every CSV text field is quoted, and a table without kinds
still gets a sensible default from its values' types."""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from exchange.table_download import (COUNT, DATE, MONEY, NUMBER, RATE, TEXT, csv_chunks,
                                     write_xlsx)

HEADER = ["code", "phone", "aov_cny", "pickup_rate", "orders", "score", "day"]
ROW = ("00123", "+86 138", 639.9299999999999, 0.91666666666, 12.0, 2 / 3,
       datetime.date(2025, 3, 1))
KINDS = [TEXT, TEXT, MONEY, RATE, COUNT, NUMBER, DATE]


def csv_text(header, rows, kinds=None):
    data = b"".join(csv_chunks(header, rows, kinds))
    assert data.startswith("\ufeff".encode())
    return data.decode("utf-8-sig")


def xlsx_sheet(header, rows, kinds=None):
    buffer = io.BytesIO()
    write_xlsx(header, rows, buffer, kinds=kinds)
    buffer.seek(0)
    return buffer, load_workbook(buffer).active


def test_declared_kinds_type_the_csv():
    text = csv_text(HEADER, [ROW], KINDS)
    assert text.splitlines()[1] == '"00123","\'+86 138",639.93,0.916667,12,0.666667,2025-03-01'


def test_declared_kinds_type_the_xlsx_cells_and_formats():
    buffer, sheet = xlsx_sheet(HEADER, [ROW], KINDS)
    code, phone, aov, rate, orders, score, day = sheet[2]
    assert (code.value, code.data_type) == ("00123", "s")
    assert phone.value == "'+86 138" and phone.data_type == "s"
    assert (aov.value, aov.number_format) == (639.93, "#,##0.00")
    assert (rate.value, rate.number_format) == (0.916667, "0.0%")
    assert orders.value == 12 and isinstance(orders.value, int)
    assert orders.number_format == "#,##0"
    assert score.value == 0.666667 and score.number_format == "General"
    assert day.value == datetime.datetime(2025, 3, 1) and day.number_format == "yyyy-mm-dd"
    # The file holds the exact decimals, not openpyxl's "%.16g" float noise.
    xml = zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>639.93</v>" in xml and "639.9299" not in xml


def test_without_kinds_each_value_type_decides():
    row = ("00123", 7, Decimal("639.93"), 0.1 + 0.2, datetime.datetime(2025, 3, 1, 9, 30),
           True, None, "")
    header = list("abcdefgh")
    assert csv_text(header, [row]).splitlines()[1] == \
        '"00123",7,639.93,0.3,2025-03-01T09:30:00,"yes",,'
    _, sheet = xlsx_sheet(header, [row])
    values = [cell.value for cell in sheet[2]]
    assert values[:6] == ["00123", 7, 639.93, 0.3, datetime.datetime(2025, 3, 1, 9, 30), "yes"]
    assert sheet["E2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert values[6:] == [None, None]


def test_a_text_column_keeps_an_int_code_as_text_and_text_in_a_number_column_stays_text():
    text = csv_text(["code", "gmv"], [(123, "—"), (45, Decimal("-0.001"))], [TEXT, MONEY])
    assert text.splitlines()[1:] == ['"123","—"', '"45",0.00']
    _, sheet = xlsx_sheet(["code", "gmv"], [(123, "—")], [TEXT, MONEY])
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("123", "s")
    assert sheet["B2"].value == "—"


def test_money_rounds_half_up_to_the_cent():
    rows = [(Decimal("0.005"),), (2.675,), (10,), (Decimal("106800"),)]
    assert csv_text(["fee"], rows, [MONEY]).splitlines()[1:] == \
        ["0.01", "2.68", "10.00", "106800.00"]


def test_every_csv_text_field_is_quoted_so_no_separator_splits_it():
    cells = ("a,b", "a;b", "a\tb", 'say "hi"', "two\r\nlines", "中文")
    rows = list(csv.reader(io.StringIO(csv_text(list("abcdef"), [cells]), newline="")))
    assert rows[1] == list(cells)
    line = csv_text(list("abcdef"), [cells]).split("\r\n", 1)[1]
    assert line.startswith('"a,b","a;b","a\tb","say ""hi""",')


@pytest.mark.parametrize("kinds", [[TEXT], ["money", "cash"], [TEXT, "percent"]])
def test_a_wrong_kinds_declaration_fails_at_once(kinds):
    with pytest.raises(ValueError):
        next(csv_chunks(["a", "b"], [], kinds))
