"""Telephony records: every call and message the hotline's number handled (SPEC §5).

Twilio retries webhooks and may deliver the same one twice at once, so the provider's ids
(`CallSid`, `MessageSid`) are unique here: the database, not luck, keeps a repeat from creating
a second record or a second order.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workorders.models import Base, WorkOrder

# Orders the IVR creates itself: at most one of each kind per call, whatever Twilio repeats.
IVR_LINK_KINDS = ("voicemail", "speech", "survey")


class Call(Base):
    __tablename__ = "ivr_calls"
    __table_args__ = (Index("ix_ivr_calls_ended_at_started_at", "ended_at", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    direction: Mapped[str] = mapped_column(String(20))  # inbound / outbound
    purpose: Mapped[str] = mapped_column(String(20))  # hotline / survey
    from_number: Mapped[str | None] = mapped_column(String(40), index=True)
    to_number: Mapped[str | None] = mapped_column(String(40))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))
    duration: Mapped[int | None] = mapped_column(Integer)
    after_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    recording_url: Mapped[str | None] = mapped_column(String(500))
    recording_sid: Mapped[str | None] = mapped_column(String(64))
    recording_duration: Mapped[int | None] = mapped_column(Integer)
    # How often the menu was played without a usable choice; the caller is let go after a few.
    menu_rounds: Mapped[int] = mapped_column(Integer, default=0)
    # The order number typed on the keypad, kept until the access code follows.
    query_number: Mapped[str | None] = mapped_column(String(20))
    # The satisfaction callback this call makes, the first answer while the second is awaited,
    # and when the outcome went to the order (so a repeated status callback counts nothing twice).
    survey_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"), index=True)
    survey_satisfaction: Mapped[str | None] = mapped_column(String(24))
    survey_recorded_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]

    survey_order: Mapped[WorkOrder | None] = relationship(foreign_keys=[survey_order_id])
    links: Mapped[list[CallOrder]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="CallOrder.id"
    )

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    def __repr__(self) -> str:
        return f"<Call {self.call_sid} {self.status}>"


class CallOrder(Base):
    """An order that came from, or was called back about in, a call."""

    __tablename__ = "ivr_call_orders"
    __table_args__ = (
        UniqueConstraint("call_id", "order_id"),
        # One voicemail, one speech request and one survey per call; other kinds (an agent
        # creating orders while on the line) may repeat.
        Index(
            "uq_ivr_call_orders_call_id_kind", "call_id", "kind", unique=True,
            sqlite_where=text("kind IN ('voicemail', 'speech', 'survey')"),
            postgresql_where=text("kind IN ('voicemail', 'speech', 'survey')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("ivr_calls.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]

    call: Mapped[Call] = relationship(back_populates="links")
    order: Mapped[WorkOrder] = relationship()


class Message(Base):
    """An SMS received (an intake or a survey answer) or sent (a survey question)."""

    __tablename__ = "ivr_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    direction: Mapped[str] = mapped_column(String(20))  # inbound / outbound
    # intake, survey_question, survey_answer, or what an inbound text turned out not to be
    purpose: Mapped[str] = mapped_column(String(24))
    from_number: Mapped[str | None] = mapped_column(String(40), index=True)
    to_number: Mapped[str | None] = mapped_column(String(40), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"), index=True)

    order: Mapped[WorkOrder | None] = relationship()

    def __repr__(self) -> str:
        return f"<Message {self.message_sid} {self.purpose}>"


class QueryAttempt(Base):
    """One order number + access code tried on the keypad; failures limit further tries."""

    __tablename__ = "ivr_query_attempts"
    __table_args__ = (Index("ix_ivr_query_attempts_order_id_at", "order_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("ivr_calls.id"), index=True)
    # None when the number typed names no order.
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime]
