"""The hotline office's side of the portal: approving publication, reviewing low ratings."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workorders.actions import get_order
from workorders.citizen import open311 as service_catalog
from workorders.citizen import publication

from .. import db
from ..runtime import clock
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
        session.commit()
    return render_template("portal/manage_open311_keys.html", keys=service_catalog.keys(session),
                           new_key=new_key, new_name=request.form.get("name", ""))


@bp.post("/open311-keys/<int:token_id>/revoke")
@roles_required("admin")
def revoke_open311_key(token_id: int):
    session = db.session()
    key = service_catalog.revoke_key(session, token_id)
    session.commit()
    flash(_("The key of %(name)s is revoked.", name=key.name), "success")
    return redirect(url_for(".open311_keys"))
