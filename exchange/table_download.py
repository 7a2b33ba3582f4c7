"""Download any table as CSV or XLSX: the helper behind every export button.

    from exchange.table_download import COUNT, MONEY, RATE, TEXT, download_response

    header = [_("Code"), _("Name"), _("GMV (¥)"), _("Orders"), _("48-hour pickup rate")]
    kinds = [TEXT, TEXT, MONEY, COUNT, RATE]
    return download_response(header, rows, fmt, "sales-by-factory", kinds=kinds)

``rows`` is any iterable of tuples in the header's order (a generator streams
a CSV: a million rows never sit in memory).

**Column kinds** say how a spreadsheet should type each column. ``kinds`` has
one entry per header column; leave it out, or put ``None`` for a column, and
each value's Python type decides (the right-hand column):

========  ==============================  ===============================  ============
kind      CSV                             XLSX                             undeclared
========  ==============================  ===============================  ============
TEXT      quoted text                     text (``00123`` stays 00123)     str, bool
MONEY     yuan to the cent: ``639.93``    number to the cent, ``#,##0.00``  (declare it)
RATE      a fraction: ``0.7`` is 70 %     number, ``0.0%``                 (declare it)
COUNT     a whole number                  integer, ``#,##0``               int
NUMBER    at most 6 decimals              number, General                  float, Decimal
DATE      ISO 8601                        date, ``yyyy-mm-dd [hh:mm:ss]``  date, datetime
========  ==============================  ===============================  ============

Declare codes and phone numbers TEXT even when a value is an int: a
spreadsheet opening a CSV still turns ``00123`` into 123 (only XLSX keeps it,
which is why the export links say so: ``templates/_partials/_export.html``).
Money is rounded half up to the cent, rates to 6 decimals (0.0001 %);
numbers are written as exact decimals, never as float noise like
``639.9299999999999``. ``None`` and ``""`` are empty cells in any column; a
text value in a number column (``"—"``) is written as text; ``True`` and
``False`` are ``yes`` and ``no``.

Safety, whatever the kinds:

* Every text field of a CSV is quoted, so no separator a spreadsheet may
  guess (comma, semicolon, tab, ...) can split a cell; numbers and dates are
  not quoted. UTF-8 with a BOM, so Excel opens Chinese correctly; CRLF lines.
* Text a spreadsheet would run as a formula gets a leading quote
  (``exchange.formulas``); numbers are never touched, so a negative amount
  stays a number. Imports take the quote off again.
* The file name is made by the server (``<stem>-<YYYYMMDD-HHMM>.<ext>``) and
  sent as ``Content-Disposition: attachment``.
"""

import datetime
import io
import re
from decimal import ROUND_HALF_UP, Context, Decimal

from flask import Response, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from exchange.formulas import neutralise_text, xlsx_escape

FORMATS = ("csv", "xlsx")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT, MONEY, RATE, COUNT, NUMBER, DATE = "text", "money", "rate", "count", "number", "date"
COLUMN_KINDS = (TEXT, MONEY, RATE, COUNT, NUMBER, DATE)
_XLSX_FORMATS = {MONEY: "#,##0.00", RATE: "0.0%", COUNT: "#,##0"}
_DATE_FORMAT, _DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
_PLACES = {MONEY: Decimal("0.01"), RATE: Decimal("0.000001"), COUNT: Decimal("1"),
           NUMBER: Decimal("0.000001")}
_WIDE = Context(prec=60)  # room for any amount with its decimals
_ROWS_PER_CHUNK = 1_000
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def _decimal_text(value, kind):
    """An int, float or Decimal as the exact decimal text a ``kind`` column
    holds (money to the cent, rates and numbers to at most 6 decimals), or
    None for a float that is not a number."""
    if type(value) is int and kind in (COUNT, NUMBER):
        return str(value)
    if isinstance(value, float):
        value = Decimal(repr(value))  # the float's shortest text: 639.93, not ...9999
    elif not isinstance(value, Decimal):
        value = Decimal(value)
    if not value.is_finite():
        return None
    value = value.quantize(_PLACES[kind], rounding=ROUND_HALF_UP, context=_WIDE)
    if value.is_zero():
        value = value.copy_abs()  # -0.001 rounds to 0.00, not -0.00
    return format(value if kind == MONEY else value.normalize(_WIDE), "f")


def _cell(value, kind):
    """What one cell holds: ``(TEXT, text)``, ``(kind, decimal text)`` for a
    number, ``(DATE, date or datetime)``, or None for an empty cell.

    ``kind`` None means: from the value's type (see the module docstring)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return TEXT, "yes" if value else "no"
    if isinstance(value, str):
        return TEXT, value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return (TEXT, value.isoformat()) if kind == TEXT else (DATE, value)
    if kind == TEXT or not isinstance(value, (int, float, Decimal)):
        return TEXT, format(value, "f") if isinstance(value, Decimal) else str(value)
    if kind in (None, DATE):
        kind = COUNT if isinstance(value, int) else NUMBER
    text = _decimal_text(value, kind)
    return None if text is None else (kind, text)


def _check_kinds(header, kinds):
    """``kinds`` as a list, one per column (None: undeclared)."""
    if kinds is None:
        return [None] * len(header)
    kinds = list(kinds)
    if len(kinds) != len(header) or any(k not in COLUMN_KINDS + (None,) for k in kinds):
        raise ValueError(f"kinds must be one of {COLUMN_KINDS} (or None) per column: {kinds}")
    return kinds


# -- CSV ---------------------------------------------------------------------

def _csv_field(value, kind):
    cell = _cell(value, kind)
    if cell is None:
        return ""
    cell_kind, payload = cell
    if cell_kind == TEXT:
        return '"' + neutralise_text(payload).replace('"', '""') + '"'
    return payload.isoformat() if cell_kind == DATE else payload


def _csv_line(row, kinds):
    return ",".join([_csv_field(value, kind) for value, kind in zip(row, kinds)]) + "\r\n"


def csv_chunks(header, rows, kinds=None):
    """The CSV file as a stream of bytes chunks, BOM first."""
    kinds = _check_kinds(header, kinds)
    yield ("\ufeff" + _csv_line([str(name) for name in header], [TEXT] * len(header))
           ).encode("utf-8")
    lines = []
    for row in rows:
        lines.append(_csv_line(row, kinds))
        if len(lines) == _ROWS_PER_CHUNK:
            yield "".join(lines).encode("utf-8")
            lines = []
    if lines:
        yield "".join(lines).encode("utf-8")


def write_csv(header, rows, handle, kinds=None):
    """Write the CSV to a binary file ``handle``."""
    for chunk in csv_chunks(header, rows, kinds):
        handle.write(chunk)


# -- XLSX --------------------------------------------------------------------

def _xlsx_cell(sheet, value, kind):
    cell = _cell(value, kind)
    if cell is None:
        return None
    cell_kind, payload = cell
    if cell_kind == TEXT:
        return xlsx_escape(neutralise_text(payload))
    if cell_kind == DATE:
        written = WriteOnlyCell(sheet, value=payload)
        written.number_format = (_DATETIME_FORMAT if isinstance(payload, datetime.datetime)
                                 else _DATE_FORMAT)
        return written
    # openpyxl writes a number with "%.16g", which turns 639.93 into
    # 639.9299999999999; bound as text and then marked numeric, the exact
    # decimal text goes into the file as it is.
    written = WriteOnlyCell(sheet, value=payload)
    written.data_type = "n"
    if cell_kind in _XLSX_FORMATS:
        written.number_format = _XLSX_FORMATS[cell_kind]
    return written


def write_xlsx(header, rows, handle, sheet_title="data", kinds=None):
    """Write an XLSX workbook with one sheet to a binary file ``handle``."""
    kinds = _check_kinds(header, kinds)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title[:31] or "data")
    sheet.append([xlsx_escape(neutralise_text(str(name))) for name in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value, kind) for value, kind in zip(row, kinds)])
    book.save(handle)


# -- the download ------------------------------------------------------------

def download_name(stem, fmt, now=None):
    """A server-made file name: ``<stem>-<YYYYMMDD-HHMM>.<fmt>``."""
    now = now or datetime.datetime.now()
    safe = _UNSAFE_NAME.sub("-", stem).strip("-") or "export"
    return f"{safe}-{now:%Y%m%d-%H%M}.{fmt}"


def download_response(header, rows, fmt, stem, kinds=None):
    """A download response with the table ``header`` + ``rows`` in ``fmt``
    (``csv`` or ``xlsx``) named after ``stem``; ``kinds``, one column kind
    per header column, types the cells (see the module docstring)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    kinds = _check_kinds(header, kinds)  # a wrong declaration fails here, not mid-stream
    filename = download_name(stem, fmt)
    if fmt == "csv":
        response = Response(stream_with_context(csv_chunks(header, rows, kinds)),
                            mimetype="text/csv", content_type="text/csv; charset=utf-8")
    else:
        # A zip cannot be streamed while it is written; compressed, even a
        # million rows stay a few tens of MB.
        buffer = io.BytesIO()
        write_xlsx(header, rows, buffer, sheet_title=stem, kinds=kinds)
        response = Response(buffer.getvalue(), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.no_store = True
    return response
