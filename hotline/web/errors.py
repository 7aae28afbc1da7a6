"""Error pages for people (the machine interfaces keep their own JSON/TwiML/XML errors)."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from workorders.errors import DomainError

from .. import db

# URL prefixes of machine interfaces: they answer errors their own way.
MACHINE_PREFIXES = ("/api/", "/ivr/", "/open311/")
PAGES = {400: "errors/400.html", 403: "errors/403.html", 404: "errors/404.html"}


def error_page(status: int, message: DomainError | str | None = None, kind: str = "http"):
    return render_template(PAGES.get(status, "errors/other.html"), status=status, message=message, kind=kind), status


def on_domain_error(exc: DomainError):
    """A refusal by the domain outside a form's own handling: the status and the refusal, translated."""
    db.session().rollback()
    return error_page(exc.status, exc, kind="refused")


def on_stale(exc: StaleDataError):
    db.session().rollback()
    return error_page(409, None, kind="stale")


def _is_page_request() -> bool:
    return not request.path.startswith(MACHINE_PREFIXES)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def on_csrf(exc: CSRFError):
        if not _is_page_request():
            return exc
        return error_page(400, exc.description, kind="csrf")

    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(405)
    def on_http(exc: HTTPException):
        if request.path.startswith("/api/"):  # unknown routes under the API answer JSON too
            return jsonify({"error": exc.description or exc.name}), exc.code or 500
        if not _is_page_request():
            return exc
        return error_page(exc.code or 500)
