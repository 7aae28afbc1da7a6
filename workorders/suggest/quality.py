"""What was suggested for each order, and how it went: acceptance and accuracy per category."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Category, Department, WorkOrder
from .learner import Suggestion
from .models import SuggestModel, SuggestRecord

WINDOW = timedelta(days=30)


def record(session: Session, order: WorkOrder, version: int, suggestions: list[Suggestion], now: datetime) -> None:
    """Keep the top suggestion made for `order` and what the agent chose (category, department)."""
    if not suggestions:
        return
    top = suggestions[0]
    category_id = session.scalar(select(Category.id).where(Category.code == top.category.code))
    department_id = (session.scalar(select(Department.id).where(Department.code == top.department.code))
                     if top.department else None)
    session.add(SuggestRecord(
        order_id=order.id, model_id=version, category_id=category_id,
        category_confidence=top.category.confidence, department_id=department_id,
        department_confidence=top.department.confidence if top.department else None,
        type=top.type.code if top.type else None,
        chosen_category_id=order.category_id, chosen_department_id=order.department_id, at=now))


def note_dispatch(session: Session, order: WorkOrder) -> None:
    """An order saved first and dispatched later: the department the agent chose then."""
    row = session.get(SuggestRecord, order.id)
    if row is not None and row.chosen_department_id is None:
        row.chosen_department_id = order.department_id
        row.chosen_category_id = row.chosen_category_id or order.category_id


@dataclass
class CategoryFigures:
    code: str
    name: str
    orders: int
    correct: int

    @property
    def accuracy(self) -> float | None:
        return round(self.correct / self.orders, 4) if self.orders else None


@dataclass
class Quality:
    since: datetime
    suggested: int
    category_accepted: int
    department_suggested: int
    department_accepted: int
    categories: list[CategoryFigures]

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    @property
    def category_acceptance(self) -> float | None:
        return self._rate(self.category_accepted, self.suggested)

    @property
    def department_acceptance(self) -> float | None:
        return self._rate(self.department_accepted, self.department_suggested)


def quality(session: Session, now: datetime) -> Quality:
    """Figures over the orders suggested for in the last 30 days. Acceptance compares with the
    agent's choice at creation or dispatch; accuracy with the order's category now (its final one)."""
    since = now - WINDOW
    recent = SuggestRecord.at >= since
    suggested, category_accepted = session.execute(
        select(func.count(), func.count().filter(SuggestRecord.category_id == SuggestRecord.chosen_category_id))
        .where(recent)).one()
    department_suggested, department_accepted = session.execute(
        select(func.count(), func.count().filter(SuggestRecord.department_id == SuggestRecord.chosen_department_id))
        .where(recent, SuggestRecord.chosen_department_id.is_not(None),
               SuggestRecord.department_id.is_not(None))).one()
    per_category = session.execute(
        select(Category.code, Category.name, func.count(),
               func.count().filter(SuggestRecord.category_id == WorkOrder.category_id))
        .join(WorkOrder, WorkOrder.id == SuggestRecord.order_id)
        .join(Category, Category.id == WorkOrder.category_id)
        .where(recent).group_by(Category.code, Category.name).order_by(Category.code)).all()
    return Quality(since, suggested, category_accepted, department_suggested, department_accepted,
                   [CategoryFigures(code, name, n, ok) for code, name, n, ok in per_category])


@dataclass
class ModelInfo:
    version: int
    trained_at: datetime
    examples: int
    train_seconds: float


def newest_model_info(session: Session) -> ModelInfo | None:
    row = session.execute(select(SuggestModel.id, SuggestModel.trained_at, SuggestModel.examples,
                                 SuggestModel.train_seconds).order_by(SuggestModel.id.desc()).limit(1)).first()
    return ModelInfo(*row) if row else None
