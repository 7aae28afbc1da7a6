"""Agent presence: ready · on a call · wrap-up · break · offline, with its history of spans.

Every change locks the agent's row, closes the open span and opens the next, so the figures can
add up talk, wrap-up and idle time per agent. Wrap-up ends by itself: whoever reads the presence
next (the desk, the scheduler's sweep, the assignment) moves an expired wrap-up to ready, dated
when it ran out.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workorders.errors import Conflict, Invalid

from .models import PRESENCE_STATES, AgentPresence, PresenceSpan

# What an agent may choose on the desk; on_call is set by the queue, never by hand.
CHOOSABLE = ("ready", "break", "offline")
# The break reason given when an agent let an offered call ring out.
NO_ANSWER = "no_answer"
MAX_REASON = 120


def find(session: Session, user_id: int, lock: bool = False) -> AgentPresence | None:
    query = select(AgentPresence).where(AgentPresence.user_id == user_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def ensure(session: Session, user_id: int, now: datetime) -> AgentPresence:
    """The agent's row, locked; created offline the first time."""
    presence = find(session, user_id, lock=True)
    if presence is None:
        presence = AgentPresence(user_id=user_id, state="offline", since=now, version=1)
        session.add(presence)
        session.add(PresenceSpan(user_id=user_id, state="offline", started_at=now))
        session.flush()
    return presence


def change(session: Session, presence: AgentPresence, state: str, now: datetime,
           reason: str | None = None, wrap_up_seconds: int = 0) -> AgentPresence:
    if state not in PRESENCE_STATES:
        raise ValueError(f"unknown presence state {state!r}")
    if state == "break":
        reason = (reason or "").strip()[:MAX_REASON] or None
    else:
        reason = None
    if presence.state == state and presence.reason == reason and state != "wrap_up":
        return presence
    session.execute(
        update(PresenceSpan)
        .where(PresenceSpan.user_id == presence.user_id, PresenceSpan.ended_at.is_(None))
        .values(ended_at=now)
    )
    session.add(PresenceSpan(user_id=presence.user_id, state=state, reason=reason, started_at=now))
    if state == "ready" and presence.state != "ready":
        presence.idle_since = now
    presence.state, presence.reason, presence.since = state, reason, now
    presence.wrap_up_until = now + timedelta(seconds=wrap_up_seconds) if state == "wrap_up" else None
    presence.version += 1
    session.flush()
    return presence


def choose(session: Session, user_id: int, state: str, now: datetime, reason: str | None = None) -> AgentPresence:
    """The agent's own choice on the desk; refused while a caller is on the line."""
    if state not in CHOOSABLE:
        raise Invalid("Choose ready, break or offline.")
    if state == "break" and reason is not None and len(reason.strip()) > MAX_REASON:
        raise Invalid("The break reason is too long.")
    presence = expire_wrap_up(session, ensure(session, user_id, now), now)
    if presence.state == "on_call" and state != "offline":
        raise Conflict("You are on a call; hang up first.")
    return change(session, presence, state, now, reason)


def expire_wrap_up(session: Session, presence: AgentPresence, now: datetime) -> AgentPresence:
    if presence.state == "wrap_up" and presence.wrap_up_until is not None and presence.wrap_up_until <= now:
        return change(session, presence, "ready", presence.wrap_up_until)
    return presence


def expire_all_wrap_ups(session: Session, now: datetime) -> list[int]:
    """Every agent whose wrap-up ran out goes ready; returns their ids (the scheduler's sweep)."""
    ids = list(session.scalars(
        select(AgentPresence.user_id)
        .where(AgentPresence.state == "wrap_up", AgentPresence.wrap_up_until <= now)
        .order_by(AgentPresence.user_id)
    ))
    for user_id in ids:
        presence = find(session, user_id, lock=True)
        if presence is not None:
            expire_wrap_up(session, presence, now)
    return ids


def everyone(session: Session, now: datetime) -> list[AgentPresence]:
    """All agents' presence for supervisors, expired wrap-ups already moved on."""
    rows = list(session.scalars(select(AgentPresence).order_by(AgentPresence.user_id)))
    return [expire_wrap_up(session, row, now) if row.state == "wrap_up" else row for row in rows]
