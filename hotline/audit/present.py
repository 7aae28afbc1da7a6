"""How an audit record reads on /admin/audit: every code and id shown by its name.

The records keep what was changed as stored (department ids, policy rule keys, unit codes), which
is right for the API; a supervisor reading the page sees "投诉：时限（天） 5 → 7" and "承办单位 住建局",
never `rules.limits.complaint.days` or `department_id 3`.
"""
from __future__ import annotations

import json
from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from workorders.audit import AuditRecord
from workorders.citizen.models import Mailbox
from workorders.models import Category, Department, Policy

from ..i18n import current_locale, label

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
    "contact": lazy_gettext("contact changed"),
}
FIELD_LABELS = {
    "username": lazy_gettext("Username"), "display_name": lazy_gettext("Display name"),
    "role": lazy_gettext("Role"), "department_id": lazy_gettext("Department"),
    "department": lazy_gettext("Department"),
    "active": lazy_gettext("Active"), "code": lazy_gettext("Code"), "name": lazy_gettext("Name"),
    "kind": lazy_gettext("Kind"), "parent_id": lazy_gettext("Parent"), "short_name": lazy_gettext("Short name"),
    "default_department_id": lazy_gettext("Routed to department"), "rules": lazy_gettext("Rules"),
    "years": lazy_gettext("Years"), "file": lazy_gettext("File"), "user": lazy_gettext("User"),
    "revoked": lazy_gettext("Revoked"), "sessions_ended": lazy_gettext("Sessions ended"),
    "terms": lazy_gettext("Synonyms"), "name_zh": lazy_gettext("Chinese name"),
    "name_en": lazy_gettext("English name"),
    "duty_phone": lazy_gettext("Duty phone (SMS)"), "email": lazy_gettext("E-mail"),
    "sms_enabled": lazy_gettext("Send SMS"), "email_enabled": lazy_gettext("Send e-mail"),
}
# A policy's rules, by their key in `PolicyRules.to_json()`; the texts are the policy form's.
RULE_LABELS = {
    "return_window_days": lazy_gettext("Return window (working days, 0 = the dispatch day)"),
    "yellow_days": lazy_gettext("Yellow light: working days before due"),
    "severe_days": lazy_gettext("Severely overdue: working days after due"),
    "callback_window_days": lazy_gettext("Callback window (working days)"),
    "callback_attempts": lazy_gettext("Callback attempts"),
    "max_total_days": lazy_gettext("Cap of limit plus extensions (working days)"),
    "callback_channel": lazy_gettext("Callback by"),
    "callback_types": lazy_gettext("Types called back"),
    "intake_hours": lazy_gettext("Intake limit (hours)"),
    "instruction_days": lazy_gettext("Instruction limit (working days)"),
    "reply_review": lazy_gettext("Reply review: a department's reply waits for the hotline's approval"),
    "reassign_restarts_deadline": lazy_gettext("Reassignment restarts the time limit"),
    "joint_limit": lazy_gettext("Joint orders: limit (days, empty = by type)"),
    "joint_limit.days": lazy_gettext("Joint orders: limit (days, empty = by type)"),
    "joint_limit.unit": lazy_gettext("Joint limit unit"),
}
VALUE_LABELS = {
    "unit": {"working": lazy_gettext("working"), "natural": lazy_gettext("natural")},
    "callback_channel": {"call": lazy_gettext("Phone call"), "sms": lazy_gettext("SMS")},
}
VIA_LABELS = {"web": lazy_gettext("order page"), "api": lazy_gettext("API")}


def _label(table: dict, code) -> str:
    value = table.get(str(code)) if code is not None else None
    return str(value) if value is not None else str(code or "")


def audit_label(kind: str, code) -> str:
    return _label({"entity": ENTITY_LABELS, "action": ACTION_LABELS, "field": FIELD_LABELS,
                   "via": VIA_LABELS}[kind], code)


class Names:
    """The names behind the ids and codes that audit records keep (one query per table)."""

    def __init__(self, session: Session):
        departments = session.execute(select(Department.id, Department.code, Department.name)).all()
        categories = session.execute(select(Category.id, Category.code, Category.name)).all()
        self.department_by_id = {str(i): name for i, _code, name in departments}
        self.department_by_code = {code: name for _i, code, name in departments}
        self.category_by_id = {str(i): name for i, _code, name in categories}
        self.category_by_code = {code: name for _i, code, name in categories}
        self.policy_by_name = dict(session.execute(select(Policy.name, Policy.title)).all())
        zh = current_locale() == "zh_CN"
        self.mailbox_by_code = {code: zh_name if zh else en_name for code, zh_name, en_name
                                in session.execute(select(Mailbox.code, Mailbox.name_zh, Mailbox.name_en))}

    def which(self, record: AuditRecord) -> str:
        """The changed thing by its name (users, tokens and keys by the name people type)."""
        found = {"department": self.department_by_code, "category": self.category_by_code,
                 "routing": self.category_by_code, "policy": self.policy_by_name,
                 "mailbox": self.mailbox_by_code}.get(record.entity, {}).get(record.entity_id)
        return found or record.entity_id


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


def _rule_label(key: str, names: Names) -> str:
    """`limits.complaint.days` → "投诉：时限（天）"; `category_limits.water.unit` → "供水：时限单位"."""
    parts = key.split(".")
    if parts[0] in ("limits", "category_limits") and len(parts) == 3:
        whose = label("type", parts[1]) if parts[0] == "limits" else names.category_by_code.get(parts[1], parts[1])
        text = _("%(whose)s: limit (days)") if parts[2] == "days" else _("%(whose)s: limit unit")
        return text % {"whose": whose}
    if parts[0] == "extension_caps" and len(parts) == 2:
        return _("%(whose)s: extension cap (days)") % {"whose": label("type", parts[1])}
    return _label(RULE_LABELS, key)


def _value(value) -> str:
    if isinstance(value, bool):
        return str(lazy_gettext("yes") if value else lazy_gettext("no"))
    if value is None:
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _shown(entity: str, key: str, value, names: Names) -> str:
    """A field's value by its name: departments, categories, policies, roles, kinds and units."""
    if value is None or isinstance(value, bool):
        return _value(value)
    if key in ("department_id", "default_department_id") or (key == "parent_id" and entity == "department"):
        return names.department_by_id.get(str(value), str(value))
    if key == "parent_id":
        return names.category_by_id.get(str(value), str(value))
    if key == "department":
        return names.department_by_code.get(str(value), str(value))
    if key == "role":
        return label("role", value)
    if key == "kind" and entity == "department":
        return label("department_kind", value)
    if key == "active" and entity == "policy":
        return names.policy_by_name.get(str(value), str(value))
    if key.endswith(".unit") or key == "unit":
        return _label(VALUE_LABELS["unit"], value)
    if key.endswith("callback_channel"):
        return _label(VALUE_LABELS["callback_channel"], value)
    if key.endswith("callback_types") and isinstance(value, list):
        return "、".join(label("type", v) for v in value) or "—"
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return " ".join(map(str, value)) or "—"
    return _value(value)


def changes(entity: str, before: dict | None, after: dict | None, names: Names) -> list[tuple[str, str, str]]:
    """(field, before, after) of every field that differs, or is there at all on one side."""
    before, after = _flat(before or {}), _flat(after or {})
    rows = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        field = _rule_label(key.removeprefix("rules."), names) if key.startswith("rules.") else audit_label("field", key)
        rows.append((field, _shown(entity, key, old, names) if key in before else "",
                     _shown(entity, key, new, names) if key in after else ""))
    return rows


def present(session: Session, records: Iterable[AuditRecord]) -> list[dict]:
    """The rows of the audit page."""
    names = Names(session)
    return [{"record": r, "which": names.which(r), "changes": changes(r.entity, r.before, r.after, names)}
            for r in records]
