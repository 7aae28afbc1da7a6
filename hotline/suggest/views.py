"""The desk's live suggestions (JSON) and the supervisors' quality page."""
from __future__ import annotations

from flask import jsonify, render_template, request

from workorders.suggest.quality import newest_model_info, quality

from .. import db
from ..runtime import clock
from ..web.security import browser_blueprint, roles_required
from .serving import suggestions_for, to_json

bp = browser_blueprint("suggest", __name__, url_prefix="/suggest")
bp.template_folder = "templates"

DESK_ROLES = ("agent", "supervisor")
QUALITY_ROLES = ("supervisor", "admin")


@bp.get("/classify")
@roles_required(*DESK_ROLES)
def classify():
    """Polled by the desk while the agent types: the top 3 (category, department, type)."""
    session = db.session()
    model, suggestions = suggestions_for(session, request.args.get("q", ""))
    return jsonify(to_json(session, model, suggestions))


@bp.get("/quality")
@roles_required(*QUALITY_ROLES)
def quality_page():
    session = db.session()
    return render_template("suggest/quality.html", figures=quality(session, clock().now()),
                           model=newest_model_info(session))
