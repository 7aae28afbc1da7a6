"""The call figures' own tables: call-backs of abandoned callers, and the daily roll-up.

The figures themselves are computed by `figures.py` from queue entries and presence spans; the
roll-up keeps, per local day, the sums they are made of, so a month's report reads ~30 rows.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workorders.models import Base, User

from .models import QueueEntry


class CallBack(Base):
    """An agent called back a caller who had hung up in the queue (未接来电回拨)."""

    __tablename__ = "cc_call_backs"

    id: Mapped[int] = mapped_column(primary_key=True)
    queue_entry_id: Mapped[int] = mapped_column(ForeignKey("cc_queue_entries.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    called_at: Mapped[datetime]
    to_number: Mapped[str] = mapped_column(String(40))
    # The outbound call's CallSid, once Twilio accepted it.
    call_sid: Mapped[str | None] = mapped_column(String(64))

    entry: Mapped[QueueEntry] = relationship()
    user: Mapped[User] = relationship()


class CallDay(Base):
    """One local day's call counts (see figures.CallCounts)."""

    __tablename__ = "cc_daily_calls"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    offered: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    abandoned: Mapped[int] = mapped_column(Integer, default=0)
    voicemail: Mapped[int] = mapped_column(Integer, default=0)
    answered_within_service_level: Mapped[int] = mapped_column(Integer, default=0)
    answer_wait_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    talk_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    wrap_up_seconds: Mapped[int] = mapped_column(BigInteger, default=0)


class AgentDay(Base):
    """One agent's counts of one local day (see figures.AgentCounts)."""

    __tablename__ = "cc_daily_agents"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    talk_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    wrap_up_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    on_call_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    ready_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
