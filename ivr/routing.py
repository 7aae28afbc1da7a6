"""The queue's assignments, told to Twilio: the caller's call is redirected to ring the agent.

The assignment is committed first (workorders/callcenter/queue.py); the REST request follows.
If the process dies in between, or Twilio refuses, the entry stays "assigned" without
`redirected_at`; the scheduler's sweep and the caller's next wait-URL poll try again, and a
refused redirect gives the caller back to the queue and the agent back to ready.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from flask import Flask, has_request_context, request
from sqlalchemy import select

from hotline.db import database
from hotline.runtime import clock
from workorders.callcenter import queue
from workorders.callcenter.queue import Assignment

from .models import Call
from .outbound import OutboundError

log = logging.getLogger(__name__)


def identity(user_id: int) -> str:
    """The agent's Twilio Client identity (voice token, `<Client>`): letters, digits, underscore."""
    return f"agent_{user_id}"


def user_of(identity_: str) -> int | None:
    prefix, _, number = identity_.partition("_")
    return int(number) if prefix == "agent" and number.isdigit() and len(number) < 10 else None


def connect_url(app: Flask, entry_id: int, step: str = "connect") -> str | None:
    """Where Twilio is sent for this caller (absolute: the REST API needs it)."""
    base = app.config.get("PUBLIC_URL") or (request.url_root if has_request_context() else None)
    if not base:
        return None
    return base.rstrip("/") + f"/ivr/queue/{step}?entry={entry_id}"


def tell_twilio(app: Flask, assignments: Iterable[Assignment], skip: int | None = None) -> int:
    """Redirect each assigned caller to their agent; returns how many Twilio accepted."""
    outbound = app.extensions["ivr.outbound"]
    told = 0
    for a in assignments:
        if a.entry_id == skip:
            continue
        url = connect_url(app, a.entry_id)
        if url is None:
            log.warning("HOTLINE_PUBLIC_URL is not set: queue entry %s waits for the caller's next poll", a.entry_id)
            continue
        with database(app).transaction() as session:
            sid = session.scalar(select(Call.call_sid).where(Call.id == a.call_id))
        error = None
        try:
            outbound.redirect_call(sid, url)
        except OutboundError as exc:
            error = exc
        with database(app).transaction() as session:
            entry = queue.find(session, a.entry_id, lock=True)
            if entry is None or entry.outcome != "assigned" or entry.agent_id != a.agent_id:
                continue
            now = clock(app).now()
            if error is None:
                entry.redirected_at = now
                told += 1
            else:
                log.warning("queue entry %s goes back to waiting: %s", a.entry_id, error)
                queue.undo_assignment(session, entry, now)
    return told


def sweep(app: Flask, now: datetime, answer_seconds: int) -> int:
    """The scheduler's queue job: lost ring reports, expired wrap-ups, new and retried redirects."""
    with database(app).transaction() as session:
        for entry in queue.overdue(session, now, answer_seconds):
            queue.missed(session, entry, now)
        made = queue.assign(session, now)
        retry = [Assignment(e.id, e.call_id, e.agent_id) for e in queue.unredirected(session)
                 if e.agent_id is not None]
    pending = {a.entry_id: a for a in [*retry, *made]}
    return tell_twilio(app, pending.values())


def register_sweep(app: Flask) -> None:
    from datetime import timedelta

    from hotline.jobs import JobSpec, Outcome, register_job

    def work(run) -> Outcome:
        told = sweep(run.app, run.now, run.app.extensions["ivr.settings"].answer_seconds)
        return Outcome(told)

    import os

    # Often enough that a lost redirect or ring report costs a caller seconds, not minutes.
    every = float(app.config.get("CC_SWEEP_SECONDS") or os.environ.get("HOTLINE_QUEUE_SWEEP_SECONDS") or 15)
    register_job(app, JobSpec("call_queue", "call queue: expired wrap-ups, unanswered offers, redirects to agents",
                              timedelta(seconds=every), work))
