"""Spreadsheet formula injection: neutralise text cells on export, and undo
it on import so an export re-imports unchanged.

A text cell that a spreadsheet may run as a formula gets a single quote in
front (OWASP's advice). That is a cell starting with ``=``, ``+``, ``-`` or
``@``, or with their full-width forms ``＝ ＋ － ＠`` (what a Chinese input
method types; some spreadsheets take them for the ASCII ones), also after
leading spaces of any kind (a space, a no-break space, an ideographic space,
line breaks: spreadsheets skip them before a formula), and a cell starting
with a tab, a carriage return or a line feed (they move or split the cell).
Only text is touched: numbers (a negative amount) are written as numbers.
To keep round trips exact, text that already starts with quotes followed by
one of those starts gets one more quote, and ``restore_text`` takes exactly
one off.
"""

import re

# \s is Unicode whitespace: space, no-break space, U+3000, tab, CR, LF, ...
_FORMULA_START = r"(?:[\t\r\n]|\s*[=+\-@\uff1d\uff0b\uff0d\uff20])"
_DANGEROUS = re.compile(_FORMULA_START)
_NEUTRALISED = re.compile("'+" + _FORMULA_START)


def neutralise_text(value):
    """``value`` made safe to open in a spreadsheet (text only)."""
    if value and (_DANGEROUS.match(value) or _NEUTRALISED.match(value)):
        return "'" + value
    return value


def restore_text(value):
    """Undo ``neutralise_text`` on a cell read back from a file."""
    if value and _NEUTRALISED.match(value):
        return value[1:]
    return value


# XLSX text is XML: a carriage return does not survive parsing and most
# control characters cannot be written at all. OOXML escapes them as _xHHHH_
# (and a literal "_xHHHH_" as "_x005F_xHHHH_"); Excel and WPS read that back.
_XML_UNSAFE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\000-\010\013\014\016-\037\r]")
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def xlsx_escape(value):
    """Text for an XLSX cell, with what XML cannot carry escaped."""
    return _XML_UNSAFE.sub(lambda m: "_x%04X_" % ord(m.group()), value)


def xlsx_unescape(value):
    """Undo OOXML's _xHHHH_ escapes in text read from an XLSX cell."""
    if "_x" not in value:
        return value
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
