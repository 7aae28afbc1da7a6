"""GET /api/v1/audit and /api/v1/audit/views (JSON, bearer token; admins and supervisors)."""
from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from werkzeug.exceptions import HTTPException

from workorders import audit
from workorders.errors import DomainError, Forbidden, Invalid

from .. import db
from ..api import ApiError, authenticate, on_api_error, on_domain_error, on_http_error
from ..api.openapi import document
from ..api.serialize import iso
from ..runtime import timezone

bp = Blueprint("api_audit", __name__, url_prefix="/api/v1")
bp.before_request(authenticate)
bp.register_error_handler(ApiError, on_api_error)
bp.register_error_handler(DomainError, on_domain_error)
bp.register_error_handler(HTTPException, on_http_error)


def _reader() -> None:
    if g.actor.role not in audit.READERS:
        raise Forbidden("only administrators and supervisors read the audit trail")


def _whole(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise Invalid(f"'{name}' must be a whole number from {low} to {high}")
    return int(raw)


def _only(*names: str) -> None:
    unknown = sorted(set(request.args) - set(names))
    if unknown:
        raise Invalid(f"unknown parameter(s): {', '.join(unknown)}")


@bp.get("/audit")
def audit_records():
    _reader()
    _only("entity", "limit", "offset")
    limit, offset = _whole("limit", 100, 1, audit.MAX_PAGE), _whole("offset", 0, 0, 1_000_000_000)
    tz = timezone()
    rows = audit.recent_records(db.session(), entity=request.args.get("entity") or None, limit=limit, offset=offset)
    return jsonify({"records": [{
        "id": r.id, "at": iso(r.at, tz), "actor": r.actor_name, "actor_role": r.actor_role,
        "entity": r.entity, "entity_id": r.entity_id, "action": r.action, "before": r.before, "after": r.after,
    } for r in rows], "limit": limit, "offset": offset})


@bp.get("/audit/views")
def personal_data_views():
    _reader()
    _only("user", "order", "limit", "offset")
    limit, offset = _whole("limit", 100, 1, audit.MAX_PAGE), _whole("offset", 0, 0, 1_000_000_000)
    tz = timezone()
    rows = audit.recent_views(db.session(), limit=limit, offset=offset, username=request.args.get("user") or None,
                              order_number=request.args.get("order") or None)
    return jsonify({"views": [{
        "at": iso(v.at, tz), "user": v.username, "department": v.department, "order": v.order_number,
        "caller_phone": v.caller_phone, "caller_name": v.caller_name, "via": v.via,
    } for v in rows], "limit": limit, "offset": offset})


_PAGE = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": audit.MAX_PAGE}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 1_000_000_000}},
]
_ERRORS = {
    "401": {"description": "no or invalid token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "403": {"description": "not an administrator or supervisor", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "422": {"description": "unknown parameter, bad limit or offset", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
}
_RECORD = {"type": "object", "properties": {
    "id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"}, "actor": {"type": "string"},
    "actor_role": {"type": "string"}, "entity": {"type": "string"}, "entity_id": {"type": "string"},
    "action": {"type": "string"}, "before": {"type": ["object", "null"]}, "after": {"type": ["object", "null"]},
}}
_VIEW = {"type": "object", "properties": {
    "at": {"type": "string", "format": "date-time"}, "user": {"type": "string"},
    "department": {"type": ["string", "null"]}, "order": {"type": "string"},
    "caller_phone": {"type": ["string", "null"]}, "caller_name": {"type": ["string", "null"]}, "via": {"type": "string"},
}}

document("/audit", {"get": {
    "summary": "Administrative changes, newest first: who, when, before, after (admins and supervisors)",
    "parameters": [{"name": "entity", "in": "query", "schema": {"type": "string"},
                    "description": "user, token, department, category, routing, policy, calendar, mailbox, synonym …"},
                   *_PAGE],
    "responses": {"200": {"description": "audit records", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"records": {"type": "array", "items": _RECORD},
                                         "limit": {"type": "integer"}, "offset": {"type": "integer"}}}}}},
                  **_ERRORS},
}})
document("/audit/views", {"get": {
    "summary": "Views of callers' personal data by department users, newest first (admins and supervisors)",
    "parameters": [{"name": "user", "in": "query", "schema": {"type": "string"}},
                   {"name": "order", "in": "query", "schema": {"type": "string"}}, *_PAGE],
    "responses": {"200": {"description": "the view log", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"views": {"type": "array", "items": _VIEW},
                                         "limit": {"type": "integer"}, "offset": {"type": "integer"}}}}}},
                  **_ERRORS},
}})
