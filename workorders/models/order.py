"""The work order (工单), the departments it is assigned to, and its event log."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .catalog import Category
from .organisation import Department, User


class WorkOrder(Base):
    __tablename__ = "work_orders"
    __table_args__ = (
        Index("ix_work_orders_state_due_at", "state", "due_at"),
        Index("ix_work_orders_department_state", "department_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    # Optimistic lock: two people acting on one order at once, the second is told it changed.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Sequence number of the newest event, so appending one needs no read of the log.
    last_event_seq: Mapped[int] = mapped_column(Integer, default=0)
    type: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(24), index=True)
    content: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    district: Mapped[str | None] = mapped_column(String(80))
    address: Mapped[str | None] = mapped_column(String(255))
    caller_name: Mapped[str | None] = mapped_column(String(80))
    caller_phone: Mapped[str | None] = mapped_column(String(32), index=True)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    public_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    access_code_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # Dispatch: the lead department (the only one, unless joint) and how it handles the order.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    handling: Mapped[str | None] = mapped_column(String(20))
    dispatched_at: Mapped[datetime | None]
    # The rules the order was dispatched under (copied from the policy at dispatch).
    rules: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    limit_days: Mapped[int | None] = mapped_column(Integer)
    limit_unit: Mapped[str | None] = mapped_column(String(10))
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    pending_extension_days: Mapped[int | None] = mapped_column(Integer)
    committed_date: Mapped[date | None] = mapped_column(Date)

    # The current deadline and its thresholds, stored so that a light is a comparison with now.
    due_at: Mapped[datetime | None]
    yellow_at: Mapped[datetime | None]
    severe_at: Mapped[datetime | None]
    return_deadline_at: Mapped[datetime | None]
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    # Scheduler bookkeeping: the next instant at which something is due for this order.
    next_alarm_at: Mapped[datetime | None] = mapped_column(index=True)
    urged_at: Mapped[datetime | None]
    supervised: Mapped[bool] = mapped_column(Boolean, default=False)
    severe_reported_at: Mapped[datetime | None]
    # The timer of a waiting state (intake, instruction): its limit, yellow and the one urge.
    wait_due_at: Mapped[datetime | None]
    wait_yellow_at: Mapped[datetime | None]
    wait_urged_at: Mapped[datetime | None]

    # Outcome.
    answer_text: Mapped[str | None] = mapped_column(Text)
    article_id: Mapped[int | None] = mapped_column(Integer)
    reply_text: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None]
    resolved: Mapped[bool | None] = mapped_column(Boolean)
    callback_due_at: Mapped[datetime | None]
    callback_attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When the scheduler places the next automatic survey call (None: no call waiting).
    callback_call_at: Mapped[datetime | None]
    satisfaction: Mapped[str | None] = mapped_column(String(24))
    closed_at: Mapped[datetime | None]
    invalid_reason: Mapped[str | None] = mapped_column(String(40))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    # 重复诉求: the archived order this one repeats (issue 13).
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))

    category: Mapped[Category | None] = relationship()
    department: Mapped[Department | None] = relationship(foreign_keys=[department_id])
    created_by: Mapped[User | None] = relationship()
    merged_into: Mapped[WorkOrder | None] = relationship(remote_side=[id], foreign_keys=[merged_into_id])
    assignments: Mapped[list[OrderAssignment]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderAssignment.id"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", order_by="OrderEvent.seq", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def co_department_ids(self) -> list[int]:
        return [a.department_id for a in self.assignments if a.role == "co"]

    def __repr__(self) -> str:
        return f"<WorkOrder {self.number} {self.state}>"


class OrderAssignment(Base):
    """The departments of the current dispatch: the lead, and co-departments of a joint order."""

    __tablename__ = "order_assignments"
    __table_args__ = (UniqueConstraint("order_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    opinion: Mapped[str | None] = mapped_column(Text)
    opinion_at: Mapped[datetime | None]

    order: Mapped[WorkOrder] = relationship(back_populates="assignments")
    department: Mapped[Department] = relationship()


class OrderEvent(Base):
    """One action on an order. Never updated or deleted: the order is a fold over these."""

    __tablename__ = "order_events"
    __table_args__ = (UniqueConstraint("order_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"))
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(30), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(80))
    actor_role: Mapped[str] = mapped_column(String(20))
    actor_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    # What the action did to the order's fields, so that the order can be rebuilt from events.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(index=True)

    order: Mapped[WorkOrder] = relationship(back_populates="events")


class OrderNumberCounter(Base):
    """Per local day sequence behind the human-friendly order number (20261122-00042)."""

    __tablename__ = "order_number_counters"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class PersonalDataView(Base):
    """Every time a department user saw a caller's unmasked personal data (SPEC §9)."""

    __tablename__ = "personal_data_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    via: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
