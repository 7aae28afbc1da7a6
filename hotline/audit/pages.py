"""/admin/audit (administrative changes) and /admin/views (who saw whose personal data)."""
from __future__ import annotations

import json

from flask import render_template, request
from flask_babel import lazy_gettext

from workorders import audit

from .. import db
from ..i18n import label
from ..web.security import browser_blueprint, roles_required

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
    return render_template("audit/records.html", records=rows, entity=entity, page=page, more=len(rows) == PAGE)


@bp.get("/views")
@roles_required(*audit.READERS)
def views():
    page = _page_number()
    user = request.args.get("user", "")[:80]
    order = request.args.get("order", "")[:20]
    rows = audit.recent_views(db.session(), limit=PAGE, offset=(page - 1) * PAGE, username=user or None,
                              order_number=order or None)
    return render_template("audit/views.html", views=rows, user=user, order=order, page=page, more=len(rows) == PAGE)


ENTITY_LABELS = {
    "user": lazy_gettext("User"), "token": lazy_gettext("API token"), "department": lazy_gettext("Department"),
    "category": lazy_gettext("Category"), "routing": lazy_gettext("Routing"), "policy": lazy_gettext("Policy"),
    "calendar": lazy_gettext("Calendar"), "mailbox": lazy_gettext("Leader mailbox"),
    "synonym": lazy_gettext("Synonyms"), "open311_key": lazy_gettext("Open311 api key"),
}
ACTION_LABELS = {
    "create": lazy_gettext("created"), "update": lazy_gettext("changed"), "delete": lazy_gettext("deleted"),
    "activate": lazy_gettext("activated"), "deactivate": lazy_gettext("deactivated"),
    "issue": lazy_gettext("issued"), "revoke": lazy_gettext("revoked"), "import": lazy_gettext("imported"),
    "reset_password": lazy_gettext("password reset"),
}
FIELD_LABELS = {
    "username": lazy_gettext("Username"), "display_name": lazy_gettext("Display name"),
    "role": lazy_gettext("Role"), "department_id": lazy_gettext("Department (id)"),
    "active": lazy_gettext("Active"), "code": lazy_gettext("Code"), "name": lazy_gettext("Name"),
    "short_name": lazy_gettext("Short name"),
    "kind": lazy_gettext("Kind"), "parent_id": lazy_gettext("Parent (id)"),
    "default_department_id": lazy_gettext("Routed to department (id)"), "rules": lazy_gettext("Rules"),
    "years": lazy_gettext("Years"), "file": lazy_gettext("File"), "user": lazy_gettext("User"),
    "revoked": lazy_gettext("Revoked"), "sessions_ended": lazy_gettext("Sessions ended"),
    "terms": lazy_gettext("Synonyms"), "name_zh": lazy_gettext("Chinese name"),
    "name_en": lazy_gettext("English name"),
}
VIA_LABELS = {"web": lazy_gettext("order page"), "api": lazy_gettext("API")}


def _label(table: dict, code) -> str:
    value = table.get(str(code)) if code is not None else None
    return str(value) if value is not None else str(code or "")


def _value(value) -> str:
    if isinstance(value, bool):
        return str(lazy_gettext("yes") if value else lazy_gettext("no"))
    if value is None:
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


@bp.app_template_global()
def audit_label(kind: str, code) -> str:
    return _label({"entity": ENTITY_LABELS, "action": ACTION_LABELS, "field": FIELD_LABELS,
                   "via": VIA_LABELS}[kind], code)


def _flat(values: dict, prefix: str = "") -> dict:
    """Nested dicts (a policy's rules) as dotted keys, so that only what changed is shown."""
    out = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(_flat(value, name + "."))
        else:
            out[name] = value
    return out


@bp.app_template_global()
def audit_changes(before: dict | None, after: dict | None) -> list[tuple[str, str, str]]:
    """(field label, before, after) of every field that differs, or is there at all on one side."""
    before, after = _flat(before or {}), _flat(after or {})
    rows = []
    for key in list(dict.fromkeys([*before, *after])):
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        shown = (lambda v: label("role", v)) if key == "role" else _value
        rows.append((audit_label("field", key), shown(old) if key in before else "", shown(new) if key in after else ""))
    return rows
