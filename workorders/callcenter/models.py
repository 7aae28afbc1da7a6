"""Call-centre tables: when agents are staffed, what each agent is doing, who waits for whom.

Shared with the call figures (cc-figures): spans and queue entries are the raw facts the figures
count, so they are only ever appended to or closed, never rewritten.
"""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import ForeignKey, Index, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workorders.models import Base, User

DAY_KINDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun", "holiday")
PRESENCE_STATES = ("ready", "on_call", "wrap_up", "break", "offline")
QUEUE_OUTCOMES = ("waiting", "assigned", "answered", "abandoned", "voicemail", "failed")


class StaffingHours(Base):
    """One staffed range of one kind of day; `starts` NULL marks a day kind with no staffing,
    `ends` NULL means until midnight (24:00)."""

    __tablename__ = "cc_staffing_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_kind: Mapped[str] = mapped_column(String(10), index=True)
    starts: Mapped[time | None] = mapped_column(Time)
    ends: Mapped[time | None] = mapped_column(Time)


class AgentPresence(Base):
    """What an agent is doing now; one row per agent who ever signed in to the desk."""

    __tablename__ = "cc_agent_presence"
    __table_args__ = (Index("ix_cc_agent_presence_state_idle_since", "state", "idle_since"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(120))
    since: Mapped[datetime]
    # When the agent last became free: the longest-idle ready agent is offered the next caller.
    idle_since: Mapped[datetime | None]
    wrap_up_until: Mapped[datetime | None]
    # Agents without a headset are reached on this phone instead of the browser.
    phone_number: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)

    user: Mapped[User] = relationship()


class PresenceSpan(Base):
    """One stretch of one presence state; the open span (`ended_at` NULL) is the current one."""

    __tablename__ = "cc_presence_spans"
    __table_args__ = (Index("ix_cc_presence_spans_user_id_started_at", "user_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]


class QueueEntry(Base):
    """One caller who entered the agents' queue, from waiting to the end of the talk."""

    __tablename__ = "cc_queue_entries"
    __table_args__ = (Index("ix_cc_queue_entries_outcome_enqueued_at", "outcome", "enqueued_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("ivr_calls.id"), unique=True)
    enqueued_at: Mapped[datetime] = mapped_column(index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime | None]
    # When Twilio accepted the redirect to the agent; NULL while assigned means "redirect again".
    redirected_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(20), default="waiting")
    talk_ended_at: Mapped[datetime | None]
    # How many agents were offered this caller (a missed offer puts it back in the queue).
    offers: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]

    agent: Mapped[User | None] = relationship()
