"""What the figures are called on the pages and in the workbook (English ids, zh_CN catalogue)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

FIGURE_LABELS = {
    "received": _l("Orders received"),
    "invalid": _l("Not accepted"),
    "merged": _l("Duplicates"),
    "valid_received": _l("Valid orders received"),
    "answered": _l("Direct answers"),
    "direct_answer_rate": _l("Direct answer rate"),
    "dispatched": _l("Dispatches"),
    "replied": _l("Replies"),
    "reply_rate": _l("Reply rate"),
    "replied_on_time": _l("Replies on time"),
    "replied_late": _l("Late replies"),
    "on_time_rate": _l("On-time rate"),
    "held": _l("Still held"),
    "held_past_due": _l("Held past due"),
    "overdue": _l("Overdue dispatches"),
    "overdue_rate": _l("Overdue rate"),
    "severe_overdue": _l("Severely overdue"),
    "returns": _l("Returns"),
    "returns_per_100": _l("Returns per 100 dispatches"),
    "closed_unreplied": _l("Closed without reply"),
    "callbacks_reached": _l("Callbacks reached"),
    "satisfied": _l("Satisfied"),
    "basically_satisfied": _l("Basically satisfied"),
    "dissatisfied": _l("Dissatisfied"),
    "resolved": _l("Resolved"),
    "unreachable": _l("Unreachable"),
    "resolution_rate": _l("Resolution rate"),
    "satisfaction_rate": _l("Satisfaction rate"),
    "average_reply_days": _l("Average reply cycle (days)"),
}

RATES = {"direct_answer_rate", "reply_rate", "on_time_rate", "overdue_rate", "resolution_rate",
         "satisfaction_rate"}

# The columns of a department ranking, on the dashboard, the notice board and in the workbook.
RANKING_COLUMNS = ("dispatched", "replied", "reply_rate", "on_time_rate", "overdue_rate",
                   "severe_overdue", "returns", "returns_per_100", "satisfaction_rate",
                   "resolution_rate", "average_reply_days")

SUMMARY_FIGURES = ("received", "invalid", "merged", "valid_received", "answered", "direct_answer_rate",
                   "dispatched", "replied", "reply_rate", "replied_on_time", "replied_late", "on_time_rate",
                   "held", "held_past_due", "overdue", "overdue_rate", "severe_overdue", "returns",
                   "returns_per_100", "callbacks_reached", "satisfied", "basically_satisfied",
                   "dissatisfied", "unreachable", "resolution_rate", "satisfaction_rate",
                   "average_reply_days")

GROUP_LABELS = {
    "all": _l("All"),
    "department": _l("Department"),
    "type": _l("Type"),
    "category": _l("Category"),
    "channel": _l("Channel"),
    "district": _l("District"),
}

NO_GROUP = {
    "department": _l("Not dispatched (hotline front desk)"),
    "category": _l("Not classified"),
    "district": _l("No district given"),
}


def figure_label(name: str) -> str:
    return str(FIGURE_LABELS.get(name, name))


def show(name: str, value) -> str:
    """A figure as people read it: rates in per cent, days with two decimals, None as a dash."""
    if value is None:
        return "—"
    if name in RATES:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
