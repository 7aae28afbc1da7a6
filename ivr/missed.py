"""未接来电: callers who hung up in the queue, and the agents' call-backs to them.

An abandoned queue entry stays on the list for MISSED_FOR, newest first, with its call-backs (who,
when); one not called back yet is "to call back". A call-back is recorded before the call is
placed (the placing happens after the commit), so a failed placing still shows who tried and when.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workorders.callcenter.figure_models import CallBack
from workorders.callcenter.models import QueueEntry
from workorders.errors import Conflict, Invalid, NotFound

from .models import Call

MISSED_FOR = timedelta(days=3)


@dataclass
class Missed:
    entry: QueueEntry
    caller: str | None
    waited_seconds: int
    call_backs: list[CallBack] = field(default_factory=list)

    @property
    def called_back(self) -> bool:
        return bool(self.call_backs)


def missed_calls(session: Session, now: datetime, *, limit: int = 50, to_call_back_only: bool = False) -> list[Missed]:
    rows = session.execute(
        select(QueueEntry, Call.from_number).join(Call, Call.id == QueueEntry.call_id)
        .where(QueueEntry.outcome == "abandoned", QueueEntry.enqueued_at >= now - MISSED_FOR)
        .order_by(QueueEntry.enqueued_at.desc(), QueueEntry.id.desc())
    ).all()
    backs: dict[int, list[CallBack]] = {}
    if rows:
        for back in session.scalars(select(CallBack).where(CallBack.queue_entry_id.in_([e.id for e, _ in rows]))
                                    .order_by(CallBack.called_at, CallBack.id)):
            backs.setdefault(back.queue_entry_id, []).append(back)
    found = []
    for entry, caller in rows:
        left = entry.left_at or entry.updated_at
        missed = Missed(entry, caller, max(0, round((left - entry.enqueued_at).total_seconds())),
                        backs.get(entry.id, []))
        if not (to_call_back_only and missed.called_back):
            found.append(missed)
    return found[:limit]


def record_call_back(session: Session, entry_id: int, user_id: int, now: datetime) -> CallBack:
    """Note that this agent calls the caller back now; the call itself is placed after the commit."""
    entry = session.scalars(select(QueueEntry).where(QueueEntry.id == entry_id).with_for_update()).one_or_none()
    if entry is None:
        raise NotFound("no missed call %(entry)s", entry=entry_id)
    if entry.outcome != "abandoned":
        raise Conflict("call %(entry)s was not abandoned: nothing to call back", entry=entry_id)
    number = session.scalar(select(Call.from_number).where(Call.id == entry.call_id))
    if not number:
        raise Invalid("the caller of call %(entry)s left no number to call back", entry=entry_id)
    back = CallBack(queue_entry_id=entry.id, user_id=user_id, called_at=now, to_number=number)
    session.add(back)
    session.flush()
    return back
