"""The domain's refusals in the clerk's language.

The operations explain a refusal in English (the API returns that text as is). The pages show the
common ones translated, with the operation's own words beside them for support staff; a refusal
not listed here is shown as the operation wrote it.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _

from ..i18n import label

Explain = Callable[[re.Match], str]


def _field(name: str) -> str:
    return label("field", name)


PATTERNS: list[tuple[re.Pattern, Explain]] = [
    (re.compile(r"the return window of order (\S+) closed at (\S+);"),
     lambda m: _("The return window of order %(number)s closed at %(at)s: it can no longer be returned; "
                 "reply, or ask for an extension.", number=m[1], at=m[2][:16].replace("T", " "))),
    (re.compile(r"order (\S+) changed since you loaded it"),
     lambda m: _("Order %(number)s was changed by someone else since you opened it: look at it again and "
                 "retry.", number=m[1])),
    (re.compile(r"cannot (\w+) an order in state '(\w+)'"),
     lambda m: _("%(action)s is not possible while the order is %(state)s.", action=label("action", m[1]),
                 state=label("state", m[2]))),
    (re.compile(r"order (\S+) belongs to another department"),
     lambda m: _("Order %(number)s belongs to another department.", number=m[1])),
    (re.compile(r"role '(\w+)' may not (\w+)"),
     lambda m: _("%(role)s may not %(action)s.", role=label("role", m[1]), action=label("action", m[2]))),
    (re.compile(r"only the lead department of order (\S+) may (\w+)"),
     lambda m: _("Only the lead department of order %(number)s may %(action)s.", number=m[1],
                 action=label("action", m[2]))),
    (re.compile(r"unknown department '(.*)'"),
     lambda m: _("There is no department '%(name)s'.", name=m[1])),
    (re.compile(r"^'(\w+)' is required"),
     lambda m: _("%(field)s is required.", field=_field(m[1]))),
    (re.compile(r"^'(\w+)' is too long \((\d+) characters; at most (\d+)\)"),
     lambda m: _("%(field)s is too long (%(n)s characters; at most %(max)s).", field=_field(m[1]), n=m[2],
                 max=m[3])),
    (re.compile(r"^'committed_date' is in the past"),
     lambda m: _("The committed date is in the past.")),
    (re.compile(r"already has an extension request waiting"),
     lambda m: _("An extension request is already waiting for a decision.")),
    (re.compile(r"is past its due time; an extension must be asked before it"),
     lambda m: _("The order is past its due time: an extension must be asked for before it.")),
    (re.compile(r"an extension of (\d+) working days exceeds the policy's cap of (\d+) \(at most (\d+) more\)"),
     lambda m: _("%(days)s more working days would exceed the policy's cap of %(cap)s (at most %(room)s more).",
                 days=m[1], cap=m[2], room=m[3])),
    (re.compile(r"^a mailbox needs a code"),
     lambda m: _("A mailbox needs a code (at most 40 characters), a Chinese name and an English name.")),
    (re.compile(r"caller_phone' is required for orders from the (\w+) channel"),
     lambda m: _("The caller's phone number is required for orders from the %(channel)s channel.",
                 channel=label("channel", m[1]))),
]


def explain(message: str | None) -> str | None:
    """The refusal translated, or None when it is not one of the common ones."""
    if not message:
        return None
    for pattern, say in PATTERNS:
        found = pattern.search(message)
        if found:
            return say(found)
    return None
