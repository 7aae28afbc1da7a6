"""The agents' queue (ACD): the longest-waiting caller goes to the longest-idle ready agent.

The database, not Twilio's queue, decides who is next. Each caller's entry is committed before
the TwiML that enqueues them is returned, so a crashed web process loses no caller. An
assignment takes the oldest waiting entry and the longest-idle ready agent with row locks
(PostgreSQL `FOR UPDATE SKIP LOCKED`; SQLite runs one writer at a time) and marks both in the
same transaction, so two agents becoming ready at once never get the same caller and one agent is
never given two. Telling Twilio happens after the commit, outside this module.

Row locks alone are not enough for liveness: a transaction that locked a waiting caller and then
found no agent would make a concurrent one skip that caller, and both could commit with a caller
waiting and an agent ready. So assignments also take one transaction-scoped advisory lock on
PostgreSQL: whoever assigns last sees everything the others committed (SQLite's single writer
gives the same). Every change that adds a waiting caller or a ready agent assigns afterwards.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workorders.errors import Conflict

from . import presence as presences
from .models import AgentPresence, QueueEntry

# Outcomes after which the entry no longer takes part in routing.
FINAL = ("answered", "abandoned", "voicemail", "failed")
# How long past the ring timeout an unanswered assignment waits for Twilio's own report before
# the sweep takes the caller back (the report may have been lost).
REPORT_GRACE = timedelta(seconds=30)
# pg_advisory_xact_lock key of the assignment ("12345" on a phone keypad spells nothing; any
# constant the hotline's other advisory locks do not use).
ASSIGN_LOCK = 1712345017


@dataclass(frozen=True)
class Assignment:
    entry_id: int
    call_id: int
    agent_id: int


def find(session: Session, entry_id: int, lock: bool = False) -> QueueEntry | None:
    query = select(QueueEntry).where(QueueEntry.id == entry_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def for_call(session: Session, call_id: int, lock: bool = False) -> QueueEntry | None:
    query = select(QueueEntry).where(QueueEntry.call_id == call_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def enqueue(session: Session, call_id: int, now: datetime) -> QueueEntry:
    """The caller's entry, created once however often Twilio repeats the key press."""
    existing = for_call(session, call_id)
    if existing is not None:
        if existing.outcome == "voicemail":  # back from the message prompt to the queue
            existing.outcome, existing.left_at, existing.updated_at = "waiting", None, now
        return existing
    try:
        with session.begin_nested():
            entry = QueueEntry(call_id=call_id, enqueued_at=now, outcome="waiting", offers=0, updated_at=now)
            session.add(entry)
        return entry
    except IntegrityError:
        existing = for_call(session, call_id)
        if existing is None:
            raise
        return existing


def position(session: Session, entry: QueueEntry) -> int:
    """1 for the next caller to be served."""
    ahead = session.scalar(
        select(func.count()).select_from(QueueEntry).where(
            QueueEntry.outcome == "waiting",
            (QueueEntry.enqueued_at < entry.enqueued_at)
            | ((QueueEntry.enqueued_at == entry.enqueued_at) & (QueueEntry.id < entry.id)),
        )
    )
    return int(ahead or 0) + 1


def assign(session: Session, now: datetime) -> list[Assignment]:
    """Pair waiting callers with ready agents, oldest with longest-idle, until one side runs out."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ASSIGN_LOCK})
    presences.expire_all_wrap_ups(session, now)
    made: list[Assignment] = []
    while True:
        entry = session.scalar(
            select(QueueEntry).where(QueueEntry.outcome == "waiting")
            .order_by(QueueEntry.enqueued_at, QueueEntry.id).limit(1)
            .with_for_update(skip_locked=True).execution_options(populate_existing=True)
        )
        if entry is None:
            return made
        agent = session.scalar(
            select(AgentPresence).where(AgentPresence.state == "ready")
            .order_by(AgentPresence.idle_since, AgentPresence.user_id).limit(1)
            .with_for_update(skip_locked=True).execution_options(populate_existing=True)
        )
        if agent is None:
            return made
        entry.outcome, entry.agent_id, entry.assigned_at = "assigned", agent.user_id, now
        entry.redirected_at, entry.offers, entry.updated_at = None, entry.offers + 1, now
        presences.change(session, agent, "on_call", now)
        session.flush()
        made.append(Assignment(entry.id, entry.call_id, agent.user_id))


def answered(session: Session, entry: QueueEntry, now: datetime) -> None:
    if entry.outcome == "assigned":
        entry.outcome, entry.answered_at, entry.left_at, entry.updated_at = "answered", now, now, now


def missed(session: Session, entry: QueueEntry, now: datetime) -> int | None:
    """The agent let the call ring out: the agent stops taking calls, the caller waits again.
    Returns the agent's id, or None when the entry was not waiting for an answer."""
    if entry.outcome != "assigned" or entry.agent_id is None:
        return None
    agent_id = entry.agent_id
    agent = presences.ensure(session, agent_id, now)
    if agent.state == "on_call":
        presences.change(session, agent, "break", now, presences.NO_ANSWER)
    entry.outcome, entry.agent_id, entry.assigned_at, entry.redirected_at = "waiting", None, None, None
    entry.updated_at = now
    return agent_id


def undo_assignment(session: Session, entry: QueueEntry, now: datetime) -> None:
    """Twilio could not be told (the redirect failed): the caller waits, the agent is free again."""
    if entry.outcome != "assigned" or entry.agent_id is None:
        return
    agent = presences.ensure(session, entry.agent_id, now)
    if agent.state == "on_call":
        presences.change(session, agent, "ready", now)
    entry.outcome, entry.agent_id, entry.assigned_at, entry.redirected_at = "waiting", None, None, None
    entry.updated_at = now


def left(session: Session, entry: QueueEntry, outcome: str, now: datetime) -> None:
    """The caller left before talking to an agent: hung up (abandoned), chose a message, or failed."""
    if entry.outcome in FINAL:
        return
    if entry.outcome == "assigned" and entry.agent_id is not None:
        agent = presences.ensure(session, entry.agent_id, now)
        if agent.state == "on_call":
            presences.change(session, agent, "ready", now)
    entry.outcome, entry.left_at, entry.updated_at = outcome, now, now


def talk_ended(session: Session, entry: QueueEntry, now: datetime, wrap_up_seconds: int) -> None:
    """The caller and the agent hung up: the agent goes to wrap-up (话后处理)."""
    if entry.outcome != "answered" or entry.talk_ended_at is not None:
        return
    entry.talk_ended_at, entry.updated_at = now, now
    if entry.agent_id is not None:
        agent = presences.ensure(session, entry.agent_id, now)
        if agent.state == "on_call":
            presences.change(session, agent, "wrap_up", now, wrap_up_seconds=wrap_up_seconds)


def transfer(session: Session, entry: QueueEntry, target_id: int, now: datetime, wrap_up_seconds: int) -> None:
    """The talking agent hands the caller to a ready colleague, who is on the call from now."""
    if entry.outcome != "answered" or entry.talk_ended_at is not None or entry.agent_id is None:
        raise Conflict("Only a call in progress can be transferred.")
    target = presences.ensure(session, target_id, now)
    if target.state != "ready":
        raise Conflict("That colleague is not ready to take a call.")
    me = presences.ensure(session, entry.agent_id, now)
    if me.state == "on_call":
        presences.change(session, me, "wrap_up", now, wrap_up_seconds=wrap_up_seconds)
    presences.change(session, target, "on_call", now)
    entry.agent_id, entry.updated_at = target_id, now


def transfer_missed(session: Session, entry: QueueEntry, now: datetime) -> bool:
    """The colleague a call was transferred to let it ring out: they stop taking calls and the
    talk is over (the caller is told to call again). False when the entry was not a transfer."""
    if entry.outcome != "answered" or entry.talk_ended_at is not None or entry.agent_id is None:
        return False
    target = presences.ensure(session, entry.agent_id, now)
    if target.state == "on_call":
        presences.change(session, target, "break", now, presences.NO_ANSWER)
    entry.talk_ended_at, entry.updated_at = now, now
    return True


def unredirected(session: Session) -> list[QueueEntry]:
    """Assignments Twilio was never told about (a crash after the commit, a failed request)."""
    return list(session.scalars(
        select(QueueEntry).where(QueueEntry.outcome == "assigned", QueueEntry.redirected_at.is_(None))
        .order_by(QueueEntry.assigned_at, QueueEntry.id)
    ))


def overdue(session: Session, now: datetime, answer_seconds: int) -> list[QueueEntry]:
    """Assignments still ringing well past the ring timeout: Twilio's report was lost."""
    limit = now - timedelta(seconds=answer_seconds) - REPORT_GRACE
    return list(session.scalars(
        select(QueueEntry).where(QueueEntry.outcome == "assigned", QueueEntry.assigned_at < limit)
        .order_by(QueueEntry.id).with_for_update()
    ))


def waiting(session: Session, limit: int = 50) -> list[QueueEntry]:
    return list(session.scalars(
        select(QueueEntry).where(QueueEntry.outcome == "waiting")
        .order_by(QueueEntry.enqueued_at, QueueEntry.id).limit(limit)
    ))


def current_for_agent(session: Session, agent_id: int) -> QueueEntry | None:
    """The caller assigned to, or talking with, this agent now."""
    return session.scalar(
        select(QueueEntry).where(
            QueueEntry.agent_id == agent_id,
            (QueueEntry.outcome == "assigned")
            | ((QueueEntry.outcome == "answered") & QueueEntry.talk_ended_at.is_(None)),
        ).order_by(QueueEntry.id.desc()).limit(1)
    )
