"""/admin/assessment: the assessment schemes (weights, deductions) — an admin edits them and puts one in force."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workorders.assessment import store
from workorders.assessment.schemes import DEDUCTIONS, RATES
from workorders.errors import DomainError, Invalid

from .. import db
from ..web.refusals import refusal_text
from ..web.security import browser_blueprint, roles_required
from .labels import figure_label

bp = browser_blueprint("assessment_admin", __name__, url_prefix="/admin/assessment")


@bp.get("")
@roles_required("admin")
def schemes():
    return _page(request.args.get("name"))


def _page(chosen: str | None):
    session = db.session()
    found = store.schemes(session)
    chosen = chosen or next((s.name for s in found if s.active), found[0].name)
    current = next((s for s in found if s.name == chosen), found[0])
    return render_template("admin/assessment.html", schemes=found, current=current, rates=RATES,
                           deductions=DEDUCTIONS, figure_label=figure_label)


@bp.post("/active")
@roles_required("admin")
def activate():
    session = db.session()
    try:
        chosen = store.activate(session, request.form.get("name", ""))
        session.commit()
    except DomainError as exc:
        session.rollback()
        flash(refusal_text(exc), "error")
        return _page(None), exc.status
    flash(_("Assessment scheme %(name)s is now in force.", name=chosen.title), "success")
    return redirect(url_for("assessment_admin.schemes"))


@bp.post("/<name>")
@roles_required("admin")
def edit(name: str):
    session = db.session()
    try:
        store.save(session, name, _rules_from_form(request.form))
        session.commit()
    except DomainError as exc:
        session.rollback()
        flash(refusal_text(exc), "error")
        return _page(name), exc.status
    flash(_("Assessment scheme %(name)s saved.", name=name), "success")
    return redirect(url_for("assessment_admin.schemes", name=name))


def _number(form, field: str) -> float:
    text = (form.get(field) or "").strip() or "0"
    try:
        return float(text)
    except ValueError:
        raise Invalid("'%(field)s' must be a number, got '%(text)s'", field=field, text=text[:20]) from None


def _rules_from_form(form) -> dict:
    return {"weights": {name: _number(form, f"weight_{name}") for name in RATES},
            "deductions": {name: _number(form, f"per_{name}") for name in DEDUCTIONS},
            "max_deduction": _number(form, "max_deduction")}
