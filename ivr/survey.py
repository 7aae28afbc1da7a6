"""The satisfaction callback survey (SPEC §4 回访) by outbound call or, per policy, by SMS.

The scheduler's callback-dispatch job (or an agent, on demand) asks `SurveyPlacer.place` to start
one; the webhooks record what the citizen answers as the order's `callback` action, and a call
that never reached anyone as `unreachable` (an attempt; the policy's last one archives the order).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from workorders import actions
from workorders.context import Actor, Context
from workorders.errors import Conflict, DomainError, Invalid
from workorders.models import WorkOrder
from workorders.policies import PolicyRules
from workorders.policy_store import active_rules
from workorders.vocabulary import Satisfaction, State

from . import phones
from .models import Call, CallOrder, Message
from .outbound import OutboundTelephony
from .records import claim_call, claim_message
from .settings import IvrSettings

ACTOR = Actor.system("ivr-survey")
SURVEYED_STATES = (State.answered, State.replied)
SATISFACTION_KEYS = {"1": Satisfaction.satisfied, "2": Satisfaction.basically_satisfied,
                     "3": Satisfaction.dissatisfied}
RESOLVED_KEYS = {"1": True, "2": False}
# "1 1", "11", "3,2", "3，2": satisfaction then resolved.
SMS_ANSWER = re.compile(r"^\s*([123])\s*[ ,，、.。]?\s*([12])\s*$")
# How long a texted question waits for its answer.
SMS_ANSWER_WINDOW = timedelta(days=7)
# Statuses of a call that is over (Twilio's CallStatus values).
FINAL_CALL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


def policy_for(session: Session, order: WorkOrder) -> PolicyRules:
    # Replied orders carry the rules they were dispatched under; answered ones use today's.
    return PolicyRules.from_json(order.rules) if order.rules else active_rules(session)


class SurveyPlacer:
    """`place(session, order, now)` starts the survey and says how: "call" or "sms".

    Raises `Conflict`/`Invalid` when the order cannot be surveyed and `OutboundError` when the
    telephony refused; either way nothing is recorded.
    """

    def __init__(self, settings: IvrSettings, outbound: OutboundTelephony):
        self.settings, self.outbound = settings, outbound

    def place(self, session: Session, order: WorkOrder, now: datetime) -> str:
        if order.state not in SURVEYED_STATES:
            raise Conflict("order %(number)s is %(state)s; only answered or replied orders are surveyed",
                           number=order.number, state=order.state)
        if not order.caller_phone:
            raise Invalid("order %(number)s has no caller phone to call back", number=order.number)
        to = phones.to_e164(order.caller_phone)
        if policy_for(session, order).callback_channel == "sms":
            self._text(session, order, to, now)
            return "sms"
        self._call(session, order, to, now)
        return "call"

    def _call(self, session: Session, order: WorkOrder, to: str, now: datetime) -> None:
        base = self.settings.public_url or ""
        if not base and self.settings.telephony == "twilio":
            raise Invalid("HOTLINE_PUBLIC_URL must be set: Twilio fetches the survey from it")
        query = f"?order={order.number}"
        sid = self.outbound.start_call(to, f"{base}/ivr/survey{query}", f"{base}/ivr/status{query}")
        survey_call(session, sid, order, now, to=to, frm=self.settings.number)

    def _text(self, session: Session, order: WorkOrder, to: str, now: datetime) -> None:
        body = self.settings.prompts["sms_survey_question"].format(number=order.number)
        sid = self.outbound.send_sms(to, body)
        claim_message(session, sid, now, direction="outbound", purpose="survey_question",
                      from_number=self.settings.number, to_number=to, body=body, order_id=order.id)


def survey_now(ctx: Context, requested_by: str, order: WorkOrder, placer: SurveyPlacer) -> str:
    """An on-demand survey: recorded as the scheduler records its own (`place_callback`), so the
    automatic call for this attempt does not follow it, then placed."""
    channel = policy_for(ctx.session, order).callback_channel
    actions.perform(ctx, Actor.system(f"survey requested by {requested_by}"[:80]), order, "place_callback",
            {"channel": channel, "attempt": order.callback_attempts + 1})
    return placer.place(ctx.session, order, ctx.now)


def survey_call(session: Session, call_sid: str, order: WorkOrder, now: datetime,
                to: str | None = None, frm: str | None = None) -> Call:
    """The record of a survey call: made when placed, or by its first webhook if that comes first."""
    call, created = claim_call(session, call_sid, now, direction="outbound", purpose="survey",
                               status="queued", from_number=frm, to_number=to, survey_order_id=order.id)
    if created:
        session.add(CallOrder(call_id=call.id, order_id=order.id, kind="survey", created_at=now))
        session.flush()
    return call


def record_answer(ctx: Context, call: Call, order: WorkOrder, satisfaction: str, resolved: bool) -> bool:
    """The citizen's keypad answers as the order's callback; False if the order moved on meanwhile."""
    recorded = _callback(ctx, order, {"satisfaction": satisfaction, "resolved": resolved,
                                      "note": f"IVR survey call {call.call_sid}"})
    call.survey_recorded_at = ctx.now
    return recorded


def record_unreachable(ctx: Context, call: Call, order: WorkOrder, status: str) -> bool:
    """A survey call that ended without both answers counts one unreachable attempt."""
    recorded = _callback(ctx, order, {"satisfaction": Satisfaction.unreachable,
                                      "note": f"IVR survey call {call.call_sid}: {status}"})
    call.survey_recorded_at = ctx.now
    return recorded


def _callback(ctx: Context, order: WorkOrder, data: dict) -> bool:
    if order.state not in SURVEYED_STATES:
        return False  # an agent did the callback, or a supervisor archived it: nothing to add
    try:
        with ctx.session.begin_nested():
            actions.perform(ctx, ACTOR, order, "callback", data)
    except (DomainError, StaleDataError):
        # Raced with another change of the order: that change stands, this answer is dropped
        # rather than written half.
        return False
    return True


def pending_sms_survey(session: Session, phone: str, now: datetime) -> WorkOrder | None:
    """The order whose texted survey question this number is most likely answering."""
    question = session.scalar(
        select(Message)
        .join(WorkOrder, WorkOrder.id == Message.order_id)
        .where(Message.direction == "outbound", Message.purpose == "survey_question",
               Message.to_number.in_(phones.variants(phone)), Message.at >= now - SMS_ANSWER_WINDOW,
               WorkOrder.state.in_(list(SURVEYED_STATES)))
        .order_by(Message.at.desc(), Message.id.desc())
        .limit(1)
    )
    return question.order if question else None


def parse_sms_answer(body: str) -> tuple[str, bool] | None:
    match = SMS_ANSWER.match(body)
    if not match:
        return None
    return SATISFACTION_KEYS[match.group(1)], RESOLVED_KEYS[match.group(2)]


def record_sms_answer(ctx: Context, order: WorkOrder, message_sid: str, answer: tuple[str, bool]) -> bool:
    satisfaction, resolved = answer
    return _callback(ctx, order, {"satisfaction": satisfaction, "resolved": resolved,
                                  "note": f"SMS survey answer {message_sid}"})
