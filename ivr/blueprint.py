"""The eight Twilio webhooks of SPEC §5.

Each request is one unit of work: it commits once, at the end, or writes nothing. Parameters
Twilio always sends (CallSid, From, MessageSid) missing → 400; what a caller typed or said that
makes no sense → TwiML that apologises and carries on. Never a 500: an unexpected failure is
logged and the caller hears an apology.
"""
from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from hotline import db
from hotline.runtime import clock, domain_context
from workorders.context import Actor
from workorders.errors import DomainError
from workorders.inputs import CONTROL
from workorders.intake import create_order
from workorders.models import WorkOrder

from . import keypad, staffing, survey
from .models import Call
from .prompts import spell_digits
from .recordings import recording_sid_of, store_recording
from .records import claim_call, claim_message, find_call, lock_call, order_once_per_call, start_call
from .settings import IvrSettings
from .signatures import signature_is_valid
from .twiml import Twiml

bp = Blueprint("ivr", __name__, url_prefix="/ivr")

INTAKE_ACTOR = Actor.system("ivr")
SID = re.compile(r"^[A-Za-z0-9]{2,64}$")
# Quiet or confused callers hear the menu this many times before the line is released.
MENU_ROUNDS = 3
# A spoken request longer than this is not speech recognition; offer a voice message instead.
MAX_SPEECH_CHARS = 2000
# Twilio joins a long SMS into at most 1600 characters.
MAX_SMS_CHARS = 1600
SMS_ENDPOINTS = {"ivr.sms"}


class BadWebhook(Exception):
    """A parameter Twilio always sends is missing or malformed: 400, nothing written."""


def settings() -> IvrSettings:
    return current_app.extensions["ivr.settings"]


def twiml() -> Twiml:
    return Twiml(settings())


def param(name: str, required: bool = True, limit: int = 64) -> str | None:
    value = CONTROL.sub("", request.form.get(name, "")).strip()
    if not value:
        if required:
            raise BadWebhook(f"missing parameter {name}")
        return None
    if len(value) > limit:
        raise BadWebhook(f"parameter {name} is too long")
    return value


def sid_param(name: str) -> str:
    value = param(name)
    if not SID.match(value):
        raise BadWebhook(f"parameter {name} is not a Twilio id")
    return value


def whole_number(name: str) -> int | None:
    value = request.form.get(name, "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 9 else None


@bp.before_request
def check_signature():
    if settings().signatures and not signature_is_valid(request, settings()):
        return Response("invalid or missing X-Twilio-Signature", status=403, mimetype="text/plain")
    return None


@bp.errorhandler(BadWebhook)
def on_bad_webhook(exc: BadWebhook):
    return Response(str(exc), status=400, mimetype="text/plain")


@bp.errorhandler(Exception)
def on_unexpected(exc: Exception):
    if isinstance(exc, HTTPException):  # werkzeug's own refusals: body too large, wrong method
        return Response(exc.description or exc.name, status=exc.code or 400, mimetype="text/plain")
    current_app.logger.exception("IVR webhook %s failed; the caller hears an apology", request.path)
    if request.endpoint in SMS_ENDPOINTS:
        return Twiml.send(twiml().sms("sms_apology"))
    return Twiml.send(twiml().apology())


def inbound_call(ctx) -> Call:
    """The call this webhook belongs to, logged now if its /ivr/voice never reached us."""
    call, _ = claim_call(ctx.session, sid_param("CallSid"), ctx.now,
                         from_number=param("From", required=False, limit=40),
                         to_number=param("To", required=False, limit=40))
    return call


# --- the call ----------------------------------------------------------------------------------

@bp.post("/voice")
def voice():
    # Not domain_context: the greeting needs the time, the staffing decision (a per-process copy,
    # read again a few times a minute) and the call's log line, one INSERT that is its own
    # transaction (see start_call). The copy is read on the same connection, statement by
    # statement, so no transaction is held open while the call is logged.
    now = clock().now()
    sid, caller = sid_param("CallSid"), param("From", limit=40)
    with db.database().single_statements() as connection:
        after_hours = not staffing.is_staffed(current_app, connection, now)
        call = start_call(connection, sid, now, from_number=caller,
                          to_number=param("To", required=False, limit=40),
                          status=param("CallStatus", required=False, limit=20) or "in-progress",
                          after_hours=after_hours)
    t = twiml()
    if call.after_hours:
        return Twiml.send(t.fixed("after_hours", lambda: t.record("after_hours", welcome=True)))
    return Twiml.send(t.fixed("welcome_menu", lambda: t.menu(welcome=True)))


@bp.post("/menu")
def menu():
    session = db.session()
    ctx = domain_context(session)
    call = inbound_call(ctx)
    digits = request.form.get("Digits", "").strip()
    t = twiml()
    made, entry_id = [], None
    if digits == "1" and settings().agent_number:
        response = t.to_agent()
    elif digits == "1":
        from .queue_hooks import join_queue

        response, made, entry_id = join_queue(session, ctx, lock_call(session, call))
    elif digits == "2":
        response = t.query_number()
    elif digits == "3":
        response = t.record("record")
    elif digits == "4":
        response = t.speech()
    elif digits == "9":
        response = t.menu()
    else:
        call.menu_rounds += 1
        call.updated_at = ctx.now
        if call.menu_rounds >= MENU_ROUNDS:
            response = t.goodbye("no_choice_goodbye")
        else:
            response = t.menu("invalid_choice") if digits else t.menu()
    session.commit()
    if made:
        from .routing import tell_twilio

        tell_twilio(current_app._get_current_object(), made, skip=entry_id)
    return Twiml.send(response)


@bp.post("/query")
def query():
    session = db.session()
    ctx = domain_context(session)
    call = lock_call(session, inbound_call(ctx))
    digits = request.form.get("Digits", "").strip().rstrip("#")
    step = request.args.get("step")
    if step == "number":
        outcome = keypad.enter_number(ctx, call, digits, settings())
    elif step == "code":
        outcome = keypad.enter_code(ctx, call, digits, settings())
    else:
        outcome = keypad.Outcome("number")
    call.updated_at = ctx.now
    session.commit()
    t = twiml()
    wrong = ("query_wrong",) if outcome.wrong else ()
    if outcome.next == "code":
        return Twiml.send(t.query_code())
    if outcome.next == "number":
        return Twiml.send(t.query_number(*wrong))
    if outcome.next == "locked":
        return Twiml.send(t.menu(*wrong, "query_too_many"))
    return Twiml.send(t.query_result(outcome.state, outcome.has_reply))


def _created_reply(order: WorkOrder, code: str | None):
    if code is None:
        return twiml().goodbye("order_already_created", number=spell_digits(order.number))
    return twiml().goodbye("order_created", number=spell_digits(order.number), code=spell_digits(code))


@bp.post("/recording")
def recording():
    session = db.session()
    ctx = domain_context(session)
    call = inbound_call(ctx)
    url = param("RecordingUrl", required=False, limit=500)
    if not url or not url.startswith(("https://", "http://")):
        session.commit()
        return Twiml.send(twiml().goodbye("recording_missing", "goodbye"))
    seconds = whole_number("RecordingDuration")
    phone = call.from_number or param("From", limit=40)
    # The recording is played on the order's page through the app, never by its Twilio URL.
    content = f"【语音留言{f'，{seconds}秒' if seconds is not None else ''}】"
    try:
        order, code = order_once_per_call(session, call, "voicemail", ctx.now, lambda: create_order(
            ctx, INTAKE_ACTOR, {"content": content, "caller_phone": phone}, channel="voicemail"))
    except DomainError as exc:
        current_app.logger.warning("voicemail of call %s not taken: %s", call.call_sid, exc.message)
        session.rollback()
        return Twiml.send(twiml().apology())
    if call.recording_url is None:
        call.recording_url, call.recording_duration = url, seconds
        call.recording_sid = param("RecordingSid", required=False)
    recording_sid = recording_sid_of(param("RecordingSid", required=False), url)
    if recording_sid is not None:
        store_recording(session, call, recording_sid, "voicemail", "completed", seconds, ctx.now)
    call.updated_at = ctx.now
    session.commit()
    return Twiml.send(_created_reply(order, code))


@bp.post("/speech")
def speech():
    session = db.session()
    ctx = domain_context(session)
    call = inbound_call(ctx)
    text = CONTROL.sub("", request.form.get("SpeechResult", "")).strip()
    if not text:
        call.menu_rounds += 1
        call.updated_at = ctx.now
        session.commit()
        if call.menu_rounds >= MENU_ROUNDS:
            return Twiml.send(twiml().goodbye("speech_not_heard", "goodbye"))
        return Twiml.send(twiml().menu("speech_not_heard"))
    if len(text) > MAX_SPEECH_CHARS:
        session.commit()
        return Twiml.send(twiml().record("speech_too_long", "record"))
    confidence = _confidence(request.form.get("Confidence", ""))
    label = f"【语音识别{f'，置信度{confidence:.2f}' if confidence is not None else ''}】"
    phone = call.from_number or param("From", limit=40)
    try:
        order, code = order_once_per_call(session, call, "speech", ctx.now, lambda: create_order(
            ctx, INTAKE_ACTOR, {"content": label + text, "caller_phone": phone}, channel="phone"))
    except DomainError as exc:
        current_app.logger.warning("speech of call %s not taken: %s", call.call_sid, exc.message)
        session.rollback()
        return Twiml.send(twiml().apology())
    call.updated_at = ctx.now
    session.commit()
    return Twiml.send(_created_reply(order, code))


def _confidence(raw: str) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if 0.0 <= value <= 1.0 else None


@bp.post("/status")
def status():
    session = db.session()
    ctx = domain_context(session)
    sid = sid_param("CallSid")
    call = find_call(session, sid)
    survey_order = _survey_order(session)
    if call is None and survey_order is not None:
        call = survey.survey_call(session, sid, survey_order, ctx.now)
    if call is None:
        raise BadWebhook(f"unknown CallSid {sid}")
    call = lock_call(session, call)
    state = param("CallStatus", limit=20)
    call.status, call.updated_at = state, ctx.now
    if state in survey.FINAL_CALL_STATUSES:
        call.ended_at = call.ended_at or ctx.now
        call.duration = whole_number("CallDuration") if call.duration is None else call.duration
        if call.purpose == "survey" and call.survey_recorded_at is None and call.survey_order is not None:
            survey.record_unreachable(ctx, call, call.survey_order, state)
        if call.purpose == "hotline":
            from .queue_hooks import call_ended

            call_ended(session, call, ctx.now)
    session.commit()
    return Twiml.send(twiml().empty())


def _survey_order(session) -> WorkOrder | None:
    number = request.args.get("order")
    if not number:
        return None
    return session.scalar(select(WorkOrder).where(WorkOrder.number == number[:20]))


# --- the survey call ---------------------------------------------------------------------------

@bp.post("/survey")
def survey_answers():
    session = db.session()
    ctx = domain_context(session)
    t = twiml()
    order = _survey_order(session)
    if order is None:
        return Twiml.send(t.apology())
    call = lock_call(session, survey.survey_call(session, sid_param("CallSid"), order, ctx.now))
    call.updated_at = ctx.now
    step, digits = request.args.get("step"), request.form.get("Digits", "").strip()
    if call.survey_recorded_at is not None:
        response = t.goodbye("survey_thanks")
    elif step == "satisfaction" and digits in survey.SATISFACTION_KEYS:
        call.survey_satisfaction = survey.SATISFACTION_KEYS[digits]
        response = t.survey_question(order.number, "resolved")
    elif step == "resolved" and call.survey_satisfaction and digits in survey.RESOLVED_KEYS:
        survey.record_answer(ctx, call, order, call.survey_satisfaction, survey.RESOLVED_KEYS[digits])
        response = t.goodbye("survey_thanks")
    elif step == "resolved" and call.survey_satisfaction:
        response = t.survey_question(order.number, "resolved", "survey_invalid")
    elif step in ("satisfaction", "resolved"):
        response = t.survey_question(order.number, "satisfaction", "survey_invalid")
    else:
        response = t.survey_question(order.number, "satisfaction", "survey_intro")
    session.commit()
    return Twiml.send(response)


# --- SMS ---------------------------------------------------------------------------------------

@bp.post("/sms")
def sms():
    session = db.session()
    ctx = domain_context(session)
    t = twiml()
    sid, sender = sid_param("MessageSid"), param("From", limit=40)
    body = CONTROL.sub("", request.form.get("Body", "")).strip()
    message, created = claim_message(session, sid, ctx.now, direction="inbound", purpose="intake",
                                     from_number=sender, to_number=param("To", required=False, limit=40),
                                     body=body[:MAX_SMS_CHARS])
    if not created:
        session.commit()
        return Twiml.send(_repeat_reply(message))
    if not body:
        message.purpose = "empty"
        session.commit()
        return Twiml.send(t.sms("sms_empty"))
    if len(body) > MAX_SMS_CHARS:
        message.purpose = "too_long"
        session.commit()
        return Twiml.send(t.sms("sms_too_long"))
    answer = survey.parse_sms_answer(body)
    pending = survey.pending_sms_survey(session, sender, ctx.now) if answer else None
    if pending is not None and survey.record_sms_answer(ctx, pending, sid, answer):
        message.purpose, message.order_id = "survey_answer", pending.id
        session.commit()
        return Twiml.send(t.sms("sms_survey_thanks"))
    try:
        with session.begin_nested():
            created_order = create_order(ctx, INTAKE_ACTOR, {"content": body, "caller_phone": sender}, channel="sms")
    except DomainError as exc:
        current_app.logger.warning("SMS %s not taken: %s", sid, exc.message)
        session.rollback()
        return Twiml.send(t.sms("sms_apology"))
    message.order_id = created_order.order.id
    session.commit()
    return Twiml.send(t.sms("sms_created", number=created_order.order.number, code=created_order.access_code))


def _repeat_reply(message):
    """Twilio retried: answer again without creating anything (the code was in the first reply)."""
    t = twiml()
    if message.purpose == "survey_answer":
        return t.sms("sms_survey_thanks")
    if message.order is not None:
        return t.sms("sms_already_created", number=message.order.number)
    return t.sms("sms_too_long" if message.purpose == "too_long" else "sms_empty")
