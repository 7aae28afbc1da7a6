"""Orders as JSON (SPEC §11), with personal data masked for those who may not see it."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from workorders.access import mask_name, mask_phone, reveals_personal_data
from workorders.context import Actor
from workorders.deadlines import light
from workorders.handling import accountable_id
from workorders.models import OrderEvent, WorkOrder
from workorders.vocabulary import DEADLINE_STATES, Light


def iso(value: datetime | None, tz: ZoneInfo) -> str | None:
    return value.astimezone(tz).isoformat() if value else None


def order_light(order: WorkOrder, now: datetime) -> str:
    if order.state not in DEADLINE_STATES or order.due_at is None:
        return Light.none
    return light(now, order.due_at, order.yellow_at)


def order_json(order: WorkOrder, actor: Actor, tz: ZoneInfo, now: datetime, codes: dict[int, str],
               listing: bool = False) -> dict:
    """`codes` maps department ids to codes (loaded once per request).

    In a listing a department sees callers masked: the unmasked view is the order's own page,
    where each view is logged (SPEC §9).
    """
    personal = reveals_personal_data(actor, order) and not (listing and actor.role == "department")
    return {
        "number": order.number,
        "version": order.version,
        "type": order.type,
        "state": order.state,
        "channel": order.channel,
        "content": order.content,
        "category": order.category.code if order.category else None,
        "district": order.district,
        "address": order.address if personal else None,
        "caller_name": order.caller_name if personal else mask_name(order.caller_name),
        "caller_phone": order.caller_phone if personal else mask_phone(order.caller_phone),
        "confidential": order.confidential,
        "public_consent": order.public_consent,
        "urgent": order.urgent,
        "department": codes.get(order.department_id),
        # The department the hotline dispatched to; it differs from `department` once forwarded.
        "accountable_department": codes.get(accountable_id(order)),
        "co_departments": [codes[a.department_id] for a in order.assignments if a.role == "co"],
        "handling": order.handling,
        "dispatched_at": iso(order.dispatched_at, tz),
        "due_at": iso(order.due_at, tz),
        "return_deadline_at": iso(order.return_deadline_at, tz),
        "yellow_at": iso(order.yellow_at, tz),
        "severe_at": iso(order.severe_at, tz),
        "light": order_light(order, now),
        "severe": bool(order.severe_at and order.state in DEADLINE_STATES and now > order.severe_at),
        "provisional": order.provisional,
        "limit_days": order.limit_days,
        "limit_unit": order.limit_unit,
        "extension_days": order.extension_days,
        "pending_extension_days": order.pending_extension_days,
        "committed_date": order.committed_date.isoformat() if order.committed_date else None,
        "supervised": order.supervised,
        "answer_text": order.answer_text,
        "reply_text": order.reply_text,
        "resolved": order.resolved,
        "satisfaction": order.satisfaction,
        "callback_due_at": iso(order.callback_due_at, tz),
        "callback_attempts": order.callback_attempts,
        "invalid_reason": order.invalid_reason,
        "merged_into": order.merged_into.number if order.merged_into else None,
        "created_at": iso(order.created_at, tz),
        "updated_at": iso(order.updated_at, tz),
    }


def event_json(event: OrderEvent, tz: ZoneInfo) -> dict:
    return {
        "seq": event.seq,
        "action": event.action,
        "actor": event.actor_name,
        "actor_role": event.actor_role,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "at": iso(event.at, tz),
        "inputs": event.inputs,
    }
