"""The severe-overdue list of a period: its dispatches that went past the severe threshold.

Those that ended are kept by the roll-up (`stats_severe`), those a department still holds past
the threshold too (`stats_held`, compared with the time of the report). Nothing personal: order number, department,
type, category, the deadlines and what became of it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import null, select
from sqlalchemy.orm import Session

from ..models import Category, Department, WorkOrder
from .models import HeldDispatch, SevereDispatch
from .periods import Period


@dataclass(frozen=True)
class SevereEntry:
    number: str
    department: str | None
    type: str
    category: str | None
    dispatched_at: datetime
    due_at: datetime | None
    severe_at: datetime | None
    ended_at: datetime | None  # None: still held
    ended_by: str | None
    state: str

    def days_past_due(self, now: datetime) -> float | None:
        if self.due_at is None:
            return None
        return round(((self.ended_at or now) - self.due_at).total_seconds() / 86400, 1)


def severe_list(session: Session, period: Period, now: datetime) -> list[SevereEntry]:
    s = SevereDispatch
    ended = session.execute(
        _described(s.dispatched_at, s.due_at, s.severe_at, s.ended_at, s.ended_by)
        .select_from(s)
        .join(WorkOrder, WorkOrder.id == s.order_id)
        .outerjoin(Department, Department.id == s.department_id)
        .outerjoin(Category, Category.id == WorkOrder.category_id)
        .where(s.day >= period.first, s.day <= period.last)
    )
    h = HeldDispatch
    held = session.execute(
        _described(h.dispatched_at, h.due_at, h.severe_at, null(), null())
        .select_from(h)
        .join(WorkOrder, WorkOrder.id == h.order_id)
        .outerjoin(Department, Department.id == h.department_id)
        .outerjoin(Category, Category.id == WorkOrder.category_id)
        .where(h.day >= period.first, h.day <= period.last, h.severe_at < now.replace(microsecond=0))
    )
    entries = [SevereEntry(**row._mapping) for row in [*ended, *held]]
    return sorted(entries, key=lambda e: (e.department or "", e.dispatched_at, e.number))


def _described(dispatched_at, due_at, severe_at, ended_at, ended_by):
    """The columns of an entry, the order's own and the department and category names."""
    return select(
        WorkOrder.number, Department.name.label("department"), WorkOrder.type,
        Category.name.label("category"), dispatched_at.label("dispatched_at"), due_at.label("due_at"),
        severe_at.label("severe_at"), ended_at.label("ended_at"), ended_by.label("ended_by"),
        WorkOrder.state,
    )
