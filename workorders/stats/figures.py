"""The figures of SPEC §7 for a period and a grouping, from the roll-up and the open orders.

`report` adds up the roll-up rows of the period (one small row per day and group) and counts the
dispatches of the period that departments still hold (`stats_held`, also kept by the roll-up)
against the time of the report; it reads no order. The rates are then derived from those sums in
one place, `Figures`, whatever produced the counts (the roll-up here, or `check`'s replay of the
events).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from ..errors import Invalid
from ..models import Category, Department
from ..vocabulary import Channel, OrderType
from .models import MEASURES, DailyFigures, HeldDispatch
from .periods import Period
from .rollup import DIMENSIONS, refreshed_at

GROUPS = DIMENSIONS
HELD = ("held", "held_past_due", "held_severe")
NOT_DISPATCHED = ""


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


@dataclass
class Figures:
    """Sums of the roll-up's measures and the held counts, and every figure derived from them."""

    counts: Counter = field(default_factory=Counter)

    def __getattr__(self, name: str) -> int:
        if name in MEASURES or name in HELD:
            return self.counts.get(name, 0)
        raise AttributeError(name)

    def add(self, other: Figures) -> None:
        self.counts.update(other.counts)

    @property
    def valid_received(self) -> int:
        return self.received - self.invalid - self.merged

    @property
    def replied_late(self) -> int:
        return self.replied - self.replied_on_time

    @property
    def overdue(self) -> int:
        return self.replied_late + self.held_past_due

    @property
    def severe_overdue(self) -> int:
        return self.severe_closed + self.held_severe

    def as_dict(self) -> dict:
        return {
            "received": self.received,
            "invalid": self.invalid,
            "merged": self.merged,
            "valid_received": self.valid_received,
            "answered": self.answered,
            "direct_answer_rate": _rate(self.answered, self.valid_received),
            "dispatched": self.dispatched,
            "replied": self.replied,
            "reply_rate": _rate(self.replied, self.dispatched),
            "replied_on_time": self.replied_on_time,
            "replied_late": self.replied_late,
            "on_time_rate": _rate(self.replied_on_time, self.replied),
            "held": self.held,
            "held_past_due": self.held_past_due,
            "overdue": self.overdue,
            "overdue_rate": _rate(self.overdue, self.dispatched),
            "severe_overdue": self.severe_overdue,
            "returns": self.returned,
            "returns_per_100": round(100 * self.returned / self.dispatched, 2) if self.dispatched else None,
            "closed_unreplied": self.closed_unreplied,
            "callbacks_reached": self.callbacks_reached,
            "satisfied": self.satisfied,
            "basically_satisfied": self.basically_satisfied,
            "dissatisfied": self.dissatisfied,
            "resolved": self.resolved,
            "unreachable": self.unreachable,
            "resolution_rate": _rate(self.resolved, self.callbacks_reached),
            "satisfaction_rate": _rate(self.satisfied + self.basically_satisfied, self.callbacks_reached),
            "average_reply_days": round(self.reply_seconds / self.replied / 86400, 2) if self.replied else None,
        }


@dataclass
class Row:
    key: str  # department or category id, or the code itself; "" for none
    code: str  # the stable code (SPEC §11) of the department, category, type or channel
    name: str
    figures: Figures
    parent: str | None = None
    depth: int = 0


@dataclass
class Report:
    period: Period
    group: str
    as_of: datetime
    refreshed_at: datetime | None
    total: Figures
    rows: list[Row]

    def row(self, key: str) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)


def check_group(group: str) -> str:
    if group not in GROUPS:
        raise Invalid("unknown group '%(name)s'; groups are: %(groups)s", name=group, groups=list(GROUPS))
    return group


# --- the sources ------------------------------------------------------------------------------

def rollup_sums(session: Session, group: str, period: Period) -> dict[str, Figures]:
    columns = [func.coalesce(func.sum(getattr(DailyFigures, m)), 0).label(m) for m in MEASURES]
    rows = session.execute(
        select(DailyFigures.key, *columns)
        .where(DailyFigures.dimension == group, DailyFigures.day >= period.first,
               DailyFigures.day <= period.last)
        .group_by(DailyFigures.key)
    )
    return {row.key: Figures(Counter({m: int(getattr(row, m)) for m in MEASURES})) for row in rows}


HELD_COLUMNS = {
    "all": literal(""),
    "department": HeldDispatch.department_id,
    "type": HeldDispatch.type,
    "category": HeldDispatch.category_id,
    "channel": HeldDispatch.channel,
    "district": HeldDispatch.district,
}


def held_counts(session: Session, group: str, period: Period, now: datetime, tz: tzinfo) -> dict[str, Figures]:
    """Dispatches of the period the departments still hold: how many, past due, past severe."""
    second = now.replace(microsecond=0)
    column = HELD_COLUMNS[group].label("key")
    rows = session.execute(
        select(
            column, func.count().label("held"),
            func.sum(case((HeldDispatch.due_at < second, 1), else_=0)).label("past_due"),
            func.sum(case((HeldDispatch.severe_at < second, 1), else_=0)).label("severe"),
        )
        .where(HeldDispatch.day >= period.first, HeldDispatch.day <= period.last)
        .group_by(column)
    )
    out: dict[str, Figures] = {}
    for row in rows:
        key = "" if row.key is None else str(row.key)
        out.setdefault(key, Figures()).counts.update(
            {"held": row.held, "held_past_due": int(row.past_due or 0), "held_severe": int(row.severe or 0)})
    return out


# --- assembling rows ----------------------------------------------------------------------------

def report(session: Session, period: Period, group: str, now: datetime, tz: tzinfo,
           only_departments: set[int] | None = None) -> Report:
    """Figures per group for the period; departments and categories include their sub-units.

    `only_departments` limits a department grouping to those departments (a department user's
    own and its sub-units'); the total is then theirs alone.
    """
    check_group(group)
    sums = _merge(rollup_sums(session, group, period), held_counts(session, group, period, now, tz))
    total = _merge(rollup_sums(session, "all", period), held_counts(session, "all", period, now, tz))
    return assemble(session, period, group, now, sums, total.get("", Figures()), only_departments)


def assemble(session: Session, period: Period, group: str, now: datetime,
             sums: Mapping[str, Figures], total: Figures,
             only_departments: set[int] | None = None) -> Report:
    if group == "department":
        rows = _tree_rows(sums, _departments(session), unassigned="not dispatched")
    elif group == "category":
        rows = _tree_rows(sums, _categories(session), unassigned="not classified")
    else:
        rows = _flat_rows(group, sums)
    if only_departments is not None:
        rows = [r for r in rows if r.key and int(r.key) in only_departments]
        roots = [r for r in rows if r.parent is None or int(r.parent) not in only_departments]
        total = Figures()
        for root in roots:
            total.add(root.figures)
    return Report(period, group, now, refreshed_at(session), total, rows)


def _merge(*parts: Mapping[str, Figures]) -> dict[str, Figures]:
    out: dict[str, Figures] = {}
    for part in parts:
        for key, figures in part.items():
            out.setdefault(key, Figures()).add(figures)
    return out


Node = tuple[str, str, str, str | None]  # key, code, name, parent key


def _departments(session: Session) -> list[Node]:
    return [(str(i), code, name, None if parent is None else str(parent))
            for i, code, name, parent in session.execute(
                select(Department.id, Department.code, Department.name, Department.parent_id)
                .order_by(Department.code))]


def _categories(session: Session) -> list[Node]:
    return [(str(i), code, name, None if parent is None else str(parent))
            for i, code, name, parent in session.execute(
                select(Category.id, Category.code, Category.name, Category.parent_id).order_by(Category.code))]


def _tree_rows(sums: Mapping[str, Figures], nodes: list[Node], unassigned: str) -> list[Row]:
    """Each node's own figures plus all its descendants', in tree order; empty nodes left out."""
    parent_of = {key: parent for key, _, _, parent in nodes}
    rolled: dict[str, Figures] = {}
    for key, figures in sums.items():
        if key not in parent_of:
            continue
        node, seen = key, set()
        while node is not None and node not in seen:  # `seen` guards against a cycle in the tree
            seen.add(node)
            rolled.setdefault(node, Figures()).add(figures)
            node = parent_of.get(node)
    children: dict[str | None, list[Node]] = {}
    for node in nodes:
        children.setdefault(node[3] if node[3] in parent_of else None, []).append(node)
    rows: list[Row] = []

    def walk(parent: str | None, depth: int) -> None:
        for key, code, name, _ in children.get(parent, []):
            if key in rolled and any(rolled[key].counts.values()):
                rows.append(Row(key, code, name, rolled[key], parent, depth))
                walk(key, depth + 1)

    walk(None, 0)
    if NOT_DISPATCHED in sums and any(sums[NOT_DISPATCHED].counts.values()):
        rows.append(Row(NOT_DISPATCHED, "", unassigned, sums[NOT_DISPATCHED]))
    return rows


ORDERS = {"type": list(OrderType), "channel": list(Channel)}


def _flat_rows(group: str, sums: Mapping[str, Figures]) -> list[Row]:
    order = ORDERS.get(group)
    if order is not None:
        keys = [k for k in order if k in sums] + sorted(k for k in sums if k not in order)
    else:
        keys = sorted(sums, key=lambda k: (k == "", k))
    return [Row(key, key, key or "—", sums[key]) for key in keys if any(sums[key].counts.values())]


# --- the dashboard's other numbers ----------------------------------------------------------------

def daily_series(session: Session, period: Period, today: date) -> list[dict]:
    """Per day of the period up to `today`: orders received, dispatches made, and how many of
    those were replied. Days still to come have no figures yet, not zeros."""
    rows = dict(
        (row.day, row) for row in session.execute(
            select(DailyFigures.day, DailyFigures.received, DailyFigures.dispatched, DailyFigures.replied)
            .where(DailyFigures.dimension == "all", DailyFigures.day >= period.first,
                   DailyFigures.day <= period.last))
    )
    out = []
    for offset in range(max(0, (min(period.last, today) - period.first).days + 1)):
        day = period.first + timedelta(days=offset)
        row = rows.get(day)
        out.append({"day": day, "received": row.received if row else 0,
                    "dispatched": row.dispatched if row else 0, "replied": row.replied if row else 0})
    return out


def lights_now(session: Session, now: datetime) -> dict[str, int]:
    """The dispatches departments hold (as of the roll-up), by their light now (SPEC §4)."""
    second = now.replace(microsecond=0)
    light = case(
        (HeldDispatch.severe_at < second, "severe"),
        (HeldDispatch.due_at < second, "red"),
        (HeldDispatch.yellow_at <= second, "yellow"),
        else_="green",
    ).label("light")
    counts = dict(session.execute(select(light, func.count()).group_by(light)).all())
    return {name: counts.get(name, 0) for name in ("green", "yellow", "red", "severe")}
