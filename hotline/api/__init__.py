"""JSON API under /api/v1 (SPEC §8, §11): bearer tokens, `{"error": ...}` on every refusal."""
from __future__ import annotations

from flask import Blueprint, Flask, g, jsonify, request
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from workorders.context import Actor
from workorders.errors import DomainError

from .. import db
from ..auth import user_for_token

bp = Blueprint("api", __name__, url_prefix="/api/v1")

PUBLIC_ENDPOINTS = {"api.openapi"}


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def error(status: int, message: str):
    return jsonify({"error": message}), status


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return error(401, "missing bearer token: send 'Authorization: Bearer <token>'")
    user = user_for_token(db.session(), token.strip())
    if user is None:
        return error(401, "invalid or revoked token")
    g.api_user = user
    g.actor = Actor.of(user)
    return None


def json_body() -> dict:
    """The request's JSON object; 400 when the body is not JSON at all."""
    if not request.data:
        return {}
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "the request body is not valid JSON")
    return data


@bp.errorhandler(ApiError)
def on_api_error(exc: ApiError):
    return error(exc.status, exc.message)


@bp.errorhandler(DomainError)
def on_domain_error(exc: DomainError):
    return error(exc.status, exc.message)


@bp.errorhandler(StaleDataError)
def on_stale(exc):
    return error(409, "the order was changed by someone else at the same time; reload and try again")


@bp.errorhandler(HTTPException)
def on_http_error(exc: HTTPException):
    return error(exc.code or 500, exc.description or exc.name)


def init_app(app: Flask) -> None:
    from . import assessment, calendar, kb, openapi, orders, quality, reference, stats  # noqa: F401  (routes register on bp)

    app.register_blueprint(bp)


def feature_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint of more /api/v1 routes for a feature package, with the API's token check and
    `{"error": ...}` refusals (routes cannot be added to `bp` once the app has registered it)."""
    extra = Blueprint(name, import_name, url_prefix="/api/v1")
    extra.before_request(authenticate)
    for exc_class, handler in ((ApiError, on_api_error), (DomainError, on_domain_error),
                               (StaleDataError, on_stale), (HTTPException, on_http_error)):
        extra.register_error_handler(exc_class, handler)
    return extra
