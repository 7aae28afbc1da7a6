"""GET /api/v1/suggest/quality: acceptance, accuracy per category, the model in service."""
from __future__ import annotations

from flask import Blueprint, g, jsonify
from werkzeug.exceptions import HTTPException

from workorders.errors import DomainError, Forbidden
from workorders.suggest.quality import newest_model_info, quality
from workorders.vocabulary import Role

from .. import db
from ..api import ApiError, authenticate, on_api_error, on_domain_error, on_http_error
from ..api.openapi import document
from ..api.serialize import iso
from ..runtime import clock, timezone

# Its own blueprint under the API's prefix, with the API's token check and error bodies.
bp = Blueprint("api_suggest", __name__, url_prefix="/api/v1")
bp.before_request(authenticate)
bp.register_error_handler(ApiError, on_api_error)
bp.register_error_handler(DomainError, on_domain_error)
bp.register_error_handler(HTTPException, on_http_error)


@bp.get("/suggest/quality")
def suggest_quality():
    if g.actor.role not in (Role.supervisor, Role.admin):
        raise Forbidden("only supervisors and administrators see the suggestions' quality")
    session = db.session()
    tz = timezone()
    figures = quality(session, clock().now())
    model = newest_model_info(session)
    return jsonify({
        "since": iso(figures.since, tz),
        "suggested": figures.suggested,
        "category_acceptance": figures.category_acceptance,
        "department_acceptance": figures.department_acceptance,
        "categories": [{"category": c.code, "name": c.name, "orders": c.orders, "correct": c.correct,
                        "accuracy": c.accuracy} for c in figures.categories],
        "model": {"version": model.version, "trained_at": iso(model.trained_at, tz), "examples": model.examples,
                  "train_seconds": model.train_seconds} if model else None,
    })


document("/suggest/quality", {"get": {
    "summary": "The learned suggestions' quality over the last 30 days, and the model in service "
               "(supervisors and admins)",
    "responses": {
        "200": {"description": "acceptance, accuracy per category (final category), model version", "content": {
            "application/json": {"schema": {"type": "object", "properties": {
                "since": {"type": "string", "format": "date-time"},
                "suggested": {"type": "integer", "description": "orders created with a suggestion"},
                "category_acceptance": {"type": ["number", "null"]},
                "department_acceptance": {"type": ["number", "null"]},
                "categories": {"type": "array", "items": {"type": "object", "properties": {
                    "category": {"type": "string"}, "name": {"type": "string"}, "orders": {"type": "integer"},
                    "correct": {"type": "integer"}, "accuracy": {"type": ["number", "null"]}}}},
                "model": {"type": ["object", "null"], "properties": {
                    "version": {"type": "integer"}, "trained_at": {"type": "string", "format": "date-time"},
                    "examples": {"type": "integer"}, "train_seconds": {"type": "number"}}},
            }}}}},
        "401": {"description": "no or invalid token"},
        "403": {"description": "not a supervisor or administrator"},
    },
}})
