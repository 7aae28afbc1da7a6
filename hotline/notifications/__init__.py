"""Notifications (issue 14): the job that sends the outbox, the bell and its list, contacts CLI.

Configuration (environment, or `create_app(test_config)` keys without the `HOTLINE_` prefix):
`HOTLINE_SMTP_HOST`, `HOTLINE_SMTP_PORT` (25), `HOTLINE_SMTP_USER`, `HOTLINE_SMTP_PASSWORD`,
`HOTLINE_SMTP_STARTTLS` (`1`), `HOTLINE_MAIL_FROM`. Without an SMTP host e-mails are logged.
SMS go through `app.extensions["hotline.sms_sender"]` — the same outbound telephony as the
survey, set by `ivr.init_app` — or are logged when no sender is registered.
"""
from __future__ import annotations

import os
from datetime import timedelta

from flask import Flask

ENVIRONMENT = ("SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS", "MAIL_FROM")


def init_app(app: Flask) -> None:
    from ..jobs import JobSpec, register_job
    from . import cli, views
    from .job import deliver_notifications

    for key in ENVIRONMENT:
        if key not in app.config and os.environ.get(f"HOTLINE_{key}"):
            app.config[key] = os.environ[f"HOTLINE_{key}"]
    register_job(app, JobSpec("notifications", "send the SMS and e-mails of dispatches, urgings and send-backs",
                              timedelta(seconds=float(os.environ.get("HOTLINE_SCHEDULER_SWEEP_SECONDS") or 60)),
                              deliver_notifications))
    app.register_blueprint(views.bp)
    app.register_blueprint(views.api)
    app.context_processor(views.unread_count)
    from ..cli import departments_group

    if "contact" not in departments_group.commands:
        departments_group.add_command(cli.contacts, "contact")
