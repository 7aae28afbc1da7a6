"""Unread marks: what the hotline told a department about an order that it has not yet opened.

A leader's instruction (批示), an urge (催办), supervision (督办) and the reasons an order comes
back to the department (a review's redispatch, a reply sent back) matter more than the rest of the
history: the inbox marks them and the order page shows them on top until the department opens the
order. What a department has seen is one row per order and department (`order_reads`): the last
event sequence it had on screen.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import OrderEvent, OrderRead, WorkOrder

MARKED_ACTIONS = ("instruct", "urge", "supervise", "review", "send_back", "reassign")


def _unread_where(department_id: int):
    seen = (
        select(OrderRead.seen_seq)
        .where(OrderRead.order_id == OrderEvent.order_id, OrderRead.department_id == department_id)
        .scalar_subquery()
    )
    return and_(OrderEvent.action.in_(MARKED_ACTIONS), OrderEvent.seq > func.coalesce(seen, 0),
                # What the department did itself is not news to it.
                func.coalesce(OrderEvent.actor_department_id, -1) != department_id)


def unread_actions(session: Session, order_ids: list[int], department_id: int) -> dict[int, list[str]]:
    """For each listed order with unread marked events: their actions, oldest first, once each."""
    if not order_ids:
        return {}
    rows = session.execute(
        select(OrderEvent.order_id, OrderEvent.action)
        .where(OrderEvent.order_id.in_(order_ids), _unread_where(department_id))
        .order_by(OrderEvent.order_id, OrderEvent.seq)
    )
    out: dict[int, list[str]] = {}
    for order_id, action in rows:
        names = out.setdefault(order_id, [])
        if action not in names:
            names.append(action)
    return out


def unread_events(session: Session, order: WorkOrder, department_id: int) -> list[OrderEvent]:
    return list(session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order.id, _unread_where(department_id))
        .order_by(OrderEvent.seq)
    ))


def mark_read(session: Session, order: WorkOrder, department_id: int, now: datetime) -> None:
    """The department has the order on screen up to its last event (in the caller's transaction)."""
    row = session.scalar(select(OrderRead).where(OrderRead.order_id == order.id,
                                                 OrderRead.department_id == department_id))
    if row is not None:
        if row.seen_seq < order.last_event_seq:
            row.seen_seq, row.seen_at = order.last_event_seq, now
        return
    try:
        with session.begin_nested():
            session.add(OrderRead(order_id=order.id, department_id=department_id,
                                  seen_seq=order.last_event_seq, seen_at=now))
    except IntegrityError:
        pass  # another clerk of the department opened it at the same moment: it is read either way
