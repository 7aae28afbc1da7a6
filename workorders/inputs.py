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
                raise Invalid(f"unknown field(s): {', '.join(unknown)}")
        self.data = data

    def has(self, name: str) -> bool:
        return self.data.get(name) is not None

    def text(self, name: str, required: bool = True, limit: int = MAX_TEXT) -> str | None:
        value = self.data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise Invalid(f"'{name}' is required")
            return None
        if not isinstance(value, str):
            raise Invalid(f"'{name}' must be text")
        value = CONTROL.sub("", value).strip()
        if len(value) > limit:
            raise Invalid(f"'{name}' is too long ({len(value)} characters; at most {limit})")
        return value

    def short(self, name: str, required: bool = False) -> str | None:
        return self.text(name, required=required, limit=MAX_SHORT)

    def boolean(self, name: str, required: bool = False, default: bool | None = None) -> bool | None:
        value = self.data.get(name)
        if value is None:
            if required:
                raise Invalid(f"'{name}' is required (true or false)")
            return default
        if not isinstance(value, bool):
            raise Invalid(f"'{name}' must be true or false")
        return value

    def integer(self, name: str, required: bool = True, low: int | None = None, high: int | None = None) -> int | None:
        value = self.data.get(name)
        if value is None:
            if required:
                raise Invalid(f"'{name}' is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"'{name}' must be a whole number")
        if low is not None and value < low:
            raise Invalid(f"'{name}' must be at least {low}")
        if high is not None and value > high:
            raise Invalid(f"'{name}' must be at most {high}")
        return value

    def choice(self, name: str, choices, required: bool = True, default: str | None = None) -> str | None:
        value = self.data.get(name)
        if value is None:
            if required:
                raise Invalid(f"'{name}' is required; one of: {', '.join(choices)}")
            return default
        if value not in choices:
            raise Invalid(f"'{name}' must be one of: {', '.join(choices)}")
        return value

    def day(self, name: str, required: bool = True) -> date | None:
        value = self.data.get(name)
        if value is None:
            if required:
                raise Invalid(f"'{name}' is required (YYYY-MM-DD)")
            return None
        try:
            if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            raise Invalid(f"'{name}' must be a date as YYYY-MM-DD") from None

    def phone(self, name: str, required: bool = False) -> str | None:
        value = self.short(name, required=required)
        if value is not None and not PHONE.match(value):
            raise Invalid(f"'{name}' is not a phone number")
        return value

    def string_list(self, name: str) -> list[str]:
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise Invalid(f"'{name}' must be a list of codes")
        if len(value) > 50:
            raise Invalid(f"'{name}' lists too many entries")
        return value
