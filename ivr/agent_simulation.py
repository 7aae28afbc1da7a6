"""`hotline simulate agent`: an agent becomes ready and answers, with no browser and no Twilio.

The agent is made ready in the database exactly as the desk's button does (and the queue assigns
a waiting caller in the same transaction); then the command plays Twilio's part of the agent's
leg: when the caller's `<Dial>` rings this agent, it posts the `<Client>` url (the answer), signed
like Twilio, and waits until the caller's side reports the end of the talk.
"""
from __future__ import annotations

import time
import uuid

import click
from flask import current_app
from sqlalchemy import select

from hotline.db import database
from hotline.runtime import clock
from workorders.callcenter import presence as presences
from workorders.callcenter import queue
from workorders.errors import DomainError
from workorders.models import User

from .models import Call
from .routing import tell_twilio
from .simulate import SimulatedCall, wait_for_entry

AGENT_ROLES = ("agent", "supervisor")


def run_agent(username: str, url: str, public_url: str | None, token: str | None, timeout_seconds: int,
              poll_seconds: float) -> None:
    app = current_app._get_current_object()
    with database().transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.active or user.role not in AGENT_ROLES:
            raise click.ClickException(f"no active agent or supervisor called {username!r}")
        now = clock().now()
        try:
            presences.choose(session, user.id, "ready", now)
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        made = queue.assign(session, now)
        user_id = user.id
    tell_twilio(app, made)
    click.echo(f"{username} is ready; waiting up to {timeout_seconds} s for a caller")
    entry_id = _wait_for_assignment(user_id, timeout_seconds, poll_seconds)
    if entry_id is None:
        raise click.ClickException(f"no caller was given to {username} within {timeout_seconds} s")
    with database().transaction() as session:
        entry = queue.find(session, entry_id)
        caller = session.get(Call, entry.call_id)
        caller_sid, caller_number = caller.call_sid, caller.from_number
    leg = SimulatedCall(url, public_url, token, f"client:agent_{user_id}", caller_number or "", echo=click.echo)
    leg.sid = "CA" + uuid.uuid4().hex
    click.echo(f"caller {caller_number} (queue entry {entry_id}) is ringing {username}: answering")
    status, body = leg.post(f"/ivr/queue/answered?entry={entry_id}", {"ParentCallSid": caller_sid})
    if status != 200:
        raise click.ClickException(f"the app refused the answer: {status} {body}")
    click.echo("answered; the caller's side ends the talk (hotline simulate call --talk-seconds)")
    if not wait_for_entry(entry_id, lambda e: e.talk_ended_at is not None, timeout_seconds, poll_seconds):
        raise click.ClickException("the talk did not end in time")
    with database().transaction() as session:
        state = presences.find(session, user_id)
        click.echo(f"talk ended; {username} is now {state.state}"
                   + (f" until {state.wrap_up_until.isoformat()}" if state.wrap_up_until else ""))


def _wait_for_assignment(user_id: int, seconds: float, poll: float) -> int | None:
    deadline = time.monotonic() + seconds
    while True:
        with database().transaction() as session:
            current = queue.current_for_agent(session, user_id)
            # Twilio rings the agent once the caller's leg fetched the connect TwiML.
            if current is not None and current.outcome == "assigned" and current.redirected_at is not None:
                return current.id
        if time.monotonic() >= deadline:
            return None
        time.sleep(poll)
