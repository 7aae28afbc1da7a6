"""Where the learner lives: model versions, imported history, what was suggested, the training claim."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..models.base import Base

TRAINING_CLAIM = "suggest_training"


class SuggestModel(Base):
    """One trained version; every process serves the newest (highest id)."""

    __tablename__ = "suggest_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    trained_at: Mapped[datetime]
    trained_by: Mapped[str] = mapped_column(String(120))
    examples: Mapped[int] = mapped_column(Integer)
    # The highest order event seen: orders with later events are "new" to this version.
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    train_seconds: Mapped[float] = mapped_column(Float)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class SuggestExample(Base):
    """A past message imported from another system (`hotline suggest import`)."""

    __tablename__ = "suggest_examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    type: Mapped[str | None] = mapped_column(String(20))
    imported_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(255))


class SuggestRecord(Base):
    """What the desk suggested for an order when it was created, and what the agent chose."""

    __tablename__ = "suggest_records"

    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("suggest_models.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    category_confidence: Mapped[float] = mapped_column(Float)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    department_confidence: Mapped[float | None] = mapped_column(Float)
    type: Mapped[str | None] = mapped_column(String(20))
    chosen_category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    chosen_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    at: Mapped[datetime] = mapped_column(index=True)


class TrainingClaim(Base):
    """One row: who trains now, until when. Claimed by a conditional UPDATE, so two processes
    never train at once, and released with the new model's commit; held without a database lock,
    so the desk keeps reading the old model meanwhile."""

    __tablename__ = "suggest_training_claims"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(120))
    expires_at: Mapped[datetime | None]
