"""The call figures (SPEC §12): pure functions over queue entries and presence spans.

Definitions (docs/call-figures.md repeats them for the people who read the figures):

- *offered*: callers who entered the agents' queue in the period and whose wait has ended —
  answered, abandoned, sent to voicemail after the maximum wait, or failed. Callers still
  waiting (or ringing an agent) are the wallboard's "waiting", not yet offered.
- *answered*: an agent answered (the entry has `answered_at`).
- *abandoned*: the caller hung up while waiting, or before the assigned agent answered.
- *接通率 (answer rate)*: answered ÷ offered.
- *service level (20 s)*: answered within 20 seconds of entering the queue ÷ offered.
- *average speed of answer*: mean seconds from entering the queue to the agent's answer, over the
  answered calls.
- *average handle time*: (talk + wrap-up) ÷ answered; talk runs from the answer to the end of the
  talk (or `as_of` while it lasts), wrap-up is the agents' 话后处理 spans in the period.
- per agent: calls answered, talk seconds, wrap-up seconds, and occupancy = (on a call + wrap-up) ÷
  (ready + on a call + wrap-up), from the agent's presence spans clipped to the period.

A call belongs to the period its caller entered the queue in; spans are clipped to the period.
No database, no clock: callers pass the rows and `as_of`.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime

SERVICE_LEVEL_SECONDS = 20
# Outcomes of a wait that has ended; "waiting" and "assigned" are still in the queue.
ENDED_OUTCOMES = ("answered", "abandoned", "voicemail", "failed")
# Presence states an agent is staffed in (break and offline are not).
STAFFED_STATES = ("ready", "on_call", "wrap_up")


@dataclass(frozen=True)
class Wait:
    """What the figures need of one queue entry (cc_queue_entries)."""

    enqueued_at: datetime
    outcome: str
    agent_id: int | None = None
    answered_at: datetime | None = None
    talk_ended_at: datetime | None = None


@dataclass(frozen=True)
class Span:
    """What the figures need of one presence span (cc_presence_spans)."""

    user_id: int
    state: str
    started_at: datetime
    ended_at: datetime | None


@dataclass
class AgentCounts:
    """One agent's sums over a period; `occupancy` is a rate made of them."""

    calls: int = 0
    talk_seconds: int = 0
    wrap_up_seconds: int = 0
    on_call_seconds: int = 0
    ready_seconds: int = 0

    @property
    def occupancy(self) -> float | None:
        staffed = self.on_call_seconds + self.wrap_up_seconds + self.ready_seconds
        return (self.on_call_seconds + self.wrap_up_seconds) / staffed if staffed else None

    def add(self, other: AgentCounts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict:
        return {**{f.name: getattr(self, f.name) for f in fields(self)}, "occupancy": _rounded(self.occupancy)}


@dataclass
class CallCounts:
    """The sums the call figures are made of; they add up across days (the daily roll-up)."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    voicemail: int = 0
    answered_within_service_level: int = 0
    answer_wait_seconds: int = 0
    talk_seconds: int = 0
    wrap_up_seconds: int = 0
    agents: dict[int, AgentCounts] = field(default_factory=dict)

    # -- the rates -------------------------------------------------------------------------------

    @property
    def answer_rate(self) -> float | None:
        """接通率: answered ÷ offered."""
        return self.answered / self.offered if self.offered else None

    @property
    def service_level(self) -> float | None:
        return self.answered_within_service_level / self.offered if self.offered else None

    @property
    def average_speed_of_answer(self) -> float | None:
        return self.answer_wait_seconds / self.answered if self.answered else None

    @property
    def average_handle_time(self) -> float | None:
        return (self.talk_seconds + self.wrap_up_seconds) / self.answered if self.answered else None

    def agent(self, user_id: int) -> AgentCounts:
        return self.agents.setdefault(user_id, AgentCounts())

    def add(self, other: CallCounts) -> None:
        for f in fields(self):
            if f.name != "agents":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        for user_id, counts in other.agents.items():
            self.agent(user_id).add(counts)

    def as_dict(self) -> dict:
        counts = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "agents"}
        return {
            **counts,
            "answer_rate": _rounded(self.answer_rate),
            "service_level": _rounded(self.service_level),
            "average_speed_of_answer": _rounded(self.average_speed_of_answer, 1),
            "average_handle_time": _rounded(self.average_handle_time, 1),
            "service_level_seconds": SERVICE_LEVEL_SECONDS,
        }


COUNT_NAMES = tuple(f.name for f in fields(CallCounts) if f.name != "agents")
AGENT_COUNT_NAMES = tuple(f.name for f in fields(AgentCounts))
RATE_NAMES = ("answer_rate", "service_level", "average_speed_of_answer", "average_handle_time")


def count_calls(waits: Iterable[Wait], spans: Iterable[Span], start: datetime, end: datetime,
                as_of: datetime) -> CallCounts:
    """The figures of [start, end): waits that began in it, spans clipped to it (and to `as_of`)."""
    counts = CallCounts()
    for wait in waits:
        if not start <= wait.enqueued_at < end or wait.outcome not in ENDED_OUTCOMES:
            continue
        counts.offered += 1
        if wait.outcome == "abandoned":
            counts.abandoned += 1
        elif wait.outcome == "voicemail":
            counts.voicemail += 1
        if wait.answered_at is None:
            continue
        counts.answered += 1
        waited = _seconds(wait.enqueued_at, wait.answered_at)
        counts.answer_wait_seconds += waited
        counts.answered_within_service_level += waited <= SERVICE_LEVEL_SECONDS
        talk = _seconds(wait.answered_at, wait.talk_ended_at or as_of)
        counts.talk_seconds += talk
        if wait.agent_id is not None:
            agent = counts.agent(wait.agent_id)
            agent.calls += 1
            agent.talk_seconds += talk
    for span in spans:
        seconds = _overlap(span, start, min(end, as_of))
        if span.state not in STAFFED_STATES or seconds <= 0:
            continue
        agent = counts.agent(span.user_id)
        if span.state == "wrap_up":
            agent.wrap_up_seconds += seconds
            counts.wrap_up_seconds += seconds
        elif span.state == "on_call":
            agent.on_call_seconds += seconds
        else:
            agent.ready_seconds += seconds
    return counts


def live_board(waiting_since: Iterable[datetime], presence: Iterable[str], now: datetime) -> dict:
    """The wallboard's now: callers waiting, the longest wait, agents by presence state."""
    starts = list(waiting_since)
    agents: dict[str, int] = {}
    for state in presence:
        agents[state] = agents.get(state, 0) + 1
    return {
        "waiting": len(starts),
        "longest_wait_seconds": max((_seconds(t, now) for t in starts), default=0),
        "agents": agents,
    }


def _seconds(first: datetime, last: datetime) -> int:
    return max(0, round((last - first).total_seconds()))


def _overlap(span: Span, start: datetime, end: datetime) -> int:
    last = span.ended_at if span.ended_at is not None and span.ended_at < end else end
    first = max(span.started_at, start)
    return _seconds(first, last) if last > first else 0


def _rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)
