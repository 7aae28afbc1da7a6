"""The call centre in the office's pages (issue #17): the agent's phone on the desk (presence,
waiting callers, answering in the browser), the agents' presence for supervisors, the staffing
schedule on the admin pages. The telephony side is `ivr/` (queue webhooks, routing, tokens)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from hotline.i18n import LABELS

    from . import phone, staffing
    from .labels import DAY_KIND_LABELS, PRESENCE_LABELS, QUEUE_OUTCOME_LABELS

    LABELS.setdefault("presence", PRESENCE_LABELS)
    LABELS.setdefault("day_kind", DAY_KIND_LABELS)
    LABELS.setdefault("queue_outcome", QUEUE_OUTCOME_LABELS)
    app.register_blueprint(phone.bp)
    app.register_blueprint(staffing.bp)
