"""The server-rendered web app the hotline's people work in: desk, order page, inbox, boards, admin.

`init_app` wires sessions (Flask-Login), CSRF (Flask-WTF), languages (Flask-Babel), the pages'
helpers and error pages, then the blueprints. The citizen portal builds on the same layout
(`templates/base.html`) and helpers (`hotline.i18n`, `hotline.web.security.browser_blueprint`).
"""
from __future__ import annotations

from flask import Flask, redirect
from flask_login import current_user

from .. import db, i18n
from ..runtime import clock
from . import errors, present, security


def _page_context() -> dict:
    """Warnings every page of the hotline office shows (SPEC §4: 60 days before coverage ends)."""
    from .admin import coverage

    warning = None
    if current_user.is_authenticated and current_user.role in ("admin", "supervisor"):
        found = coverage(db.session(), years=False)
        warning = found if found["warning"] else None
    return {"calendar_warning": warning, "clock_now": present.localtime(clock().now())}


def init_app(app: Flask) -> None:
    from . import admin, auth, desk, inbox, kb_pages, orders, supervisor

    security.init_app(app)
    i18n.init_app(app)
    present.init_app(app)
    errors.init_app(app)
    for module in (auth, desk, orders, inbox, supervisor, admin, kb_pages):
        app.register_blueprint(module.bp)
    app.context_processor(_page_context)

    @app.get("/")
    def index():
        return redirect(auth.home_url())
