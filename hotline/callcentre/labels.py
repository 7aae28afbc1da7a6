"""The call centre's codes by their names (presence states, day kinds, queue outcomes)."""
from __future__ import annotations

from flask_babel import lazy_gettext

PRESENCE_LABELS = {
    "ready": lazy_gettext("Ready"),
    "on_call": lazy_gettext("On a call"),
    "wrap_up": lazy_gettext("Wrap-up"),
    "break": lazy_gettext("On a break"),
    "offline": lazy_gettext("Offline"),
}

# The break reason the queue gives an agent who let an offered call ring out.
NO_ANSWER_LABEL = lazy_gettext("Did not answer an offered call")

DAY_KIND_LABELS = {
    "mon": lazy_gettext("Monday"),
    "tue": lazy_gettext("Tuesday"),
    "wed": lazy_gettext("Wednesday"),
    "thu": lazy_gettext("Thursday"),
    "fri": lazy_gettext("Friday"),
    "sat": lazy_gettext("Saturday"),
    "sun": lazy_gettext("Sunday"),
    "holiday": lazy_gettext("Holidays on weekdays"),
}

QUEUE_OUTCOME_LABELS = {
    "waiting": lazy_gettext("Waiting"),
    "assigned": lazy_gettext("Ringing an agent"),
    "answered": lazy_gettext("Answered"),
    "abandoned": lazy_gettext("Abandoned"),
    "voicemail": lazy_gettext("Left a message"),
    "failed": lazy_gettext("Failed"),
}


def reason_text(reason: str | None) -> str:
    from workorders.callcenter.presence import NO_ANSWER

    if reason == NO_ANSWER:
        return str(NO_ANSWER_LABEL)
    return reason or ""
