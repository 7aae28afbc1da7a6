"""Calls ringing at the hotline, as the agent desk shows them (screen pop, SPEC §5).

The telephony adapter records the calls (`ivr.calls`); the desk polls them and links the order
an agent creates during a call back to it. The caller's history is every order from any spelling
of the number (+8613…, 13…).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ivr import calls as ivr_calls
from ivr.models import Call, CallOrder
from ivr.phones import variants
from workorders.errors import Invalid
from workorders.models import WorkOrder

HISTORY_SIZE = 5


@dataclass(frozen=True)
class IncomingCall:
    sid: str
    from_number: str
    started_at: datetime | None
    status: str
    history: list[WorkOrder] = field(default_factory=list)
    # Calls from the same phone before this one, whether or not an order came of them.
    earlier_calls: int = 0

    @property
    def first_call(self) -> bool:
        """Nothing known of this number: no order from it and no call before this one."""
        return not self.history and not self.earlier_calls


def caller_history(session: Session, phone: str | None, limit: int = HISTORY_SIZE) -> list[WorkOrder]:
    if not phone:
        return []
    return list(session.scalars(
        select(WorkOrder).where(WorkOrder.caller_phone.in_(variants(phone)))
        .order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc()).limit(limit)
    ))


def earlier_calls(session: Session, call: Call) -> int:
    """Inbound calls from any spelling of this call's number that came in before it."""
    if not call.from_number:
        return 0
    return session.scalar(
        select(func.count(Call.id)).where(
            # Rows are numbered as calls arrive: a smaller id is an earlier call.
            Call.from_number.in_(variants(call.from_number)), Call.direction == "inbound", Call.id < call.id)
    ) or 0


def active_calls(session: Session, now: datetime) -> list[IncomingCall]:
    return [
        IncomingCall(call.call_sid, call.from_number or "", call.started_at, call.status or "",
                     caller_history(session, call.from_number), earlier_calls(session, call))
        for call in ivr_calls.active_calls(session, now)
    ]


def find_call(session: Session, sid: str | None, now: datetime) -> IncomingCall | None:
    if not sid:
        return None
    return next((c for c in active_calls(session, now) if c.sid == sid), None)


def link_order(session: Session, sid: str | None, order: WorkOrder) -> None:
    """Remember which order came of a call (shown with the call's record)."""
    if sid:
        ivr_calls.link_order(session, sid, order)


def calls_of_order(session: Session, order: WorkOrder) -> list[tuple[str, Call]]:
    """The calls an order came from (agent, voicemail, speech), with how: for the order page."""
    rows = session.execute(
        select(CallOrder.kind, Call).join(Call, CallOrder.call_id == Call.id)
        .where(CallOrder.order_id == order.id).order_by(Call.started_at)
    ).all()
    return [(kind, call) for kind, call in rows]


def ensure_call_exists(session: Session, sid) -> None:
    """催单 links the call the citizen made again; a call that was never recorded is refused."""
    if sid and isinstance(sid, str) and sid.strip():
        if session.scalar(select(Call.id).where(Call.call_sid == sid.strip())) is None:
            raise Invalid("'call_sid': no call '%(sid)s'", sid=sid.strip()[:64])
