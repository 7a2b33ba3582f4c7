"""Streaming readers for import files: CSV (UTF-8, UTF-8 with BOM, GB18030)
and XLSX, told apart by their content, never by the file name.

Neither reader loads the whole file: a CSV is decoded and parsed as it is
read, an XLSX sheet is read row by row (openpyxl's read-only mode, which
parses through defusedxml). Rows come out as ``(row_number, cells)`` with
the header as row 1, the numbers a spreadsheet shows.

Encoding is detected, not asked: a BOM means UTF-8; otherwise the file is
decoded as UTF-8 (strict) in one streaming pass, and if that fails as
GB18030 (what Chinese Excel writes). charset-normalizer guesses wrong on
short Chinese files, where strict UTF-8 never does: valid GB18030 text with
Chinese characters is almost never valid UTF-8.
"""

import codecs
import csv
import io
import zipfile
from pathlib import Path

import openpyxl

from exchange.formulas import xlsx_unescape
from exchange.values import N_

CHUNK = 1 << 20
XLSX_MAX_BYTES = 64 * 1024 * 1024
XLSX_MAX_UNCOMPRESSED = 1024 * 1024 * 1024
XLSX_MAX_RATIO = 100  # real sheets compress 5-30:1; zip bombs 1000:1 and more
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


class FileProblem(Exception):
    """The file as a whole cannot be read (not a row's fault)."""

    def __init__(self, message, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


class _CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read, for progress bars."""

    def __init__(self, raw):
        self.raw = raw
        self.bytes_read = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = self.raw.readinto(buffer)
        self.bytes_read += n or 0
        return n

    def close(self):
        self.raw.close()
        super().close()


def _detect_encoding(path):
    """'utf-8-sig', 'utf-8' or 'gb18030', by trying them in that order."""
    with open(path, "rb") as handle:
        start = handle.read(4)
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem(N_("UTF-16 text is not supported: save the file as CSV UTF-8 or as XLSX"))
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise FileProblem(N_("the file is neither UTF-8 nor GB18030 text"))


class Table:
    """An open import file: ``header`` and a ``rows()`` generator."""

    format = ""
    encoding = ""
    header = ()

    def __init__(self, path):
        self.path = Path(path)
        self.size = self.path.stat().st_size

    def progress(self):
        """How far reading has got, 0..1."""
        return 0.0

    def close(self):
        pass


class CsvTable(Table):
    format = "csv"

    def __init__(self, path):
        super().__init__(path)
        self.encoding = _detect_encoding(path)
        self._raw = open(path, "rb")
        self._counter = _CountingReader(self._raw)
        self._text = io.TextIOWrapper(io.BufferedReader(self._counter, CHUNK),
                                      encoding=self.encoding, newline="")
        self._reader = csv.reader(self._text)
        try:
            self.header = next(self._reader, None)
        except csv.Error as error:
            raise FileProblem(N_("not a readable CSV file: %(error)s"), error=str(error)) from None
        if self.header is None:
            raise FileProblem(N_("the file is empty: a header row is required"))

    def rows(self):
        number = 1
        try:
            for cells in self._reader:
                number += 1
                yield number, cells
        except csv.Error as error:
            raise FileProblem(N_("row %(row)s is not readable CSV: %(error)s"),
                              row=number + 1, error=str(error)) from None

    def progress(self):
        return min(1.0, self._counter.bytes_read / self.size) if self.size else 1.0

    def close(self):
        self._text.close()


def check_xlsx_container(path):
    """Refuse what is not a real XLSX, is too big, or is a zip bomb."""
    size = Path(path).stat().st_size
    if size > XLSX_MAX_BYTES:
        raise FileProblem(N_("the XLSX file is larger than %(limit)s MB"),
                          limit=XLSX_MAX_BYTES // (1024 * 1024))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
    except (zipfile.BadZipFile, OSError):
        raise FileProblem(N_("not a real XLSX file")) from None
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileProblem(N_("not a real XLSX file"))
    total = sum(member.file_size for member in members)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise FileProblem(N_("the XLSX file unpacks to more than %(limit)s MB"),
                          limit=XLSX_MAX_UNCOMPRESSED // (1024 * 1024))
    for member in members:
        if member.file_size > CHUNK and member.file_size > XLSX_MAX_RATIO * max(member.compress_size, 1):
            raise FileProblem(N_("the XLSX file is a zip bomb (it unpacks %(ratio)s times larger)"),
                              ratio=member.file_size // max(member.compress_size, 1))


class XlsxTable(Table):
    format = "xlsx"

    def __init__(self, path):
        super().__init__(path)
        check_xlsx_container(path)
        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            sheet = self._book.worksheets[0]
        except Exception:  # openpyxl raises many kinds on a damaged file
            raise FileProblem(N_("not a real XLSX file")) from None
        self._total = sheet.max_row or 0
        self._done = 0
        self._rows = sheet.iter_rows(values_only=True)
        try:
            first = next(self._rows, None)
        except Exception:
            raise FileProblem(N_("not a real XLSX file")) from None
        if first is None:
            raise FileProblem(N_("the file is empty: a header row is required"))
        self.header = ["" if cell is None else xlsx_unescape(str(cell)) for cell in first]
        while self.header and not self.header[-1].strip():
            self.header.pop()

    def rows(self):
        number = 1
        try:
            for cells in self._rows:
                number += 1
                self._done = number
                yield number, [xlsx_unescape(cell) if type(cell) is str else cell
                               for cell in cells]
        except Exception as error:
            raise FileProblem(N_("row %(row)s of the XLSX file is not readable: %(error)s"),
                              row=number + 1, error=type(error).__name__) from None

    def progress(self):
        return min(1.0, self._done / self._total) if self._total else 0.0

    def close(self):
        self._book.close()


def open_table(path, name=None):
    """Open ``path`` as a CSV or XLSX table, by what its bytes are (``name``
    is the file's original name, when it was uploaded)."""
    with open(path, "rb") as handle:
        start = handle.read(8)
    if start.startswith(ZIP_MAGIC):
        return XlsxTable(path)
    if start.startswith(OLE_MAGIC):
        raise FileProblem(N_("old .xls files are not supported: save as .xlsx or CSV"))
    if str(name or path).lower().endswith(".xlsx"):
        raise FileProblem(N_("not a real XLSX file"))
    return CsvTable(path)
