"""The `notifications` job: the outbox goes out after the actions' commits, failures retried."""
from __future__ import annotations

from workorders.notifications.delivery import Senders, deliver

from ..db import database
from ..jobs import JobRun, Outcome
from .mail import console_mailer, console_sms, mailer_from_config


def senders_of(app) -> Senders:
    return Senders(sms=app.extensions.get("hotline.sms_sender") or console_sms,
                   email=mailer_from_config(app.config) or console_mailer)


def deliver_notifications(run: JobRun) -> Outcome:
    senders = senders_of(run.app)
    sent = failed = 0
    while True:
        ok, bad = deliver(lambda: database(run.app).transaction(), senders, run.now, run.batch)
        sent, failed = sent + ok, failed + bad
        if ok + bad < run.batch:
            return Outcome(sent + failed, f"{failed} send(s) failed, to be retried" if failed else None)
