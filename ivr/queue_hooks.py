"""The agents' queue as Twilio sees it: wait music and position, leaving, ringing the agent.

  /ivr/queue/wait       Enqueue's waitUrl: position and expected wait, hold audio; after the
                        maximum wait `<Leave/>` (the caller is offered a message).
  /ivr/queue/left       Enqueue's action: why the caller left the queue (hung up, left, error).
  /ivr/queue/connect    The caller's leg, redirected here once assigned: `<Dial>` the agent.
  /ivr/queue/hold       The agent put the caller on hold: hold audio until resumed.
  /ivr/queue/answered   The agent picked up (the `<Client>`/`<Number>` url, run on the agent's leg).
  /ivr/queue/dialed     The `<Dial>` ended: talk over (agent to wrap-up), or not answered (the
                        agent stops taking calls, the caller is offered to the next agent).
Same rules as blueprint.py: one commit per request, REST requests to Twilio after it.
"""
from __future__ import annotations

import math

from flask import current_app, request

from hotline import db
from hotline.runtime import domain_context
from workorders.callcenter import presence as presences
from workorders.callcenter import queue
from workorders.callcenter.models import QueueEntry

from .blueprint import BadWebhook, bp, inbound_call, param, settings, twiml, whole_number
from .models import Call
from .phones import to_e164
from .records import lock_call
from .routing import identity, tell_twilio
from .twiml import Twiml


def _entry(session, call: Call) -> QueueEntry:
    """The queue entry named in ?entry=, which must belong to this call."""
    raw = request.args.get("entry", "")
    entry = queue.find(session, int(raw), lock=True) if raw.isdigit() and len(raw) < 10 else None
    if entry is None or entry.call_id != call.id:
        raise BadWebhook("unknown queue entry for this call")
    return entry


def join_queue(session, ctx, call: Call):
    """Menu key 1: the caller's entry is written, an agent assigned if one is ready; returns the
    TwiML (ring the agent now, or wait in the queue) and the assignments Twilio must be told."""
    entry = queue.enqueue(session, call.id, ctx.now)
    made = queue.assign(session, ctx.now)
    return _route(session, entry, made, ctx.now), made, entry.id


def _route(session, entry: QueueEntry, made, now):
    t = twiml()
    if entry.outcome == "assigned":
        entry.redirected_at = entry.redirected_at or now
        return _connect_twiml(session, entry)
    return t.enqueue("to_agent") if not made else t.enqueue()


def _connect_twiml(session, entry: QueueEntry):
    agent = presences.find(session, entry.agent_id)
    call = session.get(Call, entry.call_id)
    phone = to_e164(agent.phone_number) if agent and agent.phone_number else None
    return twiml().connect_agent(entry.id, identity(entry.agent_id), phone,
                                 call.from_number if call else None, settings().answer_seconds,
                                 call.call_sid if call else "")


def _after_commit(made, skip: int | None) -> None:
    if any(a.entry_id != skip for a in made):
        tell_twilio(current_app._get_current_object(), made, skip=skip)


@bp.post("/queue/wait")
def queue_wait():
    session = db.session()
    ctx = domain_context(session)
    call = lock_call(session, inbound_call(ctx))
    entry = queue.for_call(session, call.id, lock=True)
    if entry is None:  # Twilio's queue holds a caller our menu never saw: give them an entry now
        entry = queue.enqueue(session, call.id, ctx.now)
    made = queue.assign(session, ctx.now) if entry.outcome == "waiting" else []
    if entry.outcome == "assigned" or (entry.outcome == "answered" and entry.talk_ended_at is None):
        entry.redirected_at = entry.redirected_at or ctx.now
        response = twiml().redirect_to("/ivr/queue/connect", entry=str(entry.id))
    else:
        waited = whole_number("QueueTime") or 0
        position = queue.position(session, entry)
        average = whole_number("AvgQueueTime") or 0
        minutes = max(1, math.ceil(position * max(average, 60) / 60))
        response = twiml().queue_wait(position, minutes, leave=waited >= settings().max_wait_seconds)
    session.commit()
    _after_commit(made, skip=entry.id)
    return Twiml.send(response)


@bp.post("/queue/left")
def queue_left():
    session = db.session()
    ctx = domain_context(session)
    call = lock_call(session, inbound_call(ctx))
    entry = queue.for_call(session, call.id, lock=True)
    result = param("QueueResult", required=False, limit=40) or "hangup"
    t = twiml()
    made = []
    if entry is None:
        response = t.goodbye("goodbye")
    elif result in ("redirected", "redirected-from-waitUrl", "bridged", "bridging-in-process"):
        response = (t.redirect_to("/ivr/queue/connect", entry=str(entry.id)) if entry.outcome == "assigned"
                    else t.empty())
    elif result == "hangup":
        queue.left(session, entry, "abandoned", ctx.now)
        made = queue.assign(session, ctx.now)  # an agent it was ringing is free for the next caller
        response = t.empty()
    elif result == "leave":
        queue.left(session, entry, "voicemail", ctx.now)
        response = t.record("queue_voicemail")
    else:  # queue-full, error, system-error
        current_app.logger.warning("call %s left the queue: %s", call.call_sid, result)
        queue.left(session, entry, "failed", ctx.now)
        response = t.record("queue_voicemail")
    call.updated_at = ctx.now
    session.commit()
    _after_commit(made, skip=None)
    return Twiml.send(response)


@bp.post("/queue/connect")
def queue_connect():
    session = db.session()
    ctx = domain_context(session)
    call = lock_call(session, inbound_call(ctx))
    entry = _entry(session, call)
    if entry.outcome == "assigned":
        entry.redirected_at = entry.redirected_at or ctx.now
        response = _connect_twiml(session, entry)
    elif entry.outcome == "answered" and entry.talk_ended_at is None:  # transferred to a colleague
        response = _connect_twiml(session, entry)
    elif entry.outcome == "waiting":  # the agent was taken back meanwhile: wait again
        response = twiml().enqueue()
    else:
        response = twiml().goodbye("goodbye")
    session.commit()
    return Twiml.send(response)


@bp.post("/queue/hold")
def queue_hold():
    """Where the agent's hold button redirects the caller; resuming redirects to /queue/connect."""
    session = db.session()
    ctx = domain_context(session)
    call = lock_call(session, inbound_call(ctx))
    entry = _entry(session, call)
    session.commit()
    if entry.outcome == "answered" and entry.talk_ended_at is None:
        return Twiml.send(twiml().hold(entry.id))
    return Twiml.send(twiml().goodbye("goodbye"))


@bp.post("/queue/answered")
def queue_answered():
    session = db.session()
    ctx = domain_context(session)
    raw = request.args.get("entry", "")
    entry = queue.find(session, int(raw), lock=True) if raw.isdigit() and len(raw) < 10 else None
    if entry is None:
        raise BadWebhook("unknown queue entry")
    queue.answered(session, entry, ctx.now)
    session.commit()
    return Twiml.send(twiml().empty())


@bp.post("/queue/dialed")
def queue_dialed():
    session = db.session()
    ctx = domain_context(session)
    call = lock_call(session, inbound_call(ctx))
    entry = _entry(session, call)
    outcome = param("DialCallStatus", required=False, limit=20) or "failed"
    caller_state = param("CallStatus", required=False, limit=20) or "in-progress"
    t = twiml()
    made = []
    if outcome == "completed":
        if entry.outcome == "assigned":  # the answer report was lost; the talk still happened
            queue.answered(session, entry, ctx.now)
        queue.talk_ended(session, entry, ctx.now, settings().wrap_up_seconds)
        response = t.goodbye("goodbye")
    elif caller_state != "in-progress":  # the caller hung up while it rang
        queue.left(session, entry, "abandoned", ctx.now)
        made = queue.assign(session, ctx.now)
        response = t.empty()
    elif queue.transfer_missed(session, entry, ctx.now):  # a transferred call nobody picked up
        response = t.goodbye("transfer_missed")
    else:  # busy, no-answer, failed, canceled: the agent missed it; the next agent is offered the caller
        queue.missed(session, entry, ctx.now)
        made = queue.assign(session, ctx.now)
        response = _route(session, entry, made, ctx.now)
    call.updated_at = ctx.now
    session.commit()
    _after_commit(made, skip=entry.id)
    return Twiml.send(response)


def call_ended(session, call: Call, now) -> None:
    """The call's final status arrived (/ivr/status): a caller still queued or ringing hung up."""
    entry = queue.for_call(session, call.id, lock=True)
    if entry is None:
        return
    if entry.outcome in ("waiting", "assigned"):
        queue.left(session, entry, "abandoned", now)
    elif entry.outcome == "answered":
        queue.talk_ended(session, entry, now, settings().wrap_up_seconds)
