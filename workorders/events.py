"""Recording events, and rebuilding an order from them.

An event stores what the action changed (`changes`), taken as a before/after difference of the
order's columns, so folding the events in sequence gives back the order's current values.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date
from sqlalchemy.orm import Session

from .context import Actor
from .models import OrderEvent, UTCDateTime, WorkOrder

# Bookkeeping columns that describe the row, not the order.
NOT_TRACKED = {"id", "version", "updated_at", "last_event_seq"}
TRACKED = [c for c in WorkOrder.__table__.columns if c.key not in NOT_TRACKED]


def snapshot(order: WorkOrder) -> dict[str, Any]:
    values = {c.key: _to_json(getattr(order, c.key)) for c in TRACKED}
    values["assignments"] = [
        {"department_id": a.department_id, "role": a.role, "opinion": a.opinion}
        for a in order.assignments
    ]
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in after.items() if before.get(k) != v}


def append(
    session: Session,
    order: WorkOrder,
    actor: Actor,
    action: str,
    from_state: str | None,
    inputs: dict[str, Any],
    changes: dict[str, Any],
    at: datetime,
) -> OrderEvent:
    if order.id is None:
        session.flush()
    order.last_event_seq += 1
    event = OrderEvent(
        order_id=order.id,
        seq=order.last_event_seq,
        action=action,
        actor_id=actor.user_id,
        actor_name=actor.name,
        actor_role=actor.role,
        actor_department_id=actor.department_id,
        from_state=from_state,
        to_state=order.state,
        inputs=inputs,
        changes=changes,
        at=at,
    )
    session.add(event)
    return event


def rebuild(events: list[OrderEvent]) -> dict[str, Any]:
    """The order's tracked values as the events tell them."""
    state: dict[str, Any] = {c.key: None for c in TRACKED}
    state["assignments"] = []
    for event in sorted(events, key=lambda e: e.seq):
        state.update(event.changes)
        state["state"] = event.to_state
    return state


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_json(column_key: str, value: Any) -> Any:
    column = WorkOrder.__table__.columns[column_key]
    if value is None:
        return None
    if isinstance(column.type, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    return value
