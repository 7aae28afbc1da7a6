"""/admin/audit (administrative changes) and /admin/views (who saw whose personal data)."""
from __future__ import annotations

from flask import render_template, request

from workorders import audit

from .. import db
from ..web.security import browser_blueprint, roles_required
from . import present

bp = browser_blueprint("audit", __name__, url_prefix="/admin")
PAGE = 200


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100_000 else 1


@bp.get("/audit")
@roles_required(*audit.READERS)
def records():
    entity = request.args.get("entity", "")[:40]
    page = _page_number()
    rows = audit.recent_records(db.session(), entity=entity or None, limit=PAGE, offset=(page - 1) * PAGE)
    return render_template("audit/records.html", rows=present.present(db.session(), rows), entity=entity, page=page,
                           more=len(rows) == PAGE)


@bp.get("/views")
@roles_required(*audit.READERS)
def views():
    page = _page_number()
    user = request.args.get("user", "")[:80]
    order = request.args.get("order", "")[:20]
    rows = audit.recent_views(db.session(), limit=PAGE, offset=(page - 1) * PAGE, username=user or None,
                              order_number=order or None)
    return render_template("audit/views.html", views=rows, user=user, order=order, page=page, more=len(rows) == PAGE)


@bp.app_template_global()
def audit_label(kind: str, code) -> str:
    return present.audit_label(kind, code)
