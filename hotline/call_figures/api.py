"""`GET /api/v1/callcenter/live`: callers waiting, the longest wait, agents by presence state."""
from __future__ import annotations

from flask import Blueprint, g, jsonify
from werkzeug.exceptions import HTTPException

from workorders.callcenter.daily import live_board
from workorders.errors import DomainError, Forbidden

from .. import db
from ..api import ApiError, authenticate, on_api_error, on_domain_error, on_http_error
from ..api.openapi import document
from ..runtime import clock

# Under /api/v1 with the API's bearer tokens and {"error": ...} refusals.
api = Blueprint("callcenter_api", __name__, url_prefix="/api/v1")
api.before_request(authenticate)
api.register_error_handler(ApiError, on_api_error)
api.register_error_handler(DomainError, on_domain_error)
api.register_error_handler(HTTPException, on_http_error)

LIVE_ROLES = ("agent", "supervisor", "leader", "admin")


@api.get("/callcenter/live")
def callcenter_live():
    if g.actor.role not in LIVE_ROLES:
        raise Forbidden("role '%(role)s' may not see the call centre's board", role=g.actor.role)
    return jsonify(live_board(db.session(), clock().now()))


document("/callcenter/live", {"get": {
    "summary": "The call centre now: callers waiting, the longest wait, agents by presence state",
    "responses": {
        "200": {"description": "the live board", "content": {"application/json": {"schema": {
            "type": "object", "required": ["waiting", "longest_wait_seconds", "agents"],
            "properties": {
                "waiting": {"type": "integer", "minimum": 0},
                "longest_wait_seconds": {"type": "integer", "minimum": 0},
                "agents": {"type": "object", "additionalProperties": {"type": "integer"},
                           "description": "presence state (ready, on_call, wrap_up, break, offline) → agents"},
            }}}}},
        "401": {"description": "no or invalid token"},
        "403": {"description": "departments may not see it"},
    },
}})
