"""The agent's phone on the desk: presence, the callers waiting, answering and transferring.

JSON for the desk's script (hotline/static/phone.js), behind the session cookie and the CSRF
header like every browser form. Each POST is one transaction; Twilio is told after the commit
(a caller assigned when an agent becomes ready, a transfer's redirect).
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ivr import routing
from ivr.models import Call
from ivr.outbound import OutboundError
from ivr.phones import looks_like_phone
from ivr.voice_token import VoiceNotConfigured, voice_token
from workorders.callcenter import presence as presences
from workorders.callcenter import queue
from workorders.callcenter.models import AgentPresence, QueueEntry
from workorders.errors import Conflict, DomainError, Invalid, NotFound
from workorders.models import User

from .. import db
from ..i18n import label
from ..runtime import clock
from ..web.present import localtime
from ..web.refusals import refusal_text
from ..web.security import browser_blueprint, roles_required
from .labels import reason_text

bp = browser_blueprint("phone", __name__, url_prefix="/desk/phone")

PHONE_ROLES = ("agent", "supervisor")
WATCH_ROLES = ("supervisor", "admin")
WAITING_SHOWN = 20


@bp.errorhandler(DomainError)
def on_refusal(exc: DomainError):
    db.session().rollback()
    return jsonify({"error": refusal_text(exc)}), exc.status


def _settings():
    return current_app.extensions["ivr.settings"]


def _presence_json(row: AgentPresence, now: datetime) -> dict:
    left = None
    if row.state == "wrap_up" and row.wrap_up_until is not None:
        left = max(0, int((row.wrap_up_until - now).total_seconds()))
    return {"state": row.state, "state_label": label("presence", row.state), "reason": reason_text(row.reason),
            "since": localtime(row.since, "%H:%M:%S"), "wrap_up_seconds_left": left, "version": row.version,
            "phone_number": row.phone_number or ""}


def _caller(session, entry: QueueEntry) -> Call | None:
    return session.get(Call, entry.call_id)


def _entry_json(session, entry: QueueEntry, now: datetime) -> dict:
    call = _caller(session, entry)
    return {"entry": entry.id, "call_sid": call.call_sid if call else None, "from": call.from_number if call else None,
            "outcome": entry.outcome, "outcome_label": label("queue_outcome", entry.outcome),
            "waited_seconds": max(0, int((now - entry.enqueued_at).total_seconds()))}


def _state(session, user_id: int, now: datetime) -> dict:
    mine = presences.expire_wrap_up(session, presences.ensure(session, user_id, now), now)
    current = queue.current_for_agent(session, user_id)
    colleagues = session.execute(
        select(User, AgentPresence).join(AgentPresence, AgentPresence.user_id == User.id)
        .where(User.id != user_id, User.active.is_(True), User.role.in_(PHONE_ROLES),
               AgentPresence.state == "ready").order_by(User.username)
    ).all()
    return {
        "presence": _presence_json(mine, now),
        "current": _entry_json(session, current, now) if current else None,
        "waiting": [_entry_json(session, e, now) for e in queue.waiting(session, WAITING_SHOWN)],
        "transfer_to": [{"id": u.id, "name": u.display_name or u.username, "role": label("role", u.role)}
                        for u, _p in colleagues],
    }


def _after_commit(made) -> None:
    if made:
        routing.tell_twilio(current_app._get_current_object(), made)


@bp.get("/state")
@roles_required(*PHONE_ROLES)
def state():
    """Polled by the desk: my presence (an expired wrap-up turns ready here), my caller, the queue."""
    session = db.session()
    now = clock().now()
    data = _state(session, current_user.user.id, now)
    made = queue.assign(session, now) if data["presence"]["state"] == "ready" else []
    session.commit()
    _after_commit(made)
    if made:
        data = _state(session, current_user.user.id, now)
    return jsonify(data)


@bp.post("/presence")
@roles_required(*PHONE_ROLES)
def set_presence():
    session = db.session()
    now = clock().now()
    wanted = request.form.get("state", "")
    presences.choose(session, current_user.user.id, wanted, now, request.form.get("reason"))
    made = queue.assign(session, now) if wanted == "ready" else []
    data = _state(session, current_user.user.id, now)
    session.commit()
    _after_commit(made)
    return jsonify(data)


@bp.post("/number")
@roles_required(*PHONE_ROLES)
def set_number():
    """The phone an agent without a headset is rung on (empty: the browser)."""
    number = request.form.get("phone_number", "").strip()
    if number and (len(number) > 40 or not looks_like_phone(number)):
        raise Invalid("'%(phone)s' is not a phone number", phone=number[:40])
    session = db.session()
    now = clock().now()
    presence = presences.ensure(session, current_user.user.id, now)
    presence.phone_number = number or None
    data = _state(session, current_user.user.id, now)
    session.commit()
    return jsonify(data)


def _my_entry(session, entry_id: int) -> QueueEntry:
    entry = queue.find(session, entry_id, lock=True)
    if entry is None or entry.agent_id != current_user.user.id:
        raise NotFound("no call %(entry)s of yours", entry=entry_id)
    return entry


@bp.post("/calls/<int:entry_id>/answered")
@roles_required(*PHONE_ROLES)
def answered(entry_id: int):
    """The browser picked up (Twilio reports it too, through /ivr/queue/answered; either is enough)."""
    session = db.session()
    now = clock().now()
    entry = _my_entry(session, entry_id)
    queue.answered(session, entry, now)
    data = _state(session, current_user.user.id, now)
    session.commit()
    return jsonify(data)


@bp.post("/calls/<int:entry_id>/hangup")
@roles_required(*PHONE_ROLES)
def hung_up(entry_id: int):
    """The talk ended on the desk: wrap-up starts (Twilio's `<Dial>` action reports it as well)."""
    session = db.session()
    now = clock().now()
    entry = _my_entry(session, entry_id)
    if entry.outcome == "assigned":  # hung up before the answer reached us
        queue.answered(session, entry, now)
    queue.talk_ended(session, entry, now, _settings().wrap_up_seconds)
    data = _state(session, current_user.user.id, now)
    session.commit()
    return jsonify(data)


@bp.post("/calls/<int:entry_id>/transfer")
@roles_required(*PHONE_ROLES)
def transfer(entry_id: int):
    """Hand the caller to a ready colleague: the caller's leg is redirected to ring them."""
    session = db.session()
    now = clock().now()
    entry = _my_entry(session, entry_id)
    raw = request.form.get("to", "")
    target = session.get(User, int(raw)) if raw.isdigit() and len(raw) < 10 else None
    if target is None or not target.active or target.role not in PHONE_ROLES or target.id == current_user.user.id:
        raise Invalid("Choose a colleague to transfer the call to.")
    queue.transfer(session, entry, target.id, now, _settings().wrap_up_seconds)
    call = _caller(session, entry)
    data = _state(session, current_user.user.id, now)
    session.commit()
    url = routing.connect_url(current_app._get_current_object(), entry.id)
    try:
        current_app.extensions["ivr.outbound"].redirect_call(call.call_sid, url)
    except OutboundError as exc:
        current_app.logger.warning("transfer of queue entry %s failed: %s", entry.id, exc)
        return jsonify({**data, "error": _("The transfer failed; the caller may have hung up.")}), 502
    return jsonify(data)


@bp.post("/calls/<int:entry_id>/hold")
@roles_required(*PHONE_ROLES)
def hold(entry_id: int):
    """Hold (the caller hears hold audio, the agent's leg ends) or resume (the agent is rung again)."""
    session = db.session()
    entry = _my_entry(session, entry_id)
    if entry.outcome != "answered" or entry.talk_ended_at is not None:
        raise Conflict("Only a call in progress can be held.")
    call = _caller(session, entry)
    data = _state(session, current_user.user.id, clock().now())
    session.commit()
    step = "hold" if request.form.get("on") == "1" else "connect"
    url = routing.connect_url(current_app._get_current_object(), entry.id, step)
    try:
        current_app.extensions["ivr.outbound"].redirect_call(call.call_sid, url)
    except OutboundError as exc:
        current_app.logger.warning("hold of queue entry %s failed: %s", entry.id, exc)
        return jsonify({**data, "error": _("The caller could not be put on hold or back; they may have hung up.")}), 502
    return jsonify({**data, "held": step == "hold"})


@bp.get("/token")
@roles_required(*PHONE_ROLES)
def token():
    """The Voice SDK's access token for the signed-in agent (same as GET /api/v1/voice/token)."""
    try:
        jwt, who = voice_token(_settings(), current_user.user.id)
    except VoiceNotConfigured:
        return jsonify({"error": _("Answering in the browser is not configured; calls ring your phone.")}), 503
    return jsonify({"token": jwt, "identity": who})


def agents_now(session, now: datetime) -> list[dict]:
    """Every agent's presence, for supervisors (and the wallboard)."""
    rows = session.execute(
        select(User, AgentPresence).join(AgentPresence, AgentPresence.user_id == User.id).order_by(User.username)
    ).all()
    out = []
    for user, row in rows:
        row = presences.expire_wrap_up(session, row, now) if row.state == "wrap_up" else row
        current = queue.current_for_agent(session, user.id)
        call = _caller(session, current) if current else None
        out.append({"id": user.id, "username": user.username, "name": user.display_name or user.username,
                    **_presence_json(row, now), "caller": call.from_number if call else None})
    return out


@bp.get("/agents")
@roles_required(*WATCH_ROLES)
def agents():
    session = db.session()
    now = clock().now()
    rows = agents_now(session, now)
    session.commit()
    if request.args.get("format") == "json":
        return jsonify({"agents": rows})
    return render_template("callcentre/agents.html", agents=rows)


def set_offline(user_id: int) -> None:
    """Signing out ends the agent's availability (called by the logout view)."""
    session = db.session()
    now = clock().now()
    presence = presences.find(session, user_id, lock=True)
    if presence is None or presence.state == "offline":
        return
    if presence.state == "on_call":  # a caller still ringing this agent goes to the next one
        entry = queue.current_for_agent(session, user_id)
        if entry is not None and entry.outcome == "assigned":
            queue.undo_assignment(session, queue.find(session, entry.id, lock=True), now)
    presences.change(session, presences.find(session, user_id, lock=True), "offline", now)
    session.commit()

