"""Form fields the action forms share, with messages in the product's
catalog (WTForms' own English messages are not translated here).

* ``DayField``: a calendar date ``YYYY-MM-DD``.
* ``ShanghaiDateTimeField``: ISO 8601 with an offset, or a browser's
  ``datetime-local`` value read as Asia/Shanghai; ``data`` is naive UTC.
* ``VersionField``: the object's version, hidden, for ``bump_version``.
"""

import datetime

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DateTimeLocalField, HiddenField

from metrics.period import SHANGHAI


class DayField(DateField):
    """A date; empty is ``None`` (the form decides the default), a bad one
    gets a translated message."""

    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Not a date: use the form 2025-03-01.")) from error


class ShanghaiDateTimeField(DateTimeLocalField):
    """A moment: ``2025-03-01T09:30:00+08:00`` or ``2025-03-01T09:30``
    (Shanghai time). ``data`` is naive UTC, as timestamps are stored;
    ``_value`` shows it back in Shanghai time for the ``datetime-local`` input."""

    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        text = valuelist[0].strip()
        try:
            moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as error:
            self.data = None
            raise ValueError(_l("Not a date and time: use the form 2025-03-01T09:30.")) from error
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=SHANGHAI)
        self.data = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        local = self.data.replace(tzinfo=datetime.timezone.utc).astimezone(SHANGHAI)
        return local.strftime("%Y-%m-%dT%H:%M")


class VersionField(HiddenField):
    """The version of the object the form was drawn from."""

    def process_formdata(self, valuelist):
        """An absent version is None (no check); a garbled one is -1, which
        matches no row, so the form is answered as stale."""
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0])
        except ValueError:
            self.data = -1
