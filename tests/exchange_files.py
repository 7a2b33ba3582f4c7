"""Files for the data-exchange tests: one small, valid file per kind (a
full load in SPEC order), and helpers to write CSV/XLSX variants of them."""

import csv
from pathlib import Path

from exchange.kinds import KINDS

# A full load, in the order references require. Every value is written the
# way an export writes it, so export(import(file)) == file, byte for byte.
FULL_LOAD = [
    ("regions", [
        ["GZ-WOMEN", "广州女装", "Guangzhou womenswear", "广东", "广州", "女装", "Womenswear"],
        ["ST-UW", "汕头内衣", "Shantou underwear", "广东", "汕头", "内衣", "Underwear"],
    ]),
    ("users", [
        ["rep.wang", "王芳", "rep", "GZ-WOMEN;ST-UW", "", "wang@example.com", "+86 138 0000 0001"],
        ["mgr.li", "李强", "manager", "GZ-WOMEN", "", "li@example.com", ""],
        ["admin.zhao", "赵敏", "admin", "", "", "", ""],
    ]),
    ("factories", [
        ["F00001", "广州丽人服饰有限公司", "GZ-WOMEN", "factory", "rep.wang", "yes", "no",
         "020-8888 0001", "广州市白云区 1 号"],
        ["F00002", "汕头美姿内衣厂", "ST-UW", "factory", "rep.wang", "no", "yes", "", ""],
        ["F00003", "=HYPERLINK(\"http://evil\")", "ST-UW", "trader", "", "no", "no",
         "-12", "@home\tsweet\r\nhome"],
    ]),
    ("users", [
        ["owner.chen", "陈老板", "owner", "", "F00001", "", ""],
        ["owner.lin", "林老板", "owner", "", "F00002", "", "+86 139 0000 0002"],
    ]),
    ("stages", [
        ["F00001", "lead", "2024-01-05", "1"],
        ["F00001", "live", "2024-02-20", "1"],
        ["F00002", "lead", "2024-03-01", "1"],
        ["F00002", "lost", "2024-04-01", "1"],
        ["F00002", "lead", "2024-05-01", "2"],  # a reopen: the second pipeline
    ]),
    ("memberships", [
        ["F00001", "2024-03-01", "2025-02-28", "super", "106800.00", "renewed"],
        ["F00001", "2025-03-01", "2026-02-28", "super", "99999.99", ""],
        ["F00002", "2024-06-01", "2025-05-31", "cxt", "6688.00", "churned"],
    ]),
    ("sales", [
        ["F00001", "2025-03-01", "12345.67", "40", "5", "12", "8", "38", "35"],
        ["F00001", "2025-03-02", "0.00", "0", "0", "0", "0", "0", "0"],
        ["F00002", "2025-03-01", "888.80", "7", "1", "2", "7", "7", "7"],
    ]),
    ("complaints", [
        ["C000001", "F00001", "logistics", "high", "board", "不包邮，运费太高",
         "交完钱之后不太管我们\n第二行 <script>alert(1)</script>",
         "2025-03-01T09:30:00+08:00", "2025-03-01T11:00:00+08:00",
         "2025-03-02T18:45:10+08:00", "4"],
        ["C000002", "F00002", "fees", "normal", "group", "+ 年费值不值", "",
         "2025-03-05T23:10:00+08:00", "", "", ""],
    ]),
    ("visits", [
        ["F00001", "rep.wang", "2025-03-03T10:00:00+08:00", "renewal", "带了续约方案", "2025-03-10",
         "23.12911", "113.264385", "18.0"],
        ["F00002", "rep.wang", "2025-03-04T15:30:00+08:00", "routine", "", "", "", "", ""],
        ["F00002", "mgr.li", "2025-03-05T09:00:00+08:00", "training", "", "", "", "", ""],
    ]),
]


# Text that a spreadsheet may run as a formula or split into cells (issues
# 16 and 18): each hostile start followed by a formula, and separators inside.
HOSTILE_TEXTS = [
    "\t=1+1", "\r=1+1", "\n=1+1", ";=1+1", ",=1+1", " =1+1", "\u00a0=1+1", "\u3000=1+1",
    "＝1+1", "＋1+1", "－1+1", "＠SUM(1,1)", "=1+1", "+1+1", "-1+1", "@SUM(1,1)", "|=1+1",
    "=cmd|' /C calc'!A0", "a\t=1+1", "a;=1+1", "厂\n=2+2", "'=1+1", " \u00a0+1",
]


def hostile_load():
    """Rows to import after ``FULL_LOAD``: a factory and a complaint per
    hostile text (in every free-text column), a rep whose name is one, sales
    so each shows in the ranking, and a factory whose code has leading zeros."""
    factories, complaints, sales, visits = [], [], [], []
    for number, text in enumerate(HOSTILE_TEXTS, 1):
        code = f"H{number:03d}"
        factories.append([code, text, "GZ-WOMEN", "factory", "rep.evil", "no", "no", text[:32],
                          text + "广州"])
        complaints.append([f"CH{number:05d}", code, "service", "normal", "board", text, text,
                           "2025-03-05T10:00:00+08:00", "", "", ""])
        sales.append([code, "2025-03-03", f"{number * 639.93:.2f}", str(number), "0", "0", "0",
                      "0", "0"])
        visits.append([code, "rep.evil", "2025-03-06T10:00:00+08:00", "routine", text, ""])
    factories.append(["00123", "零号工厂", "ST-UW", "factory", "rep.evil", "no", "no",
                      "020-8888 0002", ""])
    return [
        ("users", [["rep.evil", "=cmd|' /C calc'!A0", "rep", "GZ-WOMEN", "", "",
                    "0755-1234 5678"]]),
        ("factories", factories), ("complaints", complaints), ("sales", sales),
        ("visits", visits),
    ]


def write_csv(path, kind, rows, header=None, encoding="utf-8"):
    """Write ``rows`` under the kind's header (or ``header``) to ``path``."""
    path = Path(path)
    with open(path, "w", newline="", encoding=encoding) as handle:
        out = csv.writer(handle, lineterminator="\r\n")
        out.writerow(header or KINDS[kind].column_names)
        out.writerows(rows)
    return path


def write_xlsx(path, kind, rows, header=None):
    """The same as an XLSX sheet (every cell as text or number as given)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header or KINDS[kind].column_names)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return Path(path)


def load_everything(runner, folder, extra=()):
    """Import the full load (then ``extra``, more ``(kind, rows)``) through
    the CLI; every step must succeed."""
    for number, (kind, rows) in enumerate(FULL_LOAD + list(extra)):
        path = write_csv(Path(folder) / f"{number}-{kind}.csv", kind, rows)
        result = runner.invoke(args=["import", kind, str(path)])
        assert result.exit_code == 0, (kind, result.output)
