"""Calling back a caller who hung up in the queue: the outbound call, and its TwiML.

The call goes out through the REST client (`app.extensions["ivr.outbound"]`) after the commit
that recorded the call-back. When the citizen answers, Twilio fetches `/ivr/callback/connect`,
which connects them to the agent who asked: the browser (`<Dial><Client>`) or the agent's phone.
"""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from flask import request
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from hotline import db
from hotline.runtime import domain_context
from workorders.callcenter.figure_models import CallBack
from workorders.callcenter.models import AgentPresence

from .blueprint import bp, settings, sid_param, twiml
from .models import Call
from .outbound import OutboundTelephony
from .records import claim_call
from .routing import identity
from .settings import IvrSettings
from .twiml import Twiml

RING_SECONDS = 30


def place_call_back(settings_: IvrSettings, outbound: OutboundTelephony, back: CallBack) -> str:
    """Dial the citizen; raises OutboundError when Twilio refuses. Returns the CallSid."""
    base = settings_.public_url or ""
    query = "?" + urlencode({"back": back.id})
    return outbound.start_call(back.to_number, f"{base}/ivr/callback/connect{query}", f"{base}/ivr/status")


def note_placed(session: Session, back: CallBack, call_sid: str, now: datetime) -> None:
    """The outbound call's record, so its status callbacks find it."""
    back.call_sid = call_sid
    claim_call(session, call_sid, now, direction="outbound", purpose="call_back", from_number=settings().number,
               to_number=back.to_number, status="queued")


@bp.post("/callback/connect")
def call_back_connect():
    session = db.session()
    ctx = domain_context(session)
    sid = sid_param("CallSid")
    back_id = request_back_id()
    back = session.get(CallBack, back_id) if back_id is not None else None
    if back is None or (back.call_sid is not None and back.call_sid != sid):
        return Twiml.send(twiml().apology())
    call = session.scalar(select(Call).where(Call.call_sid == sid))
    if call is not None:
        call.status, call.updated_at = "in-progress", ctx.now
    phone = session.scalar(select(AgentPresence.phone_number).where(AgentPresence.user_id == back.user_id))
    session.commit()
    t = twiml()
    response = VoiceResponse()
    t.say(response, "call_back")
    dial = response.dial(timeout=RING_SECONDS, caller_id=settings().number)
    if phone:
        dial.number(phone)
    else:
        dial.client(identity(back.user_id))
    return Twiml.send(response)


def request_back_id() -> int | None:
    raw = request.args.get("back", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None
