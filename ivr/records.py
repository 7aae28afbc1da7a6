"""Idempotent writes of call and message records, and of the orders they create.

Twilio retries a webhook when it does not hear back in time, and two copies can arrive at once.
Each record is claimed by inserting its unique provider id inside a savepoint: the loser of a
race gets an IntegrityError once the winner has committed, rolls back only the savepoint and
reads the winner's row. Orders a call creates are made while holding the call's row lock and
guarded by a unique (call, kind) index, so a repeat never creates a second order.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workorders.intake import Created
from workorders.models import WorkOrder

from .models import Call, CallOrder, Message

T = TypeVar("T")
log = logging.getLogger(__name__)


def _claim(session: Session, find: Callable[[], T | None], build: Callable[[], T]) -> tuple[T, bool]:
    existing = find()
    if existing is not None:
        return existing, False
    try:
        with session.begin_nested():
            row = build()
            session.add(row)
        return row, True
    except IntegrityError:
        # A concurrent copy of this webhook inserted it first and has committed: use its row.
        existing = find()
        if existing is None:
            raise
        log.info("a concurrent copy of this webhook recorded %r first; using it", existing)
        return existing, False


def find_call(session: Session, call_sid: str) -> Call | None:
    return session.scalar(select(Call).where(Call.call_sid == call_sid))


def claim_call(session: Session, call_sid: str, now: datetime, **fields) -> tuple[Call, bool]:
    """The call's record, created on the first webhook that mentions it."""
    def build() -> Call:
        values = {"direction": "inbound", "purpose": "hotline", "status": "in-progress",
                  "after_hours": False, "menu_rounds": 0, **fields}
        return Call(call_sid=call_sid, started_at=now, updated_at=now, **values)

    return _claim(session, lambda: find_call(session, call_sid), build)


@dataclass(frozen=True)
class CallStart:
    """What /ivr/voice needs of the call's record: the decision stored when it was first logged."""

    after_hours: bool
    created: bool


_START_STATEMENTS = {
    dialect: insert(Call.__table__)
    .on_conflict_do_nothing(index_elements=["call_sid"])
    .returning(Call.__table__.c.after_hours)
    for dialect, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
_FIND_START = select(Call.__table__.c.after_hours)


def start_call(connection: Connection, call_sid: str, now: datetime, **fields) -> CallStart:
    """Log the call /ivr/voice announces, once, in one statement that commits by itself.

    Almost every /ivr/voice is a new call, so this inserts first (INSERT … ON CONFLICT DO NOTHING
    RETURNING, built once, on a connection of `Database.single_statements()`) instead of looking
    up, opening a savepoint and inserting through the ORM: the webhook's cost is mostly this write.
    A duplicate (Twilio's retry, or a copy arriving at once, which the database makes wait for the
    first copy's insert) inserts nothing and reads the first copy's row, whose after-hours
    decision stands.
    """
    values = {"direction": "inbound", "purpose": "hotline", "status": "in-progress", "after_hours": False,
              "menu_rounds": 0, **fields, "call_sid": call_sid, "started_at": now, "updated_at": now}
    statement = _START_STATEMENTS[connection.dialect.name]
    for _ in range(2):  # a second round only if the row we collided with was deleted meanwhile
        # RETURNING says whether a row was inserted (rowcount does not, on every driver).
        if connection.execute(statement, values).first() is not None:
            return CallStart(values["after_hours"], created=True)
        existing = connection.scalar(_FIND_START.where(Call.__table__.c.call_sid == call_sid))
        if existing is not None:
            return CallStart(existing, created=False)
    raise RuntimeError(f"call {call_sid} could be neither logged nor found")


def lock_call(session: Session, call: Call) -> Call:
    """Serialise the webhooks of one call (PostgreSQL row lock; SQLite locks the whole file)."""
    return session.scalars(
        select(Call).where(Call.id == call.id).with_for_update().execution_options(populate_existing=True)
    ).one()


def find_message(session: Session, message_sid: str) -> Message | None:
    return session.scalar(select(Message).where(Message.message_sid == message_sid))


def claim_message(session: Session, message_sid: str, now: datetime, **fields) -> tuple[Message, bool]:
    return _claim(
        session,
        lambda: find_message(session, message_sid),
        lambda: Message(message_sid=message_sid, at=now, **fields),
    )


def linked_order(session: Session, call: Call, kind: str) -> WorkOrder | None:
    link = session.scalar(select(CallOrder).where(CallOrder.call_id == call.id, CallOrder.kind == kind))
    return link.order if link else None


def order_once_per_call(
    session: Session, call: Call, kind: str, now: datetime, create: Callable[[], Created]
) -> tuple[WorkOrder, str | None]:
    """The call's order of this kind: created now (with its access code) or found (code None).

    A refusal from `create` rolls back everything it wrote and propagates.
    """
    call = lock_call(session, call)
    existing = linked_order(session, call, kind)
    if existing is not None:
        return existing, None
    try:
        with session.begin_nested():
            created = create()
            session.add(CallOrder(call_id=call.id, order_id=created.order.id, kind=kind, created_at=now))
    except IntegrityError:
        existing = linked_order(session, call, kind)
        if existing is None:
            raise
        log.info("a concurrent copy of this webhook created the %s order of %r first", kind, call)
        return existing, None
    return created.order, created.access_code
