"""The domain's refusals in the user's language.

A refusal (`workorders.errors.DomainError`) carries an English template and its parameters. The API
and the CLI answer with its English `message`; the pages show the template translated by the
catalogue and filled in, codes (states, actions, roles, …) by their labels.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext

from workorders.errors import DomainError, in_english

from ..i18n import current_locale, label
from ..runtime import timezone

# The kind of code a parameter holds, by the parameter's name (the plural holds a list of them).
CODE_KINDS = {
    "state": "state", "states": "state",
    "action": "action", "actions": "action",
    "role": "role", "roles": "role",
    "channel": "channel", "channels": "channel",
    "type": "type", "types": "type",
    "field": "field", "fields": "field",
    "handling": "handling",
    "mailbox_kinds": "mailbox_kind",
}
# A list in Chinese is separated by the enumeration comma.
LIST_SEPARATORS = {"zh_CN": "、"}


def _shown(name: str, value: Any) -> str:
    if isinstance(value, DomainError):  # a refusal quoted by another (an import's bad line)
        return refusal_text(value)
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATORS.get(current_locale(), ", ").join(_shown(name, item) for item in value)
    if name in CODE_KINDS:
        return label(CODE_KINDS[name], value)
    if isinstance(value, datetime):
        return value.astimezone(timezone()).strftime("%Y-%m-%d %H:%M")
    return in_english(value)


def refusal_text(exc: DomainError) -> str:
    """The refusal in the user's language: its template translated, then filled in.

    A template the catalogue does not know is shown as written.
    """
    return gettext(exc.template, **{name: _shown(name, value) for name, value in exc.params.items()})


def refusal_shown(error: DomainError | str) -> str:
    """What a page shows of a refusal: the rule in the user's language alone (the API and the CLI
    keep the English words for support staff)."""
    return refusal_text(error) if isinstance(error, DomainError) else str(error)
