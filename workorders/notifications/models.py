"""The outbox of SMS and e-mail, in-app notices, and each department's contact settings."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..models.base import Base


class DepartmentContact(Base):
    """Where a department hears of its orders; each channel can be switched off."""

    __tablename__ = "department_contacts"

    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True)
    duty_phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(255))
    sms_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    email_enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class OutboundMessage(Base):
    """One SMS or e-mail to send after the action's commit; retried until sent or given up."""

    __tablename__ = "outbound_messages"
    __table_args__ = (
        # One message per event, department and channel: recording the same event twice is a no-op.
        UniqueConstraint("order_id", "event_seq", "department_id", "channel"),
        Index("ix_outbound_messages_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    event_seq: Mapped[int] = mapped_column(Integer)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    action: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(10))  # sms, email
    recipient: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class UserNotice(Base):
    """An in-app notice for one user (the bell in the navigation); unread until opened."""

    __tablename__ = "user_notices"
    __table_args__ = (Index("ix_user_notices_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
