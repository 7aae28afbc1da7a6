"""What the call figures and presence states are called on the pages and in the workbook."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

CALL_FIGURE_LABELS = {
    "offered": _l("Calls offered"),
    "answered": _l("Calls answered"),
    "abandoned": _l("Calls abandoned"),
    "voicemail": _l("Sent to voicemail"),
    "answer_rate": _l("Answer rate"),
    "answered_within_service_level": _l("Answered within 20 seconds"),
    "service_level": _l("Service level (20 s)"),
    "answer_wait_seconds": _l("Waiting before answer (s)"),
    "average_speed_of_answer": _l("Average speed of answer (s)"),
    "talk_seconds": _l("Talk time (s)"),
    "wrap_up_seconds": _l("Wrap-up time (s)"),
    "average_handle_time": _l("Average handle time (s)"),
}
CALL_RATES = {"answer_rate", "service_level"}
# The figures a day or a month is summed up by, in the order people read them.
CALL_SUMMARY = ("offered", "answered", "abandoned", "voicemail", "answer_rate", "answered_within_service_level",
                "service_level", "average_speed_of_answer", "talk_seconds", "wrap_up_seconds",
                "average_handle_time")

AGENT_COLUMN_LABELS = {
    "calls": _l("Calls answered"),
    "talk_seconds": _l("Talk time (s)"),
    "wrap_up_seconds": _l("Wrap-up time (s)"),
    "on_call_seconds": _l("On a call (s)"),
    "ready_seconds": _l("Ready (s)"),
    "occupancy": _l("Occupancy"),
}
AGENT_COLUMNS = tuple(AGENT_COLUMN_LABELS)

PRESENCE_LABELS = {
    "ready": _l("Ready"),
    "on_call": _l("On a call"),
    "wrap_up": _l("Wrap-up"),
    "break": _l("On a break"),
    "offline": _l("Offline"),
}


def call_label(name: str) -> str:
    return str(CALL_FIGURE_LABELS.get(name) or AGENT_COLUMN_LABELS.get(name) or name)


def presence_label(state: str) -> str:
    return str(PRESENCE_LABELS.get(state, state))


def show_call_figure(name: str, value) -> str:
    if value is None:
        return "—"
    if name in CALL_RATES or name == "occupancy":
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
