"""Training: the examples (settled orders as they are now, and imported history), the claim that
keeps training to one process at a time, and the commit of a new model version.

Training reads in one short transaction, fits with no transaction open (the desk keeps serving
the committed model and nothing is locked), and writes the new version in another. An order
teaches what it is now, so an agent's later change of category or department (classify,
dispatching a returned order elsewhere) is what the next version learns.
"""
from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from ..models import Category, Department, OrderEvent, WorkOrder
from ..vocabulary import State
from .features import split_order
from .learner import Example, Learner, Settings
from .models import TRAINING_CLAIM, SuggestExample, SuggestModel, TrainingClaim

# States in which an agent has not settled the order's category and department (yet, or ever).
UNSETTLED = (State.new, State.invalid, State.merged, State.returned, State.awaiting_instruction)
CLAIM_TTL = timedelta(minutes=30)
MIN_EXAMPLES = 10

Transaction = Callable[[], AbstractContextManager[Session]]


@dataclass
class Trained:
    version: int | None
    examples: int
    note: str


def order_examples(session: Session) -> Iterator[Example]:
    category, department = aliased(Category), aliased(Department)
    rows = session.execute(
        select(WorkOrder.content, category.code, department.code, WorkOrder.type)
        .join(category, WorkOrder.category_id == category.id)
        .outerjoin(department, WorkOrder.department_id == department.id)
        .where(WorkOrder.state.not_in(UNSETTLED))
        .order_by(WorkOrder.id))
    for content, category_code, department_code, order_type in rows:
        title, body = split_order(content)
        yield Example(title, body, category_code, department_code, order_type)


def imported_examples(session: Session) -> Iterator[Example]:
    category, department = aliased(Category), aliased(Department)
    rows = session.execute(
        select(SuggestExample.title, SuggestExample.body, category.code, department.code, SuggestExample.type)
        .join(category, SuggestExample.category_id == category.id)
        .outerjoin(department, SuggestExample.department_id == department.id)
        .order_by(SuggestExample.id))
    for title, body, category_code, department_code, order_type in rows:
        yield Example(title, body, category_code, department_code, order_type)


def newest_model(session: Session) -> SuggestModel | None:
    return session.scalar(select(SuggestModel).order_by(SuggestModel.id.desc()).limit(1))


def watermarks(session: Session) -> tuple[int, int]:
    """(last order event id, last imported example id) now."""
    return (session.scalar(select(func.max(OrderEvent.id))) or 0,
            session.scalar(select(func.max(SuggestExample.id))) or 0)


def news_since(session: Session, model: SuggestModel | None) -> int:
    """Orders touched and history imported since `model` was trained (everything when none was)."""
    event_mark = model.last_event_id if model else 0
    example_mark = int(model.summary.get("last_example_id", 0)) if model else 0
    orders = session.scalar(select(func.count(func.distinct(OrderEvent.order_id)))
                            .where(OrderEvent.id > event_mark)) or 0
    imported = session.scalar(select(func.count(SuggestExample.id)).where(SuggestExample.id > example_mark)) or 0
    return orders + imported


# --- the claim ------------------------------------------------------------------------------

def claim(session: Session, owner: str, now: datetime) -> bool:
    """Take the training claim unless another process holds it (and has not overrun it)."""
    table = TrainingClaim.__table__
    taken = session.execute(
        update(table).where(table.c.name == TRAINING_CLAIM,
                            or_(table.c.owner.is_(None), table.c.owner == owner, table.c.expires_at < now))
        .values(owner=owner, expires_at=now + CLAIM_TTL)).rowcount
    if taken:
        return True
    if session.get(TrainingClaim, TRAINING_CLAIM) is None:
        # The migration creates the row; this only repairs a database where it was deleted.
        session.execute(insert(table).values(name=TRAINING_CLAIM, owner=owner, expires_at=now + CLAIM_TTL))
        return True
    return False


def release(session: Session, owner: str) -> None:
    table = TrainingClaim.__table__
    session.execute(update(table).where(table.c.name == TRAINING_CLAIM, table.c.owner == owner)
                    .values(owner=None, expires_at=None))


def holder(session: Session) -> TrainingClaim | None:
    row = session.get(TrainingClaim, TRAINING_CLAIM)
    return row if row and row.owner else None


# --- one training ---------------------------------------------------------------------------

def retrain(transaction: Transaction, owner: str, now: datetime, real_now: Callable[[], datetime],
            min_news: int = 0, settings: Settings | None = None) -> Trained:
    """Train and commit a new version if at least `min_news` orders or imports are new since the
    newest one (always when there is none). Returns what happened, for the run record."""
    with transaction() as session:
        model = newest_model(session)
        news = news_since(session, model)
        if model is not None and news < min_news:
            return Trained(None, 0, f"{news} new order(s) or import(s) since version {model.id}, "
                                    f"fewer than {min_news}: not retrained")
        if not claim(session, owner, real_now()):
            busy = holder(session)
            return Trained(None, 0, f"another process is training ({busy.owner if busy else '?'}): not retrained")
        event_mark, example_mark = watermarks(session)
        examples = [*imported_examples(session), *order_examples(session)]
    try:
        categories = {e.category for e in examples}
        if len(examples) < MIN_EXAMPLES or len(categories) < 2:
            return Trained(None, len(examples), f"{len(examples)} example(s) in {len(categories)} "
                                                f"categor(ies): too few to learn from (at least {MIN_EXAMPLES} in 2)")
        learner = Learner(settings).fit(examples)
        payload = pickle.dumps(learner, protocol=pickle.HIGHEST_PROTOCOL)
        with transaction() as session:
            row = SuggestModel(trained_at=now, trained_by=owner[:120], examples=len(examples),
                               last_event_id=event_mark, train_seconds=round(learner.train_seconds, 3),
                               summary={"last_example_id": example_mark, "counts": learner.counts,
                                        "categories": len(categories), "bytes": len(payload)},
                               payload=payload)
            session.add(row)
            release(session, owner)
            session.flush()
            version = row.id
        return Trained(version, len(examples), f"version {version} trained on {len(examples)} examples "
                                               f"in {learner.train_seconds:.1f} s")
    finally:
        with transaction() as session:
            release(session, owner)
