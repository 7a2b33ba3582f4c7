"""Errors a request's parameters can cause; the views turn them into a
message next to the filter (pages) or a 400/403 with a reason (API)."""

from flask import has_request_context
from flask_babel import gettext


def _(message, **values):
    """``gettext`` in a request (the user's language); the English text
    outside one (data functions called from tests or the CLI)."""
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message


class ParameterError(ValueError):
    """A query parameter is malformed or names nothing that exists (400)."""

    status = 400

    def __init__(self, param, message):
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message

    def as_dict(self):
        """The JSON body of the API's error answer."""
        return {"error": "bad_parameter", "parameter": self.param,
                "message": f"{self.param}: {self.message}"}


class ScopeError(ParameterError):
    """A parameter names something outside the user's scope (403): another
    factory for an owner, another region for a manager, a factory outside a
    rep's book. The message never reveals anything about it."""

    status = 403

    def as_dict(self):
        return {"error": "forbidden", "parameter": self.param,
                "message": f"{self.param}: {self.message}"}
