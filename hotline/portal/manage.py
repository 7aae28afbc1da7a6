"""The hotline office's side of the portal: approving publication, reviewing low ratings, the
leader mailboxes and the Open311 keys."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from workorders.actions import get_order
from workorders.audit import record_audit, snapshot
from workorders.citizen import mailboxes, publication
from workorders.citizen import open311 as service_catalog
from workorders.citizen.models import Mailbox
from workorders.errors import DomainError

from .. import db
from ..runtime import clock
from ..web.present import department_tree
from ..web.refusals import refusal_text
from ..web.security import browser_blueprint, roles_required

bp = browser_blueprint("portal_manage", __name__, url_prefix="/portal/manage")
ROLES = ("supervisor",)


@bp.get("/publications")
@roles_required(*ROLES)
def publications():
    session = db.session()
    candidates = [(order, *publication.proposed_texts(order)) for order in publication.awaiting_decision(session)]
    return render_template("portal/manage_publications.html", candidates=candidates)


@bp.post("/publications/<number>")
@roles_required(*ROLES)
def decide(number: str):
    session = db.session()
    order = get_order(session, number)
    approve = request.form.get("decision") == "approve"
    publication.decide(
        session, order, approve=approve, user_id=current_user.user.id, now=clock().now(),
        public_content=request.form.get("public_content"), public_reply=request.form.get("public_reply"),
        note=request.form.get("note", ""),
    )
    session.commit()
    flash(_("Order %(number)s is published.", number=number) if approve
          else _("Order %(number)s will not be published.", number=number), "success")
    return redirect(url_for(".publications"))


@bp.get("/ratings")
@roles_required(*ROLES)
def ratings():
    session = db.session()
    return render_template("portal/manage_ratings.html", ratings=publication.low_ratings(session),
                           low=publication.LOW_RATING)


@bp.post("/ratings/<int:rating_id>")
@roles_required(*ROLES)
def reviewed(rating_id: int):
    session = db.session()
    publication.mark_reviewed(session, rating_id, current_user.user.id, request.form.get("note", ""), clock().now())
    session.commit()
    flash(_("The rating is marked as reviewed."), "success")
    return redirect(url_for(".ratings"))


# --- Open311 api keys (admin) ---------------------------------------------------------------------

@bp.route("/open311-keys", methods=["GET", "POST"])
@roles_required("admin")
def open311_keys():
    session = db.session()
    new_key = None
    if request.method == "POST":
        name = request.form.get("name", "")
        new_key = service_catalog.issue_key(session, name, clock().now())
        record_audit(session, current_user.actor, "open311_key", name[:120], "issue", None, {"name": name},
                     at=clock().now())
        session.commit()
    return render_template("portal/manage_open311_keys.html", keys=service_catalog.keys(session),
                           new_key=new_key, new_name=request.form.get("name", ""))


@bp.post("/open311-keys/<int:token_id>/revoke")
@roles_required("admin")
def revoke_open311_key(token_id: int):
    session = db.session()
    key = service_catalog.revoke_key(session, token_id)
    record_audit(session, current_user.actor, "open311_key", key.name, "revoke", {"revoked": False},
                 {"revoked": True}, at=clock().now())
    session.commit()
    flash(_("The key of %(name)s is revoked.", name=key.name), "success")
    return redirect(url_for(".open311_keys"))


# --- leader mailboxes (reference data: admin and the office's supervisors) -------------------------

@bp.get("/mailboxes")
@roles_required("admin", "supervisor")
def mailbox_list():
    session = db.session()
    return render_template("portal/manage_mailboxes.html", mailboxes=mailboxes.all_mailboxes(session),
                           departments=department_tree(session), kinds=mailboxes.KINDS)


@bp.post("/mailboxes")
@roles_required("admin", "supervisor")
def save_mailbox():
    session = db.session()
    form = request.form
    code = form.get("code", "").strip()
    fields = ("code", "name_zh", "name_en", "kind", "department_id", "active")
    try:
        existing = session.scalar(select(Mailbox).where(Mailbox.code == code)) if code else None
        before = snapshot(existing, *fields) if existing else None
        mailbox = mailboxes.set_mailbox(session, code, form.get("name_zh", "").strip(),
                                        form.get("name_en", "").strip(), form.get("kind", ""),
                                        form.get("department", ""), active=form.get("active") == "yes")
        record_audit(session, current_user.actor, "mailbox", code, "update" if before else "create", before,
                     snapshot(mailbox, *fields), at=clock().now())
        session.commit()
    except DomainError as exc:
        session.rollback()
        flash(refusal_text(exc), "error")
        return redirect(url_for(".mailbox_list"))
    flash(_("Mailbox %(code)s saved.", code=code), "success")
    return redirect(url_for(".mailbox_list"))
