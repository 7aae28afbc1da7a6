"""Quality inspection tables: checklist, inspections, the marks of each item."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models import Base, User, WorkOrder


class QualityItem(Base):
    """One line of the checklist (greeting, classification, answer, courtesy …)."""

    __tablename__ = "qa_checklist_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    guidance: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Inspection(Base):
    __tablename__ = "qa_inspections"
    __table_args__ = (UniqueConstraint("order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    week: Mapped[date] = mapped_column(Date, index=True)  # the Monday of the week the order was taken
    source: Mapped[str] = mapped_column(String(10))  # sample | chosen
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending scored appealed decided
    created_at: Mapped[datetime]
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    scored_at: Mapped[datetime | None]
    score: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    appeal: Mapped[str | None] = mapped_column(Text)
    appealed_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision: Mapped[str | None] = mapped_column(Text)
    final_score: Mapped[float | None] = mapped_column(Float)

    order: Mapped[WorkOrder] = relationship()
    agent: Mapped[User] = relationship(foreign_keys=[agent_id])
    marks: Mapped[list[InspectionMark]] = relationship(back_populates="inspection", order_by="InspectionMark.item_id",
                                                       cascade="all, delete-orphan")

    @property
    def effective_score(self) -> float | None:
        return self.final_score if self.final_score is not None else self.score


class InspectionMark(Base):
    __tablename__ = "qa_inspection_marks"
    __table_args__ = (UniqueConstraint("inspection_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("qa_inspections.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("qa_checklist_items.id"))
    points: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)

    inspection: Mapped[Inspection] = relationship(back_populates="marks")
    item: Mapped[QualityItem] = relationship()
