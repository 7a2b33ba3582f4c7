"""Data exchange (SPEC section 6): all-or-nothing imports and scoped exports
of the eight file kinds, in CSV (UTF-8, UTF-8 with BOM, GB18030) and XLSX.

* ``values``: one parser per kind of cell (date, timestamp, money, ...).
* ``kinds``: the eight kinds, their columns, natural keys and references.
* ``readers``: streaming CSV/XLSX readers (encoding detection, size caps).
* ``importer``: the import engine (staging table, checks, counts, upsert).
* ``exporter``: the rows of a kind a user may see, in the import's format.
* ``table_download``: CSV/XLSX download responses for any page's table.
* ``jobs``: background imports for the admin page (``ImportJob`` rows).
* ``commands``: ``flask import`` and ``flask export``.
"""
