"""/quality: inspections of the agents' orders, for supervisors (score, decide appeals), leaders and
admins (read), and agents (their own; appeal once). Department users are refused (403)."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from workorders.deadlines import local_date
from workorders.errors import DomainError
from workorders.quality import operations

from .. import db
from ..runtime import clock, timezone
from ..web.refusals import refusal_text
from ..web.security import browser_blueprint, roles_required

bp = browser_blueprint("quality", __name__, url_prefix="/quality")

STAFF = ("agent", "supervisor", "leader", "admin")
STATES = ("pending", "scored", "appealed", "decided")
STATE_NAMES = {"pending": _l("Waiting for a score"), "scored": _l("Scored"), "appealed": _l("Appealed"),
               "decided": _l("Appeal decided")}
SOURCE_NAMES = {"sample": _l("Weekly sample"), "chosen": _l("Chosen by a supervisor")}


@bp.context_processor
def _names():
    return {"STATE_NAMES": STATE_NAMES, "SOURCE_NAMES": SOURCE_NAMES}


@bp.get("/")
@roles_required(*STAFF)
def index():
    session, actor = db.session(), current_user.actor
    today = local_date(clock().now(), timezone())
    state = request.args.get("state") if request.args.get("state") in STATES else None
    if actor.role == "agent":
        found = operations.inspections(session, agent_id=actor.user_id, state=state)
        quality = operations.agent_quality(session, agent_id=actor.user_id, today=today)
    else:
        found = operations.inspections(session, state=state)
        quality = operations.agent_quality(session, today=today)
    weeks = [operations.week_of(today) - timedelta(weeks=n) for n in range(7, -1, -1)]
    return render_template("quality/index.html", inspections=found, quality=quality, weeks=weeks,
                           state=state, states=STATES, own=actor.role == "agent")


@bp.post("/choose")
@roles_required("supervisor")
def choose():
    session = db.session()
    try:
        inspection = operations.choose(session, current_user.actor, request.form.get("number", ""),
                                       clock().now(), timezone())
        session.commit()
    except DomainError as exc:
        session.rollback()
        flash(refusal_text(exc), "error")
        return index(), exc.status
    flash(_("Order %(number)s was added to the inspections.", number=inspection.order.number), "success")
    return redirect(url_for("quality.show", inspection_id=inspection.id))


@bp.post("/sample")
@roles_required("supervisor")
def sample():
    """Draw last week's sample now (the job does it every day; a drawn week is left alone)."""
    from . import sample_percent

    session, tz, now = db.session(), timezone(), clock().now()
    week = operations.week_of(local_date(now, tz)) - timedelta(days=7)
    drawn = operations.draw_sample(session, week, now, tz, sample_percent(current_app))
    session.commit()
    flash(_("%(count)s order(s) drawn for the week of %(week)s.", count=drawn, week=week.isoformat()), "success")
    return redirect(url_for("quality.index"))


@bp.get("/checklist")
@roles_required("supervisor", "admin")
def checklist():
    return render_template("quality/checklist.html", items=operations.all_items(db.session()))


@bp.post("/checklist")
@roles_required("supervisor", "admin")
def save_item():
    session, form = db.session(), request.form
    try:
        item = operations.save_item(session, current_user.actor, form.get("code"), form.get("title"),
                                    form.get("guidance"), form.get("points"), form.get("active") == "on")
        session.commit()
    except DomainError as exc:
        session.rollback()
        flash(refusal_text(exc), "error")
        return checklist(), exc.status
    flash(_("Checklist item %(title)s saved.", title=item.title), "success")
    return redirect(url_for("quality.checklist"))


@bp.get("/<int:inspection_id>")
@roles_required(*STAFF)
def show(inspection_id: int):
    session, actor = db.session(), current_user.actor
    inspection = _get(inspection_id)
    marks = {mark.item_id: mark for mark in inspection.marks}
    return render_template("quality/show.html", inspection=inspection, items=operations.checklist(session),
                           marks=marks, actor=actor)


@bp.post("/<int:inspection_id>/score")
@roles_required("supervisor")
def score(inspection_id: int):
    return _act(inspection_id, lambda session, inspection, actor, now: operations.score(
        session, actor, inspection, request.form, request.form.get("comment"), now),
        _("The inspection is scored."))


@bp.post("/<int:inspection_id>/appeal")
@roles_required("agent")
def appeal(inspection_id: int):
    return _act(inspection_id, lambda session, inspection, actor, now: operations.appeal(
        session, actor, inspection, request.form.get("reason"), now),
        _("Your appeal was sent to the supervisors."))


@bp.post("/<int:inspection_id>/decide")
@roles_required("supervisor")
def decide(inspection_id: int):
    return _act(inspection_id, lambda session, inspection, actor, now: operations.decide(
        session, actor, inspection, request.form.get("final_score"), request.form.get("note"), now),
        _("The appeal is decided: the final score is recorded."))


def _get(inspection_id: int):
    try:
        return operations.get(db.session(), current_user.actor, inspection_id)
    except DomainError as exc:
        abort(exc.status)


def _act(inspection_id: int, operation, done: str):
    session = db.session()
    inspection = _get(inspection_id)
    try:
        operation(session, inspection, current_user.actor, clock().now())
        session.commit()
    except DomainError as exc:
        session.rollback()
        flash(refusal_text(exc), "error")
        return show(inspection_id), exc.status
    flash(done, "success")
    return redirect(url_for("quality.show", inspection_id=inspection_id))
