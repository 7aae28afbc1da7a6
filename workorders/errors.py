"""Refusals the domain raises; the web shell maps each to its HTTP status.

A refusal is a message template with named parameters, not a finished sentence:

    raise Invalid("unknown department '%(code)s'", code=code)

`message` is the English text (the API and the CLI answer with it); the pages show `template`
translated, filled in with `params`. So that a translation can be found, the template is a plain
string literal at the raise (hotline/translations/babel.cfg extracts the class names as keywords).
A parameter named after a kind of code (`state`, `action`, `role`, `channel`, `type`, `field`, …;
plural for a list of codes, see hotline/web/refusals.py) is shown on the pages by its label.
"""
from __future__ import annotations

from datetime import date
from typing import Any


def in_english(value: Any) -> str:
    """A parameter as the English message writes it: lists comma-separated, dates and times ISO 8601."""
    if isinstance(value, (list, tuple)):
        return ", ".join(in_english(item) for item in value)
    if isinstance(value, date):  # a datetime is a date too
        return value.isoformat()
    return format(value)


class DomainError(Exception):
    status = 400

    def __init__(self, template: str, **params: Any):
        self.template = template
        self.params = params
        # Without parameters the template is the message as is (a '%' in it needs no doubling).
        self.message = template % {name: in_english(value) for name, value in params.items()} if params else template
        super().__init__(self.message)


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    """The actor's role or department may not do this."""

    status = 403


class Conflict(DomainError):
    """Not allowed in the order's current state, a window has closed, or the order changed."""

    status = 409


class Invalid(DomainError):
    """The inputs are missing or malformed."""

    status = 422


class TooLarge(DomainError):
    """An upload above the configured size limit."""

    status = 413
