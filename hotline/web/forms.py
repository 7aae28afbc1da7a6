"""From an HTML form to the inputs of an operation.

Browsers send every field as text. The operations validate the meaning (`workorders.inputs`);
this only restores the types the JSON API would have sent: booleans, whole numbers, lists.
Empty fields are left out, so an optional field left blank means "not given".
"""
from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from workorders.models import Department

BOOLEAN_FIELDS = {"confidential", "public_consent", "urgent", "approve", "resolved"}
INTEGER_FIELDS = {"working_days", "article_id", "version"}
LIST_FIELDS = {"co_departments"}
DEPARTMENT_FIELDS = {"department", "co_departments"}
NOT_INPUTS = {"csrf_token", "next"}
TRUE = {"1", "true", "on", "yes"}
FALSE = {"0", "false", "off", "no"}


def form_inputs(form: MultiDict, fields: set[str] | None = None) -> dict:
    """The form as an operation's input dict; `fields` limits it to those names."""
    data: dict = {}
    for name in form.keys():
        if name in NOT_INPUTS or (fields is not None and name not in fields):
            continue
        values = [v.strip() for v in form.getlist(name)]
        if name in LIST_FIELDS:
            items = [v for v in values if v]
            if items:
                data[name] = items
            continue
        # A checkbox comes after a hidden "0" with the same name: the last value wins.
        value = values[-1] if values else ""
        if value == "":
            continue
        if name in BOOLEAN_FIELDS:
            lowered = value.lower()
            data[name] = True if lowered in TRUE else False if lowered in FALSE else value
        elif name in INTEGER_FIELDS:
            data[name] = int(value) if value.lstrip("-").isascii() and value.lstrip("-").isdigit() and len(value) < 12 else value
        else:
            data[name] = value
    return data


def resolve_departments(session: Session, data: dict) -> dict:
    """The department picker accepts a code, a department's exact name or its short name (城管局);
    the operations want codes."""
    def code_of(value: str) -> str:
        found = session.scalar(
            select(Department.code).where(or_(Department.code == value, Department.name == value,
                                              Department.short_name == value))
            .order_by(Department.code).limit(1)
        )
        return found or value  # unknown: left for the operation to refuse by name

    for name in DEPARTMENT_FIELDS & data.keys():
        value = data[name]
        data[name] = [code_of(v) for v in value] if isinstance(value, list) else code_of(value)
    return data


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site, never another host (an open redirect would help phishing)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
