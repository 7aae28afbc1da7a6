"""The OpenAPI 3.1 document at /api/v1/openapi.json.

Built from the same tables the API runs on (the lifecycle's actions and their fields), so it
cannot drift from them. Other areas add their paths with `document()`.
"""
from __future__ import annotations

from flask import jsonify

from workorders import actions, lifecycle
from workorders.intake import CREATE_FIELDS
from workorders.vocabulary import Channel, Handling, Light, OrderType, Satisfaction, State

from . import bp
from .orders import MAX_OFFSET

EXTRA_PATHS: dict[str, dict] = {}

ERROR = {"$ref": "#/components/schemas/Error"}
FIELD_SCHEMAS = {
    "type": {"type": "string", "enum": list(OrderType)},
    "channel": {"type": "string", "enum": list(Channel)},
    "handling": {"type": "string", "enum": list(Handling)},
    "satisfaction": {"type": "string", "enum": list(Satisfaction)},
    "confidential": {"type": "boolean"}, "public_consent": {"type": "boolean"},
    "urgent": {"type": "boolean"}, "resolved": {"type": "boolean"}, "approve": {"type": "boolean"},
    "working_days": {"type": "integer", "minimum": 1}, "article_id": {"type": "integer"},
    "committed_date": {"type": "string", "format": "date"},
    "co_departments": {"type": "array", "items": {"type": "string"}},
    "decision": {"type": "string", "enum": ["redispatch", "archive"]},
    "version": {"type": "integer", "description": "the order version you acted on; 409 if it changed"},
}


_STATE = "(?:" + "|".join(State) + ")"
# What GET /orders accepts, as hotline/api/orders.py checks it. The department must be a code the
# city has (GET /departments): data, not a rule a document can state, so it is described only.
LIST_PARAMETERS = {
    "state": {"type": "string", "pattern": f"^{_STATE}(?:,{_STATE})*$", "description": "states, comma-separated"},
    "type": FIELD_SCHEMAS["type"],
    "department": {"type": "string", "description": "a department code from GET /departments"},
    "light": {"type": "string", "enum": list(Light)},
    "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
    "offset": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
}


def document(path: str, spec: dict) -> None:
    EXTRA_PATHS[path] = spec


def _errors(*codes: int) -> dict:
    text = {400: "malformed JSON", 401: "no or invalid token", 403: "role or department not allowed",
            404: "unknown order", 409: "not allowed in this state, window closed, or concurrent change",
            422: "invalid input"}
    return {str(c): {"description": text[c], "content": {"application/json": {"schema": ERROR}}} for c in codes}


def _body(fields: set[str]) -> dict:
    props = {f: FIELD_SCHEMAS.get(f, {"type": "string"}) for f in sorted(fields | {"version"})}
    return {"content": {"application/json": {"schema": {"type": "object", "properties": props,
                                                        "additionalProperties": False}}}}


def _order_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}}


# Every operation can answer these whatever it does: the edge refuses text no database can store
# and malformed JSON (400, `hotline.edge`), the token check refuses a missing token (401).
COMMON_REFUSALS = {
    "400": "malformed JSON, or text that cannot be stored (NUL, an unpaired surrogate)",
    "401": "no or invalid token",
}


def _every_operation_may_refuse(paths: dict) -> None:
    for operations in paths.values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, text in COMMON_REFUSALS.items():
                responses.setdefault(code, {"description": text, "content": {"application/json": {"schema": ERROR}}})


def build() -> dict:
    paths: dict[str, dict] = {
        "/orders": {
            "get": {"summary": "List orders visible to the caller", "parameters": [
                {"name": n, "in": "query", "schema": schema} for n, schema in LIST_PARAMETERS.items()],
                "responses": {"200": {"description": "orders, newest first"}, **_errors(401, 422)}},
            "post": {"summary": "Create an order (access_code is shown only in this response)",
                     "requestBody": _body(CREATE_FIELDS),
                     "responses": {"201": _order_response("the new order"), **_errors(400, 401, 403, 422)}},
        },
        "/orders/{number}": {"get": {
            "summary": "One order with its events and the actions the caller may take",
            "parameters": [{"name": "number", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": _order_response("the order"), **_errors(401, 403, 404)}}},
        "/calendar/due": {"get": {
            "summary": "Due time of a limit in working days",
            "parameters": [{"name": "start", "in": "query", "required": True, "schema": {"type": "string", "format": "date-time"}},
                           {"name": "working_days", "in": "query", "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 3650}}],
            "responses": {"200": {"description": '{"due_at": "<ISO +08:00>", "due_day", "provisional"}'}, **_errors(401, 422)}}},
        "/calendar/workday": {"get": {
            "summary": "Whether a date is a working day",
            "parameters": [{"name": "date", "in": "query", "required": True, "schema": {"type": "string", "format": "date"}}],
            "responses": {"200": {"description": '{"date", "workday", "provisional"}'}, **_errors(401, 422)}}},
        "/departments": {"get": {"summary": "Departments (code, name, parent)",
                                 "responses": {"200": {"description": "the department tree, flat"}}}},
        "/categories": {"get": {"summary": "Content categories with routing",
                                "responses": {"200": {"description": "the category tree, flat"}}}},
    }
    for name in lifecycle.ACTIONS:
        fields, _ = actions.HANDLERS[name]
        rule = lifecycle.RULES[name]
        paths[f"/orders/{{number}}/{name}"] = {"post": {
            "summary": f"{name} ({rule.label_zh}): by {', '.join(sorted(rule.roles))}; "
                       f"from {', '.join(sorted(rule.sources))}",
            "parameters": [{"name": "number", "in": "path", "required": True, "schema": {"type": "string"}}],
            "requestBody": _body(fields),
            "responses": {"200": _order_response("the order after the action"), **_errors(400, 401, 403, 404, 409, 422)},
        }}
    paths.update(EXTRA_PATHS)
    _every_operation_may_refuse(paths)
    return {
        "openapi": "3.1.0",
        "info": {"title": "12345 Hotline API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
                "Order": {"type": "object", "properties": {
                    "number": {"type": "string"}, "type": FIELD_SCHEMAS["type"],
                    "state": {"type": "string", "enum": list(State)}, "channel": FIELD_SCHEMAS["channel"],
                    "light": {"type": "string", "enum": list(Light)},
                    "handling": {"type": ["string", "null"]},
                    "due_at": {"type": ["string", "null"], "format": "date-time"},
                    "return_deadline_at": {"type": ["string", "null"], "format": "date-time"},
                    "yellow_at": {"type": ["string", "null"], "format": "date-time"},
                    "severe_at": {"type": ["string", "null"], "format": "date-time"},
                    "provisional": {"type": "boolean"}, "access_code": {"type": "string"},
                    "events": {"type": "array", "items": {"type": "object"}},
                }},
            },
        },
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(build())
