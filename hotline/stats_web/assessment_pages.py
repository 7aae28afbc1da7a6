"""/stats/assessment: the department assessment in detail, and publishing a month's ranking.

The hotline office (supervisor, leader, admin) sees every department under any scheme; a
department user sees its own row and rank only (SPEC §9). A supervisor publishes a finished
month's ranking on the notice board, or withdraws it.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workorders.access import HOTLINE_ROLES
from workorders.assessment import store
from workorders.assessment.schemes import DEDUCTIONS, RATES
from workorders.assessment.score import find, flatten
from workorders.errors import Conflict, DomainError, Forbidden
from workorders.stats import periods

from .. import db
from ..runtime import clock, timezone
from ..web.refusals import refusal_text
from ..web.security import roles_required
from .labels import figure_label
from .pages import _period_from_request, _today, bp

VIEWERS = ("supervisor", "leader", "admin", "department")


def _is_whole_finished_month(period: periods.Period) -> bool:
    whole = period == periods.month(period.first.year, period.first.month)
    return whole and period.last <= periods.last_full_month(_today()).last


@bp.get("/assessment")
@roles_required(*VIEWERS)
def assessment_page():
    session, tz, now = db.session(), timezone(), clock().now()
    args = request.args
    period = periods.parse_month(args["month"]) if args.get("month") else (
        _period_from_request() if args.get("from") or args.get("date") else periods.last_full_month(_today()))
    actor = current_user.actor
    office = actor.role in HOTLINE_ROLES
    if not office and args.get("scheme"):
        raise Forbidden("a department sees its assessment under the scheme in force only")
    scheme, tree = store.assessment(session, period, now, tz, args.get("scheme") or None)
    if office:
        rows = flatten(tree)
    else:
        own = find(tree, str(actor.department_id)) if actor.department_id else None
        rows = [own] if own else []
    columns = [name for name in (*RATES, *DEDUCTIONS) if any(name in node.parts for node in rows)]
    month = period.first.strftime("%Y-%m")
    return render_template(
        "stats/assessment.html", period=period, scheme=scheme, schemes=store.schemes(session) if office else [],
        rows=rows, columns=columns, figure_label=figure_label, office=office, month=month,
        can_publish=actor.role == "supervisor" and _is_whole_finished_month(period) and scheme.active,
        published=store.published_for(session, period) if _is_whole_finished_month(period) else None,
    )


@bp.post("/assessment/<month>/publish")
@roles_required("supervisor")
def publish_assessment(month: str):
    session, tz, now = db.session(), timezone(), clock().now()
    try:
        period = periods.parse_month(month)
        if not _is_whole_finished_month(period):
            raise Conflict("only a finished month's assessment can be published")
        store.publish(session, period, now, tz, current_user.actor.user_id)
        session.commit()
    except DomainError as exc:
        session.rollback()
        flash(refusal_text(exc), "error")
        return assessment_page(), exc.status
    flash(_("The assessment of %(month)s is on the public notice board.", month=month), "success")
    return redirect(url_for("stats.assessment_page", month=month))


@bp.post("/assessment/<month>/withdraw")
@roles_required("supervisor")
def withdraw_assessment(month: str):
    session = db.session()
    try:
        store.withdraw(session, periods.parse_month(month))
        session.commit()
    except DomainError as exc:
        session.rollback()
        flash(refusal_text(exc), "error")
        return assessment_page(), exc.status
    flash(_("The assessment of %(month)s was taken off the notice board.", month=month), "success")
    return redirect(url_for("stats.assessment_page", month=month))
