"""未接来电 on the desk: callers who hung up in the queue, with a button to call them back.

`/callcenter/missed` lists them (agents and supervisors); the desk shows the ones not called back
yet (`missed_calls_to_call_back` in its template). Calling back records who and when, commits,
then places the call through the REST client; the citizen who answers is connected to the agent.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ivr.call_backs import note_placed, place_call_back
from ivr.missed import missed_calls, record_call_back
from ivr.outbound import OutboundError
from workorders.errors import DomainError

from .. import db
from ..runtime import clock
from ..web.refusals import refusal_text
from ..web.security import roles_required
from .pages import bp

CALL_BACK_ROLES = ("agent", "supervisor")
ON_DESK = 10


def missed_calls_to_call_back():
    """For the desk: the newest abandoned callers nobody has called back yet."""
    if not current_user.is_authenticated or current_user.role not in CALL_BACK_ROLES:
        return []
    return missed_calls(db.session(), clock().now(), limit=ON_DESK, to_call_back_only=True)


@bp.get("/missed")
@roles_required(*CALL_BACK_ROLES)
def missed():
    return render_template("call_figures/missed.html", missed=missed_calls(db.session(), clock().now(), limit=200))


@bp.post("/missed/<int:entry_id>/call-back")
@roles_required(*CALL_BACK_ROLES)
def call_back(entry_id: int):
    session = db.session()
    back_to = request.form.get("next") if request.form.get("next") in ("desk", "missed") else "missed"
    target = url_for("desk.index") if back_to == "desk" else url_for("callcenter.missed")
    try:
        back = record_call_back(session, entry_id, current_user.user.id, clock().now())
        session.commit()
    except DomainError as exc:
        session.rollback()
        flash(refusal_text(exc), "error")
        return redirect(target)
    # The call goes out after the commit: a crash here leaves the attempt on record, never a ghost call.
    try:
        sid = place_call_back(current_app.extensions["ivr.settings"], current_app.extensions["ivr.outbound"], back)
    except OutboundError as exc:
        current_app.logger.warning("call-back %s not placed: %s", back.id, exc)
        flash(_("The call to %(number)s could not be placed; try again.", number=back.to_number), "error")
        return redirect(target)
    note_placed(session, back, sid, clock().now())
    session.commit()
    flash(_("Calling %(number)s back: your phone rings when the caller answers.", number=back.to_number), "success")
    return redirect(target)
