"""Data exchange (SPEC section 6) through the command line and the engine:
all or nothing, every bad row reported, idempotent upserts, encodings,
XLSX safety, exports that re-import unchanged, scope, audit."""

import csv
import datetime
import io
import json
import zipfile
from pathlib import Path

import pytest

from exchange import readers
from exchange.exporter import export_rows
from exchange.formulas import neutralise_text, restore_text
from exchange.importer import run_import
from exchange.kinds import KINDS
from models import (AuditLog, Complaint, Factory, Membership, Region, SalesDaily, User,
                    UserRegion, Visit)
from tests.builders import make_factory, make_region, make_user
from tests.exchange_files import (FULL_LOAD, hostile_load, load_everything, write_csv,
                                  write_xlsx)


def table_counts():
    return {model.__name__: model.select().count()
            for model in (Region, User, UserRegion, Factory, Membership, SalesDaily,
                          Complaint, Visit)}


def snapshot():
    """Every row of every imported table, to prove nothing changed."""
    return {model.__name__: sorted(map(repr, model.select().tuples()))
            for model in (Region, User, UserRegion, Factory, Membership, SalesDaily,
                          Complaint, Visit)}


def expected_rows(kind):
    return [row for name, rows in FULL_LOAD if name == kind for row in rows]


def read_csv_bytes(data):
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# -- a full load, exports and round trips -------------------------------------

def test_full_load_then_export_gives_back_the_same_rows(runner, tmp_path):
    load_everything(runner, tmp_path)
    for kind in KINDS:
        out = tmp_path / f"out-{kind}.csv"
        result = runner.invoke(args=["export", kind, str(out)])
        assert result.exit_code == 0, result.output
        rows = read_csv_bytes(out.read_bytes())
        assert rows[0] == KINDS[kind].column_names
        restored = [[restore_text(cell) for cell in row] for row in rows[1:]]
        assert restored == expected_rows(kind), kind


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_then_import_round_trips_exactly(runner, tmp_path, suffix):
    load_everything(runner, tmp_path, hostile_load())
    before = snapshot()
    for kind in KINDS:
        first = tmp_path / f"first-{kind}.{suffix}"
        assert runner.invoke(args=["export", kind, str(first)]).exit_code == 0
        result = runner.invoke(args=["import", kind, str(first)])
        assert result.exit_code == 0, result.output
        assert "inserted 0, updated 0" in result.output and "nothing to change" in result.output
        if suffix == "csv":
            second = tmp_path / f"second-{kind}.csv"
            assert runner.invoke(args=["export", kind, str(second)]).exit_code == 0
            assert second.read_bytes() == first.read_bytes()
    assert snapshot() == before


def test_reimporting_the_same_file_changes_nothing_and_says_so(runner, tmp_path):
    load_everything(runner, tmp_path)
    before = snapshot()
    for number, (kind, rows) in enumerate(FULL_LOAD):
        path = write_csv(tmp_path / f"again-{number}.csv", kind, rows)
        result = runner.invoke(args=["import", kind, str(path)])
        assert result.exit_code == 0, result.output
        assert f"inserted 0, updated 0, unchanged {len(rows)} (nothing to change)" in result.output
    assert snapshot() == before


def test_a_changed_row_is_updated_in_place(runner, tmp_path):
    load_everything(runner, tmp_path)
    rows = [list(row) for row in expected_rows("sales")]
    rows[0][2] = "20000.00"
    path = write_csv(tmp_path / "sales.csv", "sales", rows)
    result = runner.invoke(args=["import", "sales", str(path)])
    assert "inserted 0, updated 1, unchanged 2" in result.output
    day = SalesDaily.get(SalesDaily.date == datetime.date(2025, 3, 1),
                         SalesDaily.factory == Factory.get(code="F00001"))
    assert day.gmv_fen == 2_000_000
    assert SalesDaily.select().count() == 3


def test_users_regions_are_replaced_by_the_file(runner, tmp_path):
    load_everything(runner, tmp_path)
    path = write_csv(tmp_path / "u.csv", "users",
                     [["rep.wang", "王芳", "rep", "ST-UW", "", "wang@example.com",
                       "+86 138 0000 0001"]])
    result = runner.invoke(args=["import", "users", str(path)])
    assert "updated 1" in result.output, result.output
    rep = User.get(username="rep.wang")
    assert [link.region.code for link in rep.region_links] == ["ST-UW"]
    again = runner.invoke(args=["import", "users", str(path)])
    assert "nothing to change" in again.output


def test_dry_run_counts_but_writes_nothing(runner, tmp_path):
    load_everything(runner, tmp_path)
    before = snapshot()
    rows = expected_rows("sales") + [["F00002", "2025-03-02", "1.00", "1", "0", "0", "0", "0", "0"]]
    path = write_csv(tmp_path / "sales.csv", "sales", rows)
    result = runner.invoke(args=["import", "sales", str(path), "--dry-run"])
    assert result.exit_code == 0
    assert "would insert 1, would update 0, unchanged 3" in result.output
    assert "dry run" in result.output
    assert snapshot() == before


def test_free_text_is_kept_exactly(runner, tmp_path):
    load_everything(runner, tmp_path)
    complaint = Complaint.get(code="C000001")
    assert complaint.body == "交完钱之后不太管我们\n第二行 <script>alert(1)</script>"
    factory = Factory.get(code="F00003")
    assert factory.name == '=HYPERLINK("http://evil")'
    assert factory.address == "@home\tsweet\r\nhome"
    assert factory.phone == "-12"
    assert complaint.created_at == datetime.datetime(2025, 3, 1, 1, 30)
    assert complaint.status == "resolved" and Complaint.get(code="C000002").status == "open"


# -- all or nothing, every bad row ---------------------------------------------

BAD_ROWS = [
    # (kind, row, column, words in the reason)
    ("sales", ["F09999", "2025-03-01", "1.00", "1", "0", "0", "0", "1", "1"],
     "factory_code", "no factory with code F09999"),
    ("sales", ["F00001", "2025-02-30", "1.00", "1", "0", "0", "0", "1", "1"], "date", "no such date"),
    ("sales", ["F00001", "01.03.2025", "1.00", "1", "0", "0", "0", "1", "1"], "date", "not a date"),
    ("sales", ["F00001", "2025-03-09", "abc", "1", "0", "0", "0", "1", "1"], "gmv_cny",
     "not an amount"),
    ("sales", ["F00001", "2025-03-09", "1.005", "1", "0", "0", "0", "1", "1"], "gmv_cny",
     "at most 2 decimal"),
    ("sales", ["F00001", "2025-03-09", "-5.00", "1", "0", "0", "0", "1", "1"], "gmv_cny",
     "must not be negative"),
    ("sales", ["F00001", "2025-03-09", "1.00", "-1", "0", "0", "0", "1", "1"], "orders",
     "must not be negative"),
    ("sales", ["F00001", "2025-03-09", "1.00", "1.5", "0", "0", "0", "1", "1"], "orders",
     "not a whole number"),
    ("sales", ["F00001", "2025-03-09", "1.00", "5", "0", "0", "0", "3", "4"],
     "shipments_picked_48h", "more than shipments"),
    ("sales", ["F00001", "2025-03-09", "1.00", "5", "0", "6", "0", "3", "3"],
     "repeat_orders", "more than orders"),
    ("sales", ["F00001", "2025-03-09", "", "5", "0", "0", "0", "3", "3"], "gmv_cny", "required"),
    ("users", ["owner.x", "某老板", "owner", "", "F09999", "", ""], "factory_code",
     "no factory with code F09999"),
    ("users", ["owner.x", "某老板", "owner", "", "", "", ""], "factory_code",
     "an owner needs"),
    ("users", ["rep.x", "某人", "rep", "", "F00001", "", ""], "factory_code",
     "only owners"),
    ("users", ["rep.x", "某人", "boss", "", "", "", ""], "role", "must be one of"),
    ("users", ["rep.x", "某人", "rep", "GZ-WOMEN;XX", "", "", ""], "regions",
     "no region with code XX"),
    ("users", ["rep.x", "某人", "rep", "", "", "not-an-email", ""], "email", "not an email"),
    ("factories", ["F00009", "新厂", "GZ-WOMEN", "factory", "mgr.li", "no", "no", "", ""],
     "rep_username", "mgr.li is a manager, not a rep"),
    ("factories", ["F00009", "新厂", "GZ-WOMEN", "factory", "nobody", "no", "no", "", ""],
     "rep_username", "no user named nobody"),
    ("factories", ["F00009", "新厂", "XX", "factory", "", "no", "no", "", ""],
     "region_code", "no region with code XX"),
    ("factories", ["F00009", "新厂", "GZ-WOMEN", "shop", "", "no", "no", "", ""], "kind",
     "must be one of factory, trader"),
    ("factories", ["F00009", "新厂", "GZ-WOMEN", "factory", "", "maybe", "no", "", ""],
     "specialized", "yes or no"),
    ("factories", ["F00009", "厂" * 201, "GZ-WOMEN", "factory", "", "no", "no", "", ""],
     "name", "longer than 200"),
    ("stages", ["F00001", "dreaming", "2025-01-01"], "stage", "must be one of"),
    ("memberships", ["F00001", "2026-03-01", "2026-03-01", "super", "106800", ""], "end",
     "must be after start"),
    ("memberships", ["F00001", "2026-03-01", "2027-02-28", "gold", "106800", ""], "tier",
     "must be one of"),
    ("memberships", ["F00001", "2026-03-01", "2027-02-28", "super", "106800", "maybe"],
     "outcome", "must be one of"),
    ("complaints", ["C9", "F00001", "fees", "high", "board", "t", "", "2025-03-01 09:30:00",
                    "", "", ""], "created_at", "needs a UTC offset"),
    ("complaints", ["C9", "F00001", "fees", "high", "board", "t", "", "2025-03-01T09:30:00+08:00",
                    "", "2025-03-01T08:00:00+08:00", ""], "resolved_at", "before created_at"),
    ("complaints", ["C9", "F00001", "fees", "high", "board", "t", "", "2025-03-01T09:30:00+08:00",
                    "", "2025-03-02T08:00:00+08:00", "6"], "satisfaction", "1 to 5"),
    ("complaints", ["C9", "F00001", "noise", "high", "board", "t", "",
                    "2025-03-01T09:30:00+08:00", "", "", ""], "category", "must be one of"),
    ("visits", ["F00001", "owner.chen", "2025-03-03T10:00:00+08:00", "routine", "", ""],
     "rep_username", "owner.chen is a owner, not staff"),
    ("visits", ["F00001", "rep.wang", "2025-03-07T10:00:00+08:00", "routine", "", "", "91",
                "10", ""], "latitude", "out of range"),
    ("visits", ["F00001", "rep.wang", "2025-03-07T10:00:00+08:00", "routine", "", "", "",
                "10", ""], "latitude", "needs both latitude and longitude"),
    ("stages", ["F00001", "signed", "2025-01-01", "0"], "pipeline", "must be 1 or more"),
    ("visits", ["F00001", "rep.wang", "2025-03-03T10:00:00+08:00", "party", "", ""],
     "purpose", "must be one of"),
]


@pytest.mark.parametrize("kind,row,column,reason", BAD_ROWS,
                         ids=[f"{kind}-{column}-{n}" for n, (kind, _, column, _r)
                              in enumerate(BAD_ROWS)])
def test_a_bad_row_is_reported_and_nothing_is_written(runner, tmp_path, kind, row, column,
                                                       reason):
    load_everything(runner, tmp_path)
    before = snapshot()
    good = expected_rows(kind)[-1:]
    path = write_csv(tmp_path / "bad.csv", kind, good + [row])
    result = runner.invoke(args=["import", kind, str(path)])
    assert result.exit_code == 1
    assert f"row 3, column {column}: " in result.output, result.output
    assert reason in result.output, result.output
    assert "nothing was imported" in result.output
    assert snapshot() == before


def test_every_bad_row_is_listed_not_only_the_first(runner, tmp_path):
    load_everything(runner, tmp_path)
    before = snapshot()
    rows = [
        ["F00001", "2025-04-01", "1.00", "1", "0", "0", "0", "1", "1"],   # row 2: good
        ["F09999", "2025-04-01", "1.00", "1", "0", "0", "0", "1", "1"],   # row 3
        ["F00001", "2025-04-02", "x", "1", "0", "0", "0", "1", "2"],      # row 4: two problems
        ["F00001", "2025-04-03", "1.00", "1", "0", "0", "0", "1", "1"],   # row 5: good
        ["F00001", "2025-04-01", "2.00", "1", "0", "0", "0", "1", "1"],   # row 6: duplicate of 2
    ]
    path = write_csv(tmp_path / "sales.csv", "sales", rows)
    result = runner.invoke(args=["import", "sales", str(path)])
    assert result.exit_code == 1
    for expected in ("row 3, column factory_code", "row 4, column gmv_cny",
                     "row 4, column shipments_picked_48h",
                     "row 6, column factory_code, date: same factory_code, date as row 2"):
        assert expected in result.output, result.output
    assert "3 bad row(s), 4 problem(s)" in result.output
    assert snapshot() == before


def test_duplicate_complaint_codes_in_one_file_are_bad_rows(runner, tmp_path):
    load_everything(runner, tmp_path)
    rows = expected_rows("complaints")
    path = write_csv(tmp_path / "c.csv", "complaints", rows + [rows[0]])
    result = runner.invoke(args=["import", "complaints", str(path)])
    assert result.exit_code == 1
    assert "row 4, column code: same code as row 2" in result.output


# -- headers -------------------------------------------------------------------

def test_columns_in_another_order_import_the_same(runner, tmp_path):
    load_everything(runner, tmp_path)
    header = list(reversed(KINDS["sales"].column_names))
    rows = [list(reversed(row)) for row in expected_rows("sales")]
    path = write_csv(tmp_path / "s.csv", "sales", rows, header=header)
    result = runner.invoke(args=["import", "sales", str(path)])
    assert result.exit_code == 0, result.output
    assert "nothing to change" in result.output


def test_unknown_and_missing_columns_are_named(runner, tmp_path):
    header = ["code", "name_zh", "name_en", "province", "city", "industry_zh", "colour"]
    path = write_csv(tmp_path / "r.csv", "regions", [["A", "甲", "A", "", "", "", "red"]],
                     header=header)
    result = runner.invoke(args=["import", "regions", str(path)])
    assert result.exit_code == 1
    assert "row 1, column colour: unknown column" in result.output
    assert "row 1, column industry_en: missing column" in result.output
    assert Region.select().count() == 0


def test_a_file_without_a_header_is_refused(runner, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = runner.invoke(args=["import", "regions", str(path)])
    assert result.exit_code == 1
    assert "header row is required" in result.output


# -- encodings and formats -----------------------------------------------------

REGION = ["GZ-WOMEN", "广州女装", "Guangzhou womenswear", "广东", "广州", "女装", "Womenswear"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_are_detected(runner, tmp_path, encoding):
    path = write_csv(tmp_path / "r.csv", "regions", [REGION], encoding=encoding)
    result = runner.invoke(args=["import", "regions", str(path)])
    assert result.exit_code == 0, result.output
    assert Region.get(code="GZ-WOMEN").name_zh == "广州女装"
    detected = readers.open_table(path)
    assert detected.encoding == encoding
    detected.close()


def test_a_short_gb18030_file_is_not_mistaken_for_another_encoding(tmp_path):
    """charset-normalizer tends to guess wrong on a few Chinese words;
    strict UTF-8 then GB18030 does not."""
    path = tmp_path / "short.csv"
    path.write_bytes("code,name\n甲,女装\n".encode("gb18030"))
    table = readers.open_table(path)
    assert table.encoding == "gb18030"
    assert list(table.rows()) == [(2, ["甲", "女装"])]
    table.close()


def test_text_in_neither_utf8_nor_gb18030_is_refused(runner, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"code,name_zh\n\xff\xfe\xfd,x\n")
    result = runner.invoke(args=["import", "regions", str(path)])
    assert result.exit_code == 1
    assert "neither UTF-8 nor GB18030" in result.output


def test_xlsx_imports_like_csv(runner, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", "regions", [REGION])
    result = runner.invoke(args=["import", "regions", str(path)])
    assert result.exit_code == 0, result.output
    assert Region.get(code="GZ-WOMEN").city == "广州"


def test_xlsx_numbers_and_dates_are_read_as_values(runner, tmp_path):
    load_everything(runner, tmp_path)
    path = write_xlsx(tmp_path / "s.xlsx", "sales",
                      [["F00002", datetime.datetime(2025, 4, 1), 1234.5, 10, 1, 2, 3, 9, 8]])
    result = runner.invoke(args=["import", "sales", str(path)])
    assert result.exit_code == 0, result.output
    row = SalesDaily.get(SalesDaily.date == datetime.date(2025, 4, 1))
    assert (row.gmv_fen, row.orders, row.shipments_picked_48h) == (123450, 10, 8)


def test_a_file_named_xlsx_that_is_not_one_is_refused(runner, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_text("code,name\n")
    result = runner.invoke(args=["import", "regions", str(path)])
    assert result.exit_code == 1
    assert "not a real XLSX file" in result.output


def test_a_zip_that_is_not_a_workbook_is_refused(runner, tmp_path):
    path = tmp_path / "r.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    result = runner.invoke(args=["import", "regions", str(path)])
    assert "not a real XLSX file" in result.output


def test_an_xlsx_zip_bomb_is_refused(runner, tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    result = runner.invoke(args=["import", "regions", str(path)])
    assert result.exit_code == 1
    assert "zip bomb" in result.output


def test_an_xlsx_over_the_size_cap_is_refused(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "XLSX_MAX_BYTES", 1000)
    path = write_xlsx(tmp_path / "r.xlsx", "regions", [REGION] * 50)
    result = runner.invoke(args=["import", "regions", str(path)])
    assert "larger than" in result.output
    assert Region.select().count() == 0


def test_openpyxl_parses_xml_through_defusedxml():
    from openpyxl import xml

    assert xml.DEFUSEDXML is True


def test_a_damaged_xlsx_is_refused(runner, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", "regions", [REGION])
    data = bytearray(path.read_bytes())
    data[200:400] = b"\0" * 200
    path.write_bytes(bytes(data))
    result = runner.invoke(args=["import", "regions", str(path)])
    assert result.exit_code == 1
    assert Region.select().count() == 0


# -- formula injection ---------------------------------------------------------

HOSTILE_STARTS = ["=1+1", "+86 138", "-12", "@SUM(A1)", "\tx", "\rx", "\nx", " =1+1",
                  "  +1", "\u00a0=1+1", "\u00a0 -1", "\u3000@x", "\n=1+1", "＝1+1", "＋1", "－1",
                  "＠x", " ＝1", "'=x", "''+y", "' =x", "'\u00a0@x", "'＝x"]


HARMLESS = ["plain", "", "'quoted", "a=b", "1-2", " x", "x\n=1", "|x", ";x"]


@pytest.mark.parametrize("text", HOSTILE_STARTS + HARMLESS)
def test_neutralising_is_undone_exactly_on_import(text):
    assert restore_text(neutralise_text(text)) == text


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_is_left_alone(text):
    assert neutralise_text(text) == text


@pytest.mark.parametrize("text", HOSTILE_STARTS)
def test_every_hostile_start_gets_a_quote(text):
    assert neutralise_text(text) == "'" + text


def test_exports_neutralise_text_but_not_numbers(runner, tmp_path):
    load_everything(runner, tmp_path)
    out = tmp_path / "f.csv"
    runner.invoke(args=["export", "factories", str(out)])
    rows = read_csv_bytes(out.read_bytes())
    evil = rows[3]
    assert evil[1] == "'=HYPERLINK(\"http://evil\")" and evil[7] == "'-12"
    assert evil[8].startswith("'@")
    out = tmp_path / "u.csv"
    runner.invoke(args=["export", "users", str(out)])
    assert read_csv_bytes(out.read_bytes())[1][6] == "'+86 138 0000 0001"

    from openpyxl import load_workbook

    out = tmp_path / "f.xlsx"
    runner.invoke(args=["export", "factories", str(out)])
    sheet = load_workbook(out).active
    assert sheet["B4"].value == "'=HYPERLINK(\"http://evil\")"
    assert sheet["B4"].data_type == "s"
    out = tmp_path / "s.xlsx"
    runner.invoke(args=["export", "sales", str(out)])
    sheet = load_workbook(out).active
    assert sheet["C2"].value == 12345.67 and sheet["C2"].data_type == "n"


# -- scope, audit ----------------------------------------------------------------

def test_an_owners_export_holds_only_their_factory(runner, tmp_path):
    load_everything(runner, tmp_path)
    owner = User.get(username="owner.chen")
    for kind in ("factories", "stages", "memberships", "sales", "complaints", "visits"):
        header, rows = export_rows(kind, owner)
        rows = list(rows)
        assert rows, kind
        factory_column = header.index("code" if kind == "factories" else "factory_code")
        assert {row[factory_column] for row in rows} == {"F00001"}, kind
    _, regions = export_rows("regions", owner)
    assert [row[0] for row in regions] == ["GZ-WOMEN"]
    _, users = export_rows("users", owner)
    assert sorted(row[0] for row in users) == ["owner.chen", "rep.wang"]


def test_a_rep_exports_their_book_and_an_admin_everything(runner, tmp_path):
    load_everything(runner, tmp_path)
    rep = User.get(username="rep.wang")
    _, rows = export_rows("factories", rep)
    assert [row[0] for row in rows] == ["F00001", "F00002"]
    admin = User.get(username="admin.zhao")
    _, rows = export_rows("factories", admin)
    assert len(list(rows)) == 3


def test_imports_and_refusals_are_audited(runner, tmp_path):
    load_everything(runner, tmp_path)
    entry = AuditLog.select().where(AuditLog.action == "import").order_by(AuditLog.id.desc()).get()
    after = json.loads(entry.after)
    assert after["kind"] == "visits" and after["inserted"] == 3
    assert after["file"].endswith("visits.csv") and entry.username.startswith("cli")
    path = write_csv(tmp_path / "bad.csv", "regions", [["", "甲", "A", "", "", "", ""]])
    runner.invoke(args=["import", "regions", str(path)])
    refused = AuditLog.get(AuditLog.action == "import.rejected")
    assert json.loads(refused.after)["bad_rows"] == 1


def test_engine_reports_progress_and_records_the_user(app, tmp_path):
    admin = make_user("admin", username="admin.x")
    region = make_region(code="GZ")
    make_factory(region=region, code="F1")
    rows = [["F1", f"2025-01-{day:02d}", "1.00", "1", "0", "0", "0", "1", "1"]
            for day in range(1, 29)]
    path = write_csv(tmp_path / "s.csv", "sales", rows)
    seen = []
    result = run_import("sales", path, user=admin, progress=lambda f, n: seen.append((f, n)))
    assert result.ok and result.inserted == 28 and result.committed
    assert seen[-1] == (1.0, 28)
    entry = AuditLog.get(AuditLog.action == "import")
    assert entry.user_id == admin.id


def test_export_file_must_be_csv_or_xlsx(runner, tmp_path):
    result = runner.invoke(args=["export", "regions", str(tmp_path / "r.txt")])
    assert result.exit_code != 0 and ".csv or .xlsx" in result.output


def test_blank_lines_are_skipped_and_row_numbers_match_the_sheet(runner, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("code,name_zh,name_en,province,city,industry_zh,industry_en\r\n"
                    "A,甲,A,,,,\r\n,,,,,,\r\n\r\nB,,B,,,,\r\n", encoding="utf-8")
    result = runner.invoke(args=["import", "regions", str(path)])
    assert "row 5, column name_zh: required" in result.output
    assert Path(path).exists() and Region.select().count() == 0


def test_a_collision_at_write_time_rolls_everything_back(runner, tmp_path, monkeypatch):
    """A reference that vanishes between the check and the write (here: the
    refs say a factory exists that does not) is refused, nothing written."""
    from exchange import kinds

    load_everything(runner, tmp_path)
    before = snapshot()
    real = kinds.Refs.__init__

    def with_a_ghost(self, **wanted):
        real(self, **wanted)
        self.factories["GHOST"] = 999_999

    monkeypatch.setattr(kinds.Refs, "__init__", with_a_ghost)
    rows = [["F00001", "2025-05-01", "1.00", "1", "0", "0", "0", "1", "1"],
            ["GHOST", "2025-05-01", "1.00", "1", "0", "0", "0", "1", "1"]]
    path = write_csv(tmp_path / "s.csv", "sales", rows)
    result = runner.invoke(args=["import", "sales", str(path)])
    assert result.exit_code == 1
    assert "the database changed while this file was being imported" in result.output
    assert snapshot() == before
    assert AuditLog.select().where(AuditLog.action == "import.rejected").exists()


@pytest.mark.parametrize("bulk_rows", [1, 10**9], ids=["rollup-rebuilt", "rollup-triggers"])
def test_sales_imports_keep_the_sales_rollup_exact(runner, tmp_path, monkeypatch, bulk_rows):
    """Small imports let the rollup triggers follow each row; big ones drop
    the triggers and rebuild once, inside the import's transaction. Either
    way the rollup matches the raw rows, and the triggers are back."""
    from metrics import rollup, sales_data
    from metrics.period import Period

    monkeypatch.setattr(KINDS["sales"], "BULK_ROWS", bulk_rows)
    load_everything(runner, tmp_path)
    rows = [["F00001", f"2025-02-{day:02d}", f"{day}.50", "10", "1", "2", "3", "9", "8"]
            for day in range(1, 29)]
    rows.append(["F00001", "2025-03-01", "1.00", "1", "0", "0", "0", "1", "1"])  # an update
    path = write_csv(tmp_path / "more.csv", "sales", rows)
    result = runner.invoke(args=["import", "sales", str(path)])
    assert "inserted 28, updated 1" in result.output, result.output
    ids = Factory.select(Factory.id)
    for period in (Period(datetime.date(2025, 2, 1), datetime.date(2025, 3, 31)),
                   Period(datetime.date(2025, 2, 10), datetime.date(2025, 3, 1))):
        assert rollup.period_totals(ids, period) == sales_data.raw_period_totals(ids, period)
    # the triggers are in place again: a later single-row change is followed
    SalesDaily.update(orders=SalesDaily.orders + 1).where(
        SalesDaily.date == datetime.date(2025, 2, 3)).execute()
    period = Period(datetime.date(2025, 2, 1), datetime.date(2025, 2, 28))
    assert rollup.period_totals(ids, period) == sales_data.raw_period_totals(ids, period)


def test_files_without_the_optional_columns_still_import(runner, tmp_path):
    """SPEC section 6's columns alone: stages are the first pipeline and
    visits have no check-in (migration 007 added the optional columns)."""
    from models import StageEvent, Visit

    load_everything(runner, tmp_path)
    stages = write_csv(tmp_path / "s.csv", "stages", [["F00001", "contacted", "2024-01-09"]],
                       header=["factory_code", "stage", "entered_on"])
    visits = write_csv(tmp_path / "v.csv", "visits",
                       [["F00001", "rep.wang", "2025-03-06T10:00:00+08:00", "routine", "", ""]],
                       header=["factory_code", "rep_username", "visited_at", "purpose", "notes",
                               "next_action_on"])
    for kind, path in (("stages", stages), ("visits", visits)):
        result = runner.invoke(args=["import", kind, str(path)])
        assert result.exit_code == 0, result.output
    assert StageEvent.get(StageEvent.stage == "contacted").pipeline == 1
    assert Visit.select().where(Visit.latitude.is_null(False)).count() == 1
