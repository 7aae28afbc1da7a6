"""What of an order may leave the hotline: its open/closed status, a public timeline, and texts
scrubbed of the caller's personal data (SPEC §9: public pages and Open311 carry none).

The timeline is a whitelist: only the steps named here appear, with the department's name but
never a person's, and none of the inputs except a committed date.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workorders.access import mask_name, mask_phone
from workorders.models import Department, OrderEvent, WorkOrder
from workorders.vocabulary import TERMINAL_STATES

# Long digit runs in free text are phone numbers or ID card numbers more often than not.
DIGIT_RUN = re.compile(r"(?<!\d)(\d{3})\d{4,}(\d{4})(?!\d)")


def is_closed(order: WorkOrder) -> bool:
    """Open311's `closed`: the order has reached a terminal state (archived, invalid, merged)."""
    return order.state in TERMINAL_STATES


def shows_content(order: WorkOrder) -> bool:
    """Whether the citizen's text may be shown publicly: consent given, not confidential, no
    report (a report's text can identify the reporter)."""
    return bool(order.public_consent) and not order.confidential and order.type != "report"


def scrub(text: str | None, order: WorkOrder) -> str:
    """The text with the caller's name, phone and address masked, and long digit runs hidden."""
    if not text:
        return ""
    out = text
    for value, masked in (
        (order.caller_phone, mask_phone(order.caller_phone)),
        (order.address, "***"),
        (order.caller_name, mask_name(order.caller_name)),
    ):
        if value and len(value.strip()) >= 2:
            out = out.replace(value.strip(), masked or "***")
    return DIGIT_RUN.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 7) + m.group(2), out)


@dataclass(frozen=True)
class PublicStep:
    at: datetime
    step: str  # received, dispatched, signed, returned, interim_reply, extended, replied, …
    department: str | None = None
    committed_date: date | None = None


STEPS = {
    "create": "received",
    "answer": "answered",
    "mark_invalid": "not_accepted",
    "merge": "merged",
    "request_instruction": "awaiting_instruction",
    "instruct": "dispatched",
    "dispatch": "dispatched",
    "reassign": "dispatched",
    "sign": "signed",
    "return": "returned",
    "interim_reply": "interim_reply",
    "decide_extension": "extended",
    "reply": "replied",
    "approve_reply": "replied",  # with reply review on, the reply is public once approved
    "callback": "callback",
    "review": "reviewed",
    "archive": "closed",
}


def public_timeline(session: Session, order: WorkOrder) -> list[PublicStep]:
    names = dict(session.execute(select(Department.id, Department.name)).all())
    codes = {code: name for code, name in session.execute(select(Department.code, Department.name))}
    events = session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.seq)
    )
    steps = []
    replier = None
    for event in events:
        step = STEPS.get(event.action)
        if step is None:
            continue  # internal: classification, urging, supervision, opinions, requests
        if event.action == "reply" and event.to_state == "reply_review":
            replier = event.actor_department_id  # public only once the hotline approves it
            continue
        if event.action == "return" and event.to_state != "returned":
            continue  # a sub-unit handed a forwarded order back up: internal to the department
        if step == "extended" and event.inputs.get("approve") is not True:
            continue
        department = None
        committed = None
        if step == "dispatched" or (step == "reviewed" and event.to_state == "dispatched"):
            step = "dispatched"
            department = codes.get(event.inputs.get("department"))
        elif event.action == "approve_reply":
            department = names.get(replier)
        elif step in ("signed", "returned", "interim_reply", "replied", "extended"):
            department = names.get(event.actor_department_id) if step != "extended" else None
        if step == "reviewed":
            step = "closed" if event.to_state == "archived" else "reviewed"
        if step == "callback" and event.to_state == "archived":
            step = "closed"
        if step == "interim_reply" and event.inputs.get("committed_date"):
            committed = date.fromisoformat(event.inputs["committed_date"])
        steps.append(PublicStep(event.at, step, department, committed))
    return steps


def department_name(session: Session, order: WorkOrder) -> str | None:
    if order.department_id is None:
        return None
    return session.scalar(select(Department.name).where(Department.id == order.department_id))
