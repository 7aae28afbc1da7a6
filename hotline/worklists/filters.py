"""The order list's filters as SQL, shared by the list, its Excel export and the board's links.

A light is a comparison of now with thresholds stored on the order (SPEC §4): a department's
deadline (`due_at`, `yellow_at`, `severe_at`) while it holds the order, the waiting timer
(`wait_due_at`, `wait_yellow_at`) while the order waits for intake or instruction. The same
conditions count the board and select the list behind each of its figures, so both always agree.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.orm import Session

from workorders.access import department_scope
from workorders.errors import Invalid
from workorders.models import Category, Department, WorkOrder
from workorders.vocabulary import DEADLINE_STATES, WAITING_STATES, Channel, OrderType, State

PAGE_SIZE = 50
LIGHTS = ("green", "yellow", "red", "severe")
SORTS = ("created_desc", "created", "due", "number")
HELD = WorkOrder.state.in_(sorted(DEADLINE_STATES))
WAITING = WorkOrder.state.in_(sorted(WAITING_STATES))
# The deadline in force: the department's while it holds the order, the waiting timer's before.
DEADLINE = case((WAITING, WorkOrder.wait_due_at), else_=WorkOrder.due_at)


def light_condition(name: str, now: datetime):
    held = {
        "green": WorkOrder.yellow_at > now,
        "yellow": and_(WorkOrder.yellow_at <= now, WorkOrder.due_at >= now),
        "red": and_(WorkOrder.due_at < now, or_(WorkOrder.severe_at.is_(None), WorkOrder.severe_at >= now)),
        "severe": and_(WorkOrder.severe_at.is_not(None), WorkOrder.severe_at < now),
    }[name]
    waiting = {
        "green": WorkOrder.wait_yellow_at > now,
        "yellow": and_(WorkOrder.wait_yellow_at <= now, WorkOrder.wait_due_at >= now),
        "red": WorkOrder.wait_due_at < now,
        "severe": false(),
    }[name]
    return or_(and_(HELD, held), and_(WAITING, waiting))


def days_overdue(order: WorkOrder, now: datetime) -> int:
    """Whole days past the deadline in force, a started day counting as one; 0 when not overdue."""
    if order.state in DEADLINE_STATES:
        deadline = order.due_at
    elif order.state in WAITING_STATES:
        deadline = order.wait_due_at
    else:
        return 0
    if deadline is None or now.replace(microsecond=0) <= deadline:
        return 0
    return math.ceil((now - deadline) / timedelta(days=1))


@dataclass(frozen=True)
class OrderFilter:
    q: str = ""
    department: str = ""
    type: str = ""
    category: str = ""
    channel: str = ""
    state: str = ""
    light: str = ""
    held: bool = False
    supervised: bool = False
    subunits: bool = True
    date_from: date | None = None
    date_to: date | None = None
    overdue_min: int | None = None
    sort: str = "created_desc"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> OrderFilter:
        """From a query string; an unknown code or a malformed date is a clear `Invalid`."""
        def code(name: str, allowed) -> str:
            value = (args.get(name) or "").strip()
            if value and value not in allowed:
                raise Invalid("unknown %(field)s '%(value)s'", field=name, value=value[:40])
            return value

        def day(name: str) -> date | None:
            value = (args.get(name) or "").strip()
            if not value:
                return None
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise Invalid("'%(field)s' is not a date (YYYY-MM-DD)", field=name) from None

        def whole(name: str, low: int) -> int | None:
            value = (args.get(name) or "").strip()
            if not value:
                return None
            if not value.isdigit() or int(value) < low:
                raise Invalid("'%(field)s' must be a whole number ≥ %(low)s", field=name, low=low)
            return min(int(value), 100_000)

        made = cls(
            q=(args.get("q") or "").strip()[:200],
            department=(args.get("department") or "").strip()[:40],
            type=code("type", OrderType.__members__),
            category=(args.get("category") or "").strip()[:40],
            channel=code("channel", Channel.__members__),
            state=code("state", State.__members__),
            light=code("light", LIGHTS),
            held=args.get("held") == "1",
            supervised=args.get("supervised") == "1",
            subunits=args.get("subunits") != "0",
            date_from=day("from"),
            date_to=day("to"),
            overdue_min=whole("overdue", 1),
            sort=code("sort", SORTS) or "created_desc",
            page=whole("page", 1) or 1,
        )
        if made.date_from and made.date_to and made.date_from > made.date_to:
            raise Invalid("'from' is after 'to'")
        return made

    def args(self, **changes) -> dict:
        """The query string of this filter (with changes), for links: page, sort, export."""
        f = replace(self, **changes)
        out = {"q": f.q, "department": f.department, "type": f.type, "category": f.category,
               "channel": f.channel, "state": f.state, "light": f.light, "held": "1" if f.held else "",
               "supervised": "1" if f.supervised else "", "subunits": "" if f.subunits else "0", "from": f.date_from.isoformat() if f.date_from else "",
               "to": f.date_to.isoformat() if f.date_to else "",
               "overdue": str(f.overdue_min) if f.overdue_min else "",
               "sort": "" if f.sort == "created_desc" else f.sort, "page": str(f.page) if f.page > 1 else ""}
        return {k: v for k, v in out.items() if v}

    def where(self, session: Session, now: datetime, tz) -> list:
        """The conditions; department and category include their sub-units and sub-categories."""
        conditions = []
        if self.department:
            dept_id = session.scalar(select(Department.id).where(
                or_(Department.code == self.department, Department.name == self.department)))
            if dept_id is None:
                raise Invalid("unknown department '%(code)s'", code=self.department)
            scope = department_scope(session, dept_id) if self.subunits else {dept_id}
            conditions.append(WorkOrder.department_id.in_(sorted(scope)))
        if self.type:
            conditions.append(WorkOrder.type == self.type)
        if self.category:
            conditions.append(WorkOrder.category_id.in_(sorted(_category_scope(session, self.category))))
        if self.channel:
            conditions.append(WorkOrder.channel == self.channel)
        if self.state:
            conditions.append(WorkOrder.state == self.state)
        if self.light:
            conditions.append(light_condition(self.light, now))
        if self.held:
            conditions.append(HELD)
        if self.supervised:
            conditions.append(and_(HELD, WorkOrder.supervised.is_(True)))
        if self.date_from:
            conditions.append(WorkOrder.created_at >= _start_of(self.date_from, tz))
        if self.date_to:
            conditions.append(WorkOrder.created_at < _start_of(self.date_to + timedelta(days=1), tz))
        if self.overdue_min:
            conditions.append(and_(or_(HELD, WAITING), DEADLINE < now - timedelta(days=self.overdue_min - 1)))
        return conditions

    def order_by(self) -> tuple:
        return {
            "created_desc": (WorkOrder.created_at.desc(), WorkOrder.id.desc()),
            "created": (WorkOrder.created_at, WorkOrder.id),
            "due": (DEADLINE.is_(None), DEADLINE, WorkOrder.id),
            "number": (WorkOrder.number,),
        }[self.sort]


def count(session: Session, query) -> int:
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def _start_of(day: date, tz) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def _category_scope(session: Session, code: str) -> set[int]:
    rows = session.execute(select(Category.id, Category.parent_id, Category.code)).all()
    root = next((cid for cid, _, c in rows if c == code), None)
    if root is None:
        raise Invalid("unknown category '%(code)s'", code=code)
    children: dict[int | None, list[int]] = {}
    for cid, parent, _ in rows:
        children.setdefault(parent, []).append(cid)
    scope, todo = set(), [root]
    while todo:
        current = todo.pop()
        if current not in scope:
            scope.add(current)
            todo.extend(children.get(current, []))
    return scope
