"""Validation of action inputs: every problem becomes an `Invalid` naming the field."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from .errors import Invalid

MAX_TEXT = 10_000
MAX_SHORT = 255
PHONE = re.compile(r"^\+?[0-9][0-9\- ]{2,30}$")
# Control characters other than tab and newlines have no place in a citizen's text.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Inputs:
    """A thin reader over a JSON body that knows how to complain."""

    def __init__(self, data: Any, allowed: set[str] | None = None):
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise Invalid("the request body must be a JSON object")
        if allowed is not None:
            unknown = sorted(set(data) - allowed - {"version"})
            if unknown:
                raise Invalid("unknown field(s): %(fields)s", fields=unknown)
        self.data = data

    def has(self, name: str) -> bool:
        return self.data.get(name) is not None

    def text(self, name: str, required: bool = True, limit: int = MAX_TEXT) -> str | None:
        value = self.data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise Invalid("'%(field)s' is required", field=name)
            return None
        if not isinstance(value, str):
            raise Invalid("'%(field)s' must be text", field=name)
        value = CONTROL.sub("", value).strip()
        if len(value) > limit:
            raise Invalid("'%(field)s' is too long (%(length)s characters; at most %(limit)s)", field=name,
                          length=len(value), limit=limit)
        return value

    def short(self, name: str, required: bool = False) -> str | None:
        return self.text(name, required=required, limit=MAX_SHORT)

    def boolean(self, name: str, required: bool = False, default: bool | None = None) -> bool | None:
        value = self.data.get(name)
        if value is None:
            if required:
                raise Invalid("'%(field)s' is required (true or false)", field=name)
            return default
        if not isinstance(value, bool):
            raise Invalid("'%(field)s' must be true or false", field=name)
        return value

    def integer(self, name: str, required: bool = True, low: int | None = None, high: int | None = None) -> int | None:
        value = self.data.get(name)
        if value is None:
            if required:
                raise Invalid("'%(field)s' is required", field=name)
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid("'%(field)s' must be a whole number", field=name)
        if low is not None and value < low:
            raise Invalid("'%(field)s' must be at least %(low)s", field=name, low=low)
        if high is not None and value > high:
            raise Invalid("'%(field)s' must be at most %(high)s", field=name, high=high)
        return value

    def choice(self, name: str, choices, required: bool = True, default: str | None = None) -> str | None:
        value = self.data.get(name)
        if value is None:
            if required:
                raise Invalid("'%(field)s' is required; one of: %(choices)s", field=name, choices=list(choices))
            return default
        if value not in choices:
            raise Invalid("'%(field)s' must be one of: %(choices)s", field=name, choices=list(choices))
        return value

    def day(self, name: str, required: bool = True) -> date | None:
        value = self.data.get(name)
        if value is None:
            if required:
                raise Invalid("'%(field)s' is required (YYYY-MM-DD)", field=name)
            return None
        try:
            if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            raise Invalid("'%(field)s' must be a date as YYYY-MM-DD", field=name) from None

    def phone(self, name: str, required: bool = False) -> str | None:
        value = self.short(name, required=required)
        if value is not None and not PHONE.match(value):
            raise Invalid("'%(field)s' is not a phone number", field=name)
        return value

    def string_list(self, name: str) -> list[str]:
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise Invalid("'%(field)s' must be a list of codes", field=name)
        if len(value) > 50:
            raise Invalid("'%(field)s' lists too many entries", field=name)
        return value
