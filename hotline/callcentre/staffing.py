"""The staffing schedule on the admin pages: agent hours per kind of day (default 7×24).

Outside these hours a caller hears the after-hours message; inside them the menu is offered
even when no agent is ready, and a caller who asks for an agent waits in the queue.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ivr.settings import parse_working_hours
from workorders.callcenter import schedule
from workorders.callcenter.models import DAY_KINDS
from workorders.errors import Invalid

from .. import db
from ..web.security import browser_blueprint, roles_required

bp = browser_blueprint("staffing", __name__, url_prefix="/admin/staffing")

OFFICE = ("admin", "supervisor")


def _seed():
    return current_app.extensions["ivr.settings"].working_hours


def _page(status: int = 200, typed: dict | None = None):
    session = db.session()
    current = schedule.load(session, _seed())
    session.commit()  # a first visit keeps the seeded schedule
    rows = [{"kind": k, "text": (typed or {}).get(k, schedule.describe(current[k]))} for k in DAY_KINDS]
    return render_template("callcentre/staffing.html", rows=rows), status


@bp.get("")
@roles_required(*OFFICE)
def index():
    return _page()


@bp.post("/<kind>")
@roles_required(*OFFICE)
def save(kind: str):
    if kind not in DAY_KINDS:
        raise Invalid("unknown kind of day '%(name)s'", name=kind[:20])
    text = request.form.get("hours", "").strip()
    try:
        ranges = parse_working_hours(text) if text else []
    except ValueError:
        flash(_("Hours must look like 08:30-12:00,13:30-17:30 (24:00 for midnight); empty means nobody."), "error")
        return _page(422, {kind: text[:200]})
    session = db.session()
    schedule.save(session, kind, ranges, _seed())
    session.commit()
    flash(_("Staffing hours saved."), "success")
    return redirect(url_for("staffing.index"))
