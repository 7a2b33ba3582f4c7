"""Download any table as CSV or XLSX: the helper behind every export button.

    from exchange.table_download import download_response
    return download_response(["factory", "gmv_cny"], rows, "xlsx", "sales-by-factory")

* CSV is UTF-8 with a BOM, so Excel opens Chinese correctly, and streams
  (a million rows never sit in memory).
* XLSX is written with openpyxl's write-only mode: numbers stay numbers,
  dates stay dates.
* Text cells that a spreadsheet would run as a formula (starting with ``=``,
  ``+``, ``-``, ``@``, tab or CR) get a leading quote; numbers are never
  touched, so a negative amount stays a number. Imports undo the quote.
* The file name is made by the server (``<stem>-<YYYYMMDD-HHMM>.<ext>``) and
  sent as ``Content-Disposition: attachment``.
"""

import csv
import datetime
import io
import re
from decimal import Decimal

from flask import Response, stream_with_context

from exchange.formulas import neutralise_text, xlsx_escape

FORMATS = ("csv", "xlsx")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ROWS_PER_CHUNK = 1_000
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def cell_text(value):
    """A cell as CSV text: dates ISO, amounts as written, None empty, text
    neutralised."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise_text(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def csv_chunks(header, rows):
    """The CSV file as a stream of bytes chunks, BOM first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell_text(name) for name in header])
    yield "\ufeff".encode("utf-8") + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, 1):
        writer.writerow([cell_text(value) for value in row])
        if count % _ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def write_csv(header, rows, handle):
    """Write the CSV to a binary file ``handle``."""
    for chunk in csv_chunks(header, rows):
        handle.write(chunk)


def _xlsx_cell(value):
    if isinstance(value, str):
        return xlsx_escape(neutralise_text(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def write_xlsx(header, rows, handle, sheet_title="data"):
    """Write an XLSX workbook with one sheet to a binary file ``handle``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title[:31] or "data")
    sheet.append([_xlsx_cell(name) for name in header])
    for row in rows:
        cells = []
        for value in row:
            value = _xlsx_cell(value)
            if isinstance(value, (datetime.date, datetime.datetime)):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = ("yyyy-mm-dd hh:mm:ss" if isinstance(value, datetime.datetime)
                                      else "yyyy-mm-dd")
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    book.save(handle)


def download_name(stem, fmt, now=None):
    """A server-made file name: ``<stem>-<YYYYMMDD-HHMM>.<fmt>``."""
    now = now or datetime.datetime.now()
    safe = _UNSAFE_NAME.sub("-", stem).strip("-") or "export"
    return f"{safe}-{now:%Y%m%d-%H%M}.{fmt}"


def download_response(header, rows, fmt, stem):
    """A download response with the table ``header`` + ``rows`` in ``fmt``
    (``csv`` or ``xlsx``) named after ``stem``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    filename = download_name(stem, fmt)
    if fmt == "csv":
        response = Response(stream_with_context(csv_chunks(header, rows)),
                            mimetype="text/csv", content_type="text/csv; charset=utf-8")
    else:
        # A zip cannot be streamed while it is written; compressed, even a
        # million rows stay a few tens of MB.
        buffer = io.BytesIO()
        write_xlsx(header, rows, buffer, sheet_title=stem)
        response = Response(buffer.getvalue(), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.no_store = True
    return response
