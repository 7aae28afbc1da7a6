"""Hot-spot warning (综合预警): a category or district whose last week is far above its usual level.

The statistic, per category (with its sub-categories) and per district:

    x  = orders received in the last 7 days, today included;
    w1…w8 = orders received in each of the 8 weeks (7-day windows) before those 7 days;
    μ  = mean of w1…w8;  s = max(sample standard deviation of w1…w8, √μ, 1);
    z  = (x − μ) / s.

The floor on s is the spread a Poisson count of mean μ has by chance alone, so a group that was
perfectly steady, or new, is not flagged for a handful of extra orders. A group is flagged when
z ≥ 3 and x ≥ 10 (a minimum volume worth a supervisor's look). Counts come from the daily
roll-up's `received`, so the statistic costs 63 days × groups small rows.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Category, Department, WorkOrder
from .facts import day_bounds
from .models import DailyFigures

WINDOW_DAYS = 7
WEEKS = 8
Z_THRESHOLD = 3.0
MIN_COUNT = 10
DIMENSIONS = ("category", "district")


@dataclass(frozen=True)
class Volume:
    dimension: str
    key: str
    name: str
    count: int
    weekly: tuple[int, ...]  # the 8 weeks before, oldest first
    mean: float
    spread: float
    z: float
    first: date  # the 7 days counted
    last: date

    @property
    def flagged(self) -> bool:
        return self.z >= Z_THRESHOLD and self.count >= MIN_COUNT


def z_score(count: int, weekly: list[int]) -> tuple[float, float, float]:
    mean = statistics.fmean(weekly)
    sd = statistics.stdev(weekly) if len(weekly) > 1 else 0.0
    spread = max(sd, math.sqrt(mean), 1.0)
    return mean, spread, (count - mean) / spread


def volumes(session: Session, today: date, dimension: str) -> list[Volume]:
    """Every group of the dimension with its statistic, highest z first."""
    first = today - timedelta(days=WINDOW_DAYS * (WEEKS + 1) - 1)
    rows = session.execute(
        select(DailyFigures.key, DailyFigures.day, DailyFigures.received)
        .where(DailyFigures.dimension == dimension, DailyFigures.day >= first,
               DailyFigures.day <= today, DailyFigures.received > 0)
    )
    bins: dict[str, list[int]] = {}
    for key, day, received in rows:
        if not key:
            continue  # unclassified orders, or no district given: not a place or a subject
        week = (today - day).days // WINDOW_DAYS  # 0 = the last 7 days
        bins.setdefault(key, [0] * (WEEKS + 1))[week] += received
    names = {key: key for key in bins}
    if dimension == "category":
        bins, names = _with_subcategories(session, bins)
    out = []
    for key, counts in bins.items():
        weekly = list(reversed(counts[1:]))
        mean, spread, z = z_score(counts[0], weekly)
        out.append(Volume(dimension, key, names.get(key, key), counts[0], tuple(weekly), round(mean, 2),
                          round(spread, 2), round(z, 2), today - timedelta(days=WINDOW_DAYS - 1), today))
    return sorted(out, key=lambda v: (-v.z, v.key))


def hotspots(session: Session, today: date) -> list[Volume]:
    """The flagged groups of every dimension, highest z first."""
    flagged = [v for dim in DIMENSIONS for v in volumes(session, today, dim) if v.flagged]
    return sorted(flagged, key=lambda v: -v.z)


def _with_subcategories(session: Session, bins: dict[str, list[int]]):
    categories = session.execute(select(Category.id, Category.name, Category.parent_id)).all()
    parent = {str(i): (None if p is None else str(p)) for i, _, p in categories}
    names = {str(i): name for i, name, _ in categories}
    rolled: dict[str, list[int]] = {}
    for key, counts in bins.items():
        node, seen = key, set()
        while node is not None and node not in seen:
            seen.add(node)
            target = rolled.setdefault(node, [0] * len(counts))
            for i, n in enumerate(counts):
                target[i] += n
            node = parent.get(node)
    return rolled, names


def orders_behind(session: Session, volume: Volume, tz: tzinfo, limit: int = 100) -> list[dict]:
    """The orders a flag stands on (newest first), without anything personal."""
    start, _ = day_bounds(volume.first, tz)
    _, end = day_bounds(volume.last, tz)
    if volume.dimension == "category":
        ids = _subtree(session, int(volume.key))
        where = WorkOrder.category_id.in_(ids)
    else:
        where = WorkOrder.district == volume.key
    rows = session.execute(
        select(WorkOrder.number, WorkOrder.type, WorkOrder.state, WorkOrder.created_at,
               WorkOrder.district, Category.name.label("category"), Department.name.label("department"))
        .outerjoin(Category, Category.id == WorkOrder.category_id)
        .outerjoin(Department, Department.id == WorkOrder.department_id)
        .where(where, WorkOrder.created_at >= start, WorkOrder.created_at < end)
        .order_by(WorkOrder.created_at.desc())
        .limit(limit)
    )
    return [dict(row._mapping) for row in rows]


def _subtree(session: Session, root: int) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for i, p in session.execute(select(Category.id, Category.parent_id)):
        children.setdefault(p, []).append(i)
    out, todo = set(), [root]
    while todo:
        node = todo.pop()
        if node not in out:
            out.add(node)
            todo.extend(children.get(node, []))
    return out


def find(session: Session, today: date, dimension: str, key: str) -> Volume | None:
    return next((v for v in volumes(session, today, dimension) if v.key == key), None)
