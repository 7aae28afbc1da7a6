"""How orders, times and departments are shown on the pages (no writes here)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import Flask
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from workorders.access import mask_name, mask_phone, reveals_personal_data
from workorders.context import Actor
from workorders.deadlines import is_past, light
from workorders.models import Category, Department, WorkOrder
from workorders.vocabulary import DEADLINE_STATES, WAITING_STATES, Light

from ..i18n import label
from ..runtime import timezone
from .refusals import refusal_shown


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC instant as the hotline's local time."""
    if value is None:
        return ""
    return value.astimezone(timezone()).strftime(fmt)


def localdate(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return localtime(value, "%Y-%m-%d")
    return value.isoformat()


def excerpt(text: str | None, length: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


def order_light(order: WorkOrder, now: datetime) -> str:
    """green / yellow / red / severe for an order a department holds, green / yellow / red for one
    waiting for intake or instruction; none otherwise."""
    if order.state in WAITING_STATES and order.wait_due_at is not None and order.wait_yellow_at is not None:
        return light(now, order.wait_due_at, order.wait_yellow_at)
    if order.state not in DEADLINE_STATES or order.due_at is None or order.yellow_at is None:
        return Light.none
    if order.severe_at is not None and is_past(now, order.severe_at):
        return "severe"
    return light(now, order.due_at, order.yellow_at)


@dataclass(frozen=True)
class Caller:
    name: str | None
    phone: str | None
    address: str | None
    masked: bool

    @property
    def has_personal_data(self) -> bool:
        return bool(self.name or self.phone or self.address)


def caller_of(actor: Actor, order: WorkOrder) -> Caller:
    """The caller as this actor may see them (SPEC §9)."""
    if reveals_personal_data(actor, order):
        return Caller(order.caller_name, order.caller_phone, order.address, masked=False)
    return Caller(mask_name(order.caller_name), mask_phone(order.caller_phone), None, masked=True)


@dataclass(frozen=True)
class DepartmentOption:
    code: str
    name: str
    depth: int
    short_name: str | None = None

    @property
    def indented(self) -> str:
        return "\u3000" * self.depth + self.name

    @property
    def picked_as(self) -> str:
        """The department picker's line: the short name beside the full one, both found by typing."""
        return f"{self.indented}（{self.short_name}）" if self.short_name else self.indented


def department_tree(session: Session) -> list[DepartmentOption]:
    """Active departments in tree order (each parent followed by its sub-units)."""
    rows = list(session.scalars(select(Department).where(Department.active.is_(True)).order_by(Department.code)))
    children: dict[int | None, list[Department]] = {}
    ids = {d.id for d in rows}
    for dept in rows:
        parent = dept.parent_id if dept.parent_id in ids else None
        children.setdefault(parent, []).append(dept)
    out: list[DepartmentOption] = []

    def walk(parent: int | None, depth: int) -> None:
        for dept in children.get(parent, []):
            out.append(DepartmentOption(dept.code, dept.name, depth, dept.short_name))
            walk(dept.id, depth + 1)

    walk(None, 0)
    return out


@dataclass(frozen=True)
class CategoryOption:
    code: str
    name: str
    depth: int
    default_department: str | None

    @property
    def indented(self) -> str:
        return "\u3000" * self.depth + self.name


def category_tree(session: Session) -> list[CategoryOption]:
    rows = list(session.scalars(select(Category).order_by(Category.code)))
    codes = dict(session.execute(select(Department.id, Department.code)).all())
    children: dict[int | None, list[Category]] = {}
    for category in rows:
        children.setdefault(category.parent_id, []).append(category)
    out: list[CategoryOption] = []

    def walk(parent: int | None, depth: int) -> None:
        for category in children.get(parent, []):
            out.append(CategoryOption(category.code, category.name, depth,
                                      codes.get(category.default_department_id)))
            walk(category.id, depth + 1)

    walk(None, 0)
    return out


def department_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Department.id, Department.name)).all())


# Event inputs whose values are codes with a translated label.
CODED_INPUTS = {"type": "type", "channel": "channel", "handling": "handling", "satisfaction": "satisfaction",
                "reason_code": "invalid_reason", "to": "urged", "source": "attachment_source"}


def show_value(key: str, value) -> str:
    """An event's input as a person reads it (the template escapes the result)."""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if key in CODED_INPUTS and isinstance(value, str):
        return label(CODED_INPUTS[key], value)
    return "" if value is None else str(value)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(localtime=localtime, localdate=localdate, excerpt=excerpt)
    app.jinja_env.globals.update(show_value=show_value, refusal_shown=refusal_shown)
