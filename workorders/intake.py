"""Creating orders: numbers, access codes, the create action."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import events, lifecycle
from .alarms import next_alarm
from .context import Actor, Context
from .deadlines import local_date
from .errors import Invalid
from .inputs import Inputs
from .models import Category, OrderNumberCounter, WorkOrder
from .policy_store import active_rules
from .vocabulary import Channel, OrderType, State
from .waiting import start_intake_timer

CREATE_FIELDS = {
    "type", "channel", "content", "caller_name", "caller_phone", "category", "district",
    "address", "confidential", "public_consent", "urgent",
}
# Channels where the citizen reached us by phone number, so the number is part of the record.
PHONE_CHANNELS = {Channel.phone, Channel.sms, Channel.voicemail}


@dataclass
class Created:
    order: WorkOrder
    access_code: str


def next_number(session: Session, ctx: Context) -> str:
    """Date + per-day sequence (20261122-00042), safe under concurrent intake."""
    day = local_date(ctx.now, ctx.tz).strftime("%Y%m%d")
    for _ in range(3):
        last = session.scalar(
            update(OrderNumberCounter)
            .where(OrderNumberCounter.day == day)
            .values(last=OrderNumberCounter.last + 1)
            .returning(OrderNumberCounter.last)
        )
        if last is not None:
            return f"{day}-{last:05d}"
        try:
            with session.begin_nested():
                session.add(OrderNumberCounter(day=day, last=1))
            return f"{day}-00001"
        except IntegrityError:
            continue  # another request created today's counter first; increment it instead
    raise RuntimeError("could not allocate an order number")


def hash_access_code(secret: bytes, number: str, code: str) -> str:
    # Keyed with the server secret: a leaked table alone does not let anyone try all 10^6 codes.
    return hmac.new(secret, f"{number}:{code}".encode(), hashlib.sha256).hexdigest()


def access_code_matches(secret: bytes, order: WorkOrder, code: str) -> bool:
    return hmac.compare_digest(order.access_code_hash, hash_access_code(secret, order.number, code))


def find_category(session: Session, code: str | None) -> Category | None:
    if code is None:
        return None
    category = session.scalar(select(Category).where(Category.code == code))
    if category is None:
        raise Invalid("unknown category '%(code)s'", code=code)
    return category


def read_order_fields(session: Session, inputs: Inputs, creating: bool) -> dict:
    """The fields shared by create and classify, validated."""
    fields: dict = {}
    if creating or inputs.has("type"):
        fields["type"] = inputs.choice("type", list(OrderType), required=False, default=OrderType.other)
    if creating or inputs.has("content"):
        fields["content"] = inputs.text("content")
    for name in ("caller_name", "district", "address"):
        if inputs.has(name):
            fields[name] = inputs.short(name)
    if inputs.has("caller_phone"):
        fields["caller_phone"] = inputs.phone("caller_phone")
    if inputs.has("category"):
        category = find_category(session, inputs.short("category"))
        fields["category_id"] = category.id if category else None
    for flag in ("confidential", "public_consent", "urgent"):
        if inputs.has(flag):
            fields[flag] = inputs.boolean(flag)
    return fields


def create_order(ctx: Context, actor: Actor, data: dict, channel: str | None = None) -> Created:
    lifecycle.check_role("create", actor.role)
    inputs = Inputs(data, allowed=CREATE_FIELDS)
    channel = channel or inputs.choice("channel", list(Channel))
    fields = read_order_fields(ctx.session, inputs, creating=True)
    if channel in PHONE_CHANNELS and not fields.get("caller_phone"):
        raise Invalid("'caller_phone' is required for orders from the %(channel)s channel", channel=channel)
    number = next_number(ctx.session, ctx)
    code = f"{secrets.randbelow(10**6):06d}"
    defaults = {"confidential": False, "public_consent": False, "urgent": False}
    order = WorkOrder(
        number=number,
        channel=channel,
        state=State.new,
        access_code_hash=hash_access_code(ctx.secret, number, code),
        created_at=ctx.now,
        updated_at=ctx.now,
        created_by_id=actor.user_id,
        last_event_seq=0,
        extension_days=0,
        callback_attempts=0,
        provisional=False,
        supervised=False,
        **{**defaults, **fields},
    )
    start_intake_timer(ctx, order, active_rules(ctx.session))
    order.next_alarm_at = next_alarm(order)
    ctx.session.add(order)
    ctx.session.flush()
    recorded = {k: v for k, v in inputs.data.items() if k in CREATE_FIELDS}
    recorded["channel"] = channel
    events.append(
        ctx.session, order, actor, "create", None, recorded,
        events.diff({}, events.snapshot(order)), ctx.now,
    )
    return Created(order, code)
