"""Open files in a real spreadsheet program, LibreOffice Calc (headless
``soffice``), and read back what it made of every cell.

``open_in_calc`` converts many files per ``soffice`` run (starting it costs
seconds), each run with a fresh user profile (a profile left by a killed run
can make the next one hang) and bounded in time: on a timeout the whole
process group is killed. ``read_fods`` turns Calc's flat XML (``.fods``) into
rows of ``Cell``.
"""

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree

SOFFICE = shutil.which("soffice")
# Calc's CSV import as a user would tick it: separators comma, semicolon and
# Tab; text delimiter "; character set left empty so Calc decides (the BOM);
# from line 1; detect special numbers; "Evaluate formulas" on (token 13).
CSV_FILTER = "44/59/9,34,,1,,0,false,true,false,false,false,false,true"
TIMEOUT_SECONDS = 180

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


def _q(name):
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


def open_in_calc(files, outdir, csv=False):
    """Convert ``files`` to ``.fods`` in ``outdir`` with one ``soffice`` run;
    CSV files through ``CSV_FILTER``. Returns the ``.fods`` paths in order."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="calc-profile-") as profile:
        command = [SOFFICE, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                   "--norestore", "--nolockcheck", "--convert-to", "fods",
                   "--outdir", str(outdir)]
        if csv:
            command.insert(-4, f"--infilter=Text - txt - csv (StarCalc):{CSV_FILTER}")
        process = subprocess.Popen(command + [str(path) for path in files],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            output, _ = process.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise AssertionError(f"soffice took more than {TIMEOUT_SECONDS} s") from None
    converted = [outdir / (Path(path).stem + ".fods") for path in files]
    missing = [str(path) for path in converted if not path.exists()]
    assert process.returncode == 0 and not missing, (process.returncode, missing, output)
    return converted


@dataclass
class Cell:
    """One cell as Calc holds it."""

    text: str            # what it shows
    value_type: str      # string, float, date, percentage, ... ("" when empty)
    value: str           # office:value / date-value ("" for text)
    formula: str         # table:formula ("" unless it is a formula)


def _cell_text(element):
    """The text of a cell: paragraphs joined by line breaks, Calc's space,
    tab and line-break elements expanded."""
    paragraphs = []
    for paragraph in element.findall("text:p", _NS):
        parts = []

        def walk(node):
            if node.text:
                parts.append(node.text)
            for child in node:
                if child.tag == _q("text:s"):
                    parts.append(" " * int(child.get(_q("text:c"), "1")))
                elif child.tag == _q("text:tab"):
                    parts.append("\t")
                elif child.tag == _q("text:line-break"):
                    parts.append("\n")
                else:
                    walk(child)
                if child.tail:
                    parts.append(child.tail)

        walk(paragraph)
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def read_fods(path):
    """The first sheet of a ``.fods`` file as rows of ``Cell``, trailing
    empty cells and rows dropped."""
    sheet = ElementTree.parse(path).getroot().find(".//table:table", _NS)
    rows = []
    for row in sheet.iter(_q("table:table-row")):
        cells = []
        for element in row:
            if element.tag not in (_q("table:table-cell"), _q("table:covered-table-cell")):
                continue
            cell = Cell(_cell_text(element), element.get(_q("office:value-type"), ""),
                        element.get(_q("office:value"), element.get(_q("office:date-value"), "")),
                        element.get(_q("table:formula"), ""))
            cells.extend([cell] * int(element.get(_q("table:number-columns-repeated"), "1")))
        while cells and not (cells[-1].text or cells[-1].value_type or cells[-1].formula):
            cells.pop()
        repeat = int(row.get(_q("table:number-rows-repeated"), "1"))
        rows.extend([cells] * (repeat if cells else min(repeat, 1)))
    while rows and not rows[-1]:
        rows.pop()
    return rows
