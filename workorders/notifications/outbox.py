"""Writing the notifications of an action into the outbox, in the action's own transaction."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..models import OrderAssignment, User, WorkOrder
from ..vocabulary import Role, State
from .models import DepartmentContact, OutboundMessage, UserNotice

# What a department hears, by SMS and e-mail (always Chinese: they go to the city's offices).
DEPARTMENT_TEXTS = {
    "dispatch": "工单{number}已交办贵单位，请及时签收办理。",
    "reassign": "工单{number}已改派贵单位，请及时签收办理。",
    "forward": "工单{number}已由上级单位下派贵单位，请及时签收办理。",
    "urge": "催办：工单{number}请尽快办理并按时回复。",
    "supervise": "督办：工单{number}已列入督办，请抓紧办理并回复。",
    "red": "工单{number}已超期（红灯），已列入督办，请立即办理。",
    "send_back": "工单{number}的答复未通过审核，已退回重办，请在原办理时限内重新答复。",
}
# Ways of dispatching an order, all told as a dispatch; a review that dispatches again is one.
DISPATCHES = {"dispatch", "instruct", "review"}
# What waits for the hotline's supervisors (in-app only).
FOR_SUPERVISORS = {"return": State.returned, "reply": State.reply_review, "request_extension": None}
EXCERPT = 60
SIGNATURE = "【12345热线】"


@dataclass(frozen=True)
class Happened:
    """The parts of an event that decide who hears of it."""

    order_id: int
    seq: int
    action: str
    to_state: str
    actor_role: str
    message: str | None = None  # an urge's own words


def happened(event) -> Happened:
    """From an OrderEvent or the dict the scheduler's bulk sweep inserts."""
    get = event.get if isinstance(event, dict) else lambda key: getattr(event, key)
    inputs = get("inputs") or {}
    return Happened(get("order_id"), get("seq"), get("action"), get("to_state"), get("actor_role"),
                    inputs.get("message"))


def kind_of(h: Happened) -> str | None:
    """Which department text an event calls for, if any."""
    if h.action in DISPATCHES:
        return "dispatch" if h.to_state == State.dispatched else None
    if h.action == "supervise" and h.actor_role == Role.system:
        return "red"  # the scheduler supervises when the light turns red
    return h.action if h.action in DEPARTMENT_TEXTS else None


def for_supervisors(h: Happened) -> bool:
    if h.action not in FOR_SUPERVISORS:
        return False
    wanted = FOR_SUPERVISORS[h.action]
    return wanted is None or h.to_state == wanted


def record(session: Session, events: Iterable, now: datetime) -> int:
    """Outbox rows and in-app notices for these events; returns the rows written."""
    wanted = [(h, kind_of(h)) for h in map(happened, events)]
    wanted = [(h, kind) for h, kind in wanted if kind or for_supervisors(h)]
    if not wanted:
        return 0
    order_ids = {h.order_id for h, _ in wanted}
    orders = {row.id: row for row in session.execute(
        select(WorkOrder.id, WorkOrder.number, WorkOrder.department_id, WorkOrder.content)
        .where(WorkOrder.id.in_(order_ids)))}
    co = {}
    for order_id, dept_id in session.execute(
            select(OrderAssignment.order_id, OrderAssignment.department_id)
            .where(OrderAssignment.order_id.in_(order_ids), OrderAssignment.role == "co")):
        co.setdefault(order_id, []).append(dept_id)

    targets = []  # (happened, kind, department id)
    for h, kind in wanted:
        if kind is None:
            continue
        order = orders[h.order_id]
        departments = [order.department_id]
        if kind == "dispatch" or h.action == "reassign":
            departments += co.get(h.order_id, [])
        targets += [(h, kind, d) for d in dict.fromkeys(departments) if d is not None]

    department_ids = {d for _, _, d in targets}
    contacts = {c.department_id: c for c in session.scalars(
        select(DepartmentContact).where(DepartmentContact.department_id.in_(department_ids)))}
    clerks: dict[int, list[int]] = {}
    for user_id, dept_id in session.execute(
            select(User.id, User.department_id).where(User.department_id.in_(department_ids),
                                                      User.role == Role.department, User.active.is_(True))):
        clerks.setdefault(dept_id, []).append(user_id)
    supervisors = []
    if any(for_supervisors(h) for h, _ in wanted):
        supervisors = list(session.scalars(
            select(User.id).where(User.role == Role.supervisor, User.active.is_(True))))

    messages, notices = [], []
    for h, kind, dept_id in targets:
        order = orders[h.order_id]
        text = DEPARTMENT_TEXTS[kind].format(number=order.number)
        if kind == "urge" and h.message:
            text += h.message
        body = f"{SIGNATURE}{text}"
        contact = contacts.get(dept_id)
        common = {"order_id": h.order_id, "event_seq": h.seq, "department_id": dept_id, "action": kind,
                  "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}
        if contact and contact.sms_enabled and contact.duty_phone:
            messages.append({**common, "channel": "sms", "recipient": contact.duty_phone,
                             "subject": "", "body": body})
        if contact and contact.email_enabled and contact.email:
            messages.append({**common, "channel": "email", "recipient": contact.email,
                             "subject": f"{SIGNATURE}{text.split('，')[0]}",
                             "body": f"{text}\n\n诉求内容：{_excerpt(order.content)}\n"})
        notices += [{"user_id": u, "order_id": h.order_id, "action": kind, "body": body,
                     "created_at": now, "read_at": None} for u in clerks.get(dept_id, [])]
    for h, _ in wanted:
        if for_supervisors(h):
            notices += [{"user_id": u, "order_id": h.order_id, "action": h.action,
                         "body": orders[h.order_id].number, "created_at": now, "read_at": None}
                        for u in supervisors]
    if messages:
        session.execute(insert(OutboundMessage), messages)
    if notices:
        session.execute(insert(UserNotice), notices)
    return len(messages) + len(notices)


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"
