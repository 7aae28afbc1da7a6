"""JSON for the agent desk (SPEC §5 screen pop): calls as they arrive, and the caller's history.

Under /api/v1 with the same bearer tokens and `{"error": ...}` refusals as the rest of the API.
Phone numbers are personal data: only hotline staff (not departments) may read these.
"""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from hotline import db
from hotline.api import (
    ApiError,
    authenticate,
    json_body,
    on_api_error,
    on_domain_error,
    on_http_error,
    on_stale,
)
from hotline.api.openapi import document
from hotline.api.serialize import iso
from hotline.runtime import domain_context
from workorders.access import ensure_visible
from workorders.actions import get_order
from workorders.errors import DomainError, Forbidden, Invalid
from workorders.models import WorkOrder
from workorders.vocabulary import Role

from . import calls, phones
from .models import Call, CallOrder
from .outbound import OutboundError
from .recordings import recordings_of_calls
from .survey import survey_now

api = Blueprint("ivr_api", __name__, url_prefix="/api/v1")
api.before_request(authenticate)
api.register_error_handler(ApiError, on_api_error)
api.register_error_handler(DomainError, on_domain_error)
api.register_error_handler(HTTPException, on_http_error)
api.register_error_handler(StaleDataError, on_stale)


@api.errorhandler(OutboundError)
def on_outbound_error(exc: OutboundError):
    return jsonify({"error": str(exc)}), 502


HISTORY_SIZE = 20
DESK_ROLES = {Role.agent, Role.supervisor, Role.leader, Role.admin}
SURVEY_ROLES = {Role.agent, Role.supervisor}
VOICE_ROLES = {Role.agent, Role.supervisor}


def _staff_only(roles=DESK_ROLES) -> None:
    if g.actor.role not in roles:
        raise Forbidden("role '%(role)s' may not see callers' telephone records", role=g.actor.role)


def _order_summary(order: WorkOrder, tz) -> dict:
    return {"number": order.number, "type": order.type, "state": order.state, "channel": order.channel,
            "content": order.content[:200], "created_at": iso(order.created_at, tz)}


def caller_history(session, phone: str | None, tz, limit: int = HISTORY_SIZE) -> dict:
    if not phone:
        return {"count": 0, "orders": []}
    where = WorkOrder.caller_phone.in_(phones.variants(phone))
    count = session.scalar(select(func.count(WorkOrder.id)).where(where))
    orders = session.scalars(select(WorkOrder).where(where)
                             .order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc()).limit(limit))
    return {"count": count, "orders": [_order_summary(o, tz) for o in orders]}


def call_json(session, call: Call, tz, history_size: int = HISTORY_SIZE) -> dict:
    caller = call.from_number if call.direction == "inbound" else call.to_number
    links = session.scalars(select(CallOrder).where(CallOrder.call_id == call.id).order_by(CallOrder.id))
    recordings = [{"id": r.id, "kind": r.kind, "duration": r.duration,
                   "url": url_for("recordings.audio", recording_id=r.id)}
                  for r in recordings_of_calls(session, [call.id]).get(call.id, []) if r.playable]
    return {
        "call_sid": call.call_sid, "direction": call.direction, "purpose": call.purpose,
        "from": call.from_number, "to": call.to_number, "status": call.status, "active": call.is_active,
        "started_at": iso(call.started_at, tz), "ended_at": iso(call.ended_at, tz),
        "duration": call.duration, "after_hours": call.after_hours,
        # Recordings play through the app (logged, hotline staff only), never from Twilio's URL.
        "recording_url": recordings[0]["url"] if recordings else None,
        "recording_duration": call.recording_duration, "recordings": recordings,
        "orders": [{"kind": link.kind, **_order_summary(link.order, tz)} for link in links],
        "caller_history": caller_history(session, caller, tz, history_size),
    }


@api.get("/calls")
def list_calls():
    _staff_only()
    unknown = sorted(set(request.args) - {"active", "limit"})
    if unknown:
        raise Invalid("unknown filter(s): %(names)s; filters are: active, limit", names=unknown)
    active = request.args.get("active", "0")
    if active not in ("0", "1"):
        raise Invalid("'active' must be 1 (calls in progress) or 0 (recent calls)")
    raw_limit = request.args.get("limit", "50")
    if not (raw_limit.isascii() and raw_limit.isdigit()) or not 1 <= int(raw_limit) <= 200:
        raise Invalid("'limit' must be a whole number from 1 to 200")
    session = db.session()
    ctx = domain_context(session)
    limit = int(raw_limit)
    found = calls.active_calls(session, ctx.now, limit) if active == "1" else calls.recent_calls(session, limit)
    return jsonify({"calls": [call_json(session, c, ctx.tz, history_size=5) for c in found]})


@api.get("/calls/<call_sid>")
def get_call(call_sid: str):
    _staff_only()
    session = db.session()
    ctx = domain_context(session)
    call = session.scalar(select(Call).where(Call.call_sid == call_sid[:64]))
    if call is None:
        return jsonify({"error": f"no call {call_sid}"}), 404
    return jsonify(call_json(session, call, ctx.tz))


@api.get("/callers/<phone>/orders")
def get_caller_orders(phone: str):
    _staff_only()
    if not phones.looks_like_phone(phone):
        raise Invalid("'%(phone)s' is not a phone number", phone=phone[:40])
    session = db.session()
    ctx = domain_context(session)
    return jsonify({"phone": phone, **caller_history(session, phone, ctx.tz)})


@api.post("/surveys")
def start_survey():
    """An agent's on-demand satisfaction callback, through the same placer the scheduler uses."""
    _staff_only(SURVEY_ROLES)
    data = json_body()
    number = data.get("order") if isinstance(data, dict) else None
    if not isinstance(number, str) or not number:
        raise Invalid("'order' is required: the number of the order to call back about")
    session = db.session()
    ctx = domain_context(session)
    order = get_order(session, number)
    ensure_visible(session, g.actor, order)
    channel = survey_now(ctx, g.actor.name, order, current_app.extensions["hotline.callback_placer"])
    session.commit()
    return jsonify({"order": order.number, "channel": channel}), 202


@api.get("/voice/token")
def get_voice_token():
    """An access token for the Twilio Voice SDK: agents and supervisors answer calls in the browser."""
    from .voice_token import VoiceNotConfigured, voice_token

    if g.actor.role not in VOICE_ROLES:
        raise Forbidden("role '%(role)s' does not answer calls", role=g.actor.role)
    try:
        token, who = voice_token(current_app.extensions["ivr.settings"], g.api_user.id)
    except VoiceNotConfigured as exc:
        return jsonify({"error": str(exc)}), 503
    return jsonify({"token": token, "identity": who})


_ORDER_LIST = {"type": "array", "items": {"type": "object", "properties": {
    n: {"type": "string"} for n in ("number", "type", "state", "channel", "content", "created_at")}}}
_HISTORY = {"type": "object", "properties": {"count": {"type": "integer"}, "orders": _ORDER_LIST}}
_CALL = {"type": "object", "properties": {
    **{n: {"type": ["string", "null"]} for n in ("call_sid", "direction", "purpose", "from", "to", "status",
                                                 "started_at", "ended_at", "recording_url")},
    "active": {"type": "boolean"}, "after_hours": {"type": "boolean"},
    "duration": {"type": ["integer", "null"]}, "orders": _ORDER_LIST, "caller_history": _HISTORY,
    "recordings": {"type": "array", "description": "played through the app (the url), never from Twilio",
                   "items": {"type": "object", "properties": {
                       "id": {"type": "integer"}, "kind": {"type": "string", "enum": ["call", "voicemail"]},
                       "duration": {"type": ["integer", "null"]}, "url": {"type": "string"}}}}}}
_STAFF_ERRORS = {"401": {"description": "no or invalid token"},
                 "403": {"description": "departments may not see callers' telephone records"}}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


document("/calls", {"get": {
    "summary": "Telephone calls, newest first; active=1: calls in progress (agent desk screen pop)",
    "parameters": [{"name": "active", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]}},
                   {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}}],
    "responses": {"200": _json("calls with their caller's latest orders",
                               {"type": "object", "properties": {"calls": {"type": "array", "items": _CALL}}}),
                  **_STAFF_ERRORS, "422": {"description": "invalid filter"}}}})
document("/calls/{call_sid}", {"get": {
    "summary": "One call (by Twilio CallSid) with its orders and the caller's history",
    "parameters": [{"name": "call_sid", "in": "path", "required": True, "schema": {"type": "string"}}],
    "responses": {"200": _json("the call", _CALL), **_STAFF_ERRORS, "404": {"description": "unknown call"}}}})
document("/callers/{phone}/orders", {"get": {
    "summary": "A caller's previous orders (any spelling of the number: +86…, national)",
    "parameters": [{"name": "phone", "in": "path", "required": True, "schema": {"type": "string"}}],
    "responses": {"200": _json("the caller's orders, newest first", _HISTORY), **_STAFF_ERRORS,
                  "422": {"description": "not a phone number"}}}})
document("/voice/token", {"get": {
    "summary": "A Twilio Voice SDK access token (VoiceGrant, the agent's Client identity) for answering in the browser",
    "responses": {"200": _json("the token", {"type": "object", "properties": {
        "token": {"type": "string"}, "identity": {"type": "string"}}}),
        "401": {"description": "no or invalid token"},
        "403": {"description": "only agents and supervisors answer calls"},
        "503": {"description": "TWILIO_API_KEY, TWILIO_API_SECRET or TWILIO_TWIML_APP_SID is not configured"}}}})
document("/surveys", {"post": {
    "summary": "Start the satisfaction callback of an answered or replied order now (call or SMS per policy)",
    "requestBody": {"content": {"application/json": {"schema": {
        "type": "object", "required": ["order"], "properties": {"order": {"type": "string"}}}}}},
    "responses": {"202": _json("started", {"type": "object", "properties": {
        "order": {"type": "string"}, "channel": {"type": "string", "enum": ["call", "sms"]}}}),
        **_STAFF_ERRORS, "404": {"description": "unknown order"},
        "409": {"description": "the order is not awaiting a callback"},
        "422": {"description": "invalid input, or no phone number to call"}}}})
