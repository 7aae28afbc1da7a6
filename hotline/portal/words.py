"""The citizen's plain words for where an order stands and for each public step (zh_CN, en)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from workorders.citizen.public_view import PublicStep
from workorders.models import WorkOrder

STATE_WORDS = {
    "new": _l("Received: the hotline is reviewing your request."),
    "invalid": _l("Not accepted: the hotline cannot take up this request."),
    "merged": _l("Handled together with an earlier request on the same matter."),
    "answered": _l("Answered by the hotline."),
    "awaiting_instruction": _l("Waiting for a leader to decide which department handles it."),
    "dispatched": _l("Sent to %(department)s, waiting for it to take the request."),
    "returned": _l("Being sent on to the right department."),
    "in_progress": _l("%(department)s is handling it."),
    "committed": _l("%(department)s has replied for now and committed to finish by %(date)s."),
    "replied": _l("%(department)s has replied."),
    "reply_review": _l("%(department)s has replied; the hotline is checking the reply."),
    "under_review": _l("The hotline is reviewing how it was handled."),
    "archived": _l("Closed."),
}

STEP_WORDS = {
    "received": _l("Request received"),
    "answered": _l("Answered by the hotline"),
    "not_accepted": _l("Not accepted"),
    "merged": _l("Merged with an earlier request"),
    "awaiting_instruction": _l("Passed to a leader for a decision"),
    "dispatched": _l("Sent to %(department)s"),
    "signed": _l("Taken up by %(department)s"),
    "returned": _l("Returned by %(department)s to the hotline, to be sent to the right department"),
    "interim_reply": _l("Interim reply from %(department)s; committed to finish by %(date)s"),
    "extended": _l("Time limit extended"),
    "replied": _l("Reply from %(department)s"),
    "callback": _l("Satisfaction call-back"),
    "reviewed": _l("Reviewed by the hotline"),
    "closed": _l("Closed"),
}


def state_words(order: WorkOrder, department: str | None) -> str:
    template = STATE_WORDS.get(order.state)
    if template is None:
        return order.state
    date = order.committed_date.isoformat() if order.committed_date else ""
    return str(template) % {"department": department or _("the department"), "date": date}


def step_words(step: PublicStep) -> str:
    template = STEP_WORDS.get(step.step, step.step)
    date = step.committed_date.isoformat() if step.committed_date else ""
    return str(template) % {"department": step.department or _("the department"), "date": date}
