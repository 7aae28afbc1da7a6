"""Sessions, roles and form protection for the browser pages.

Signing in goes through Flask-Login with the session cookie; the JSON API keeps its bearer tokens.
CSRF is checked by every browser blueprint (`browser_blueprint` wires it) rather than app-wide,
because the API and the Twilio webhooks authenticate otherwise and must not demand a form token.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from flask import Blueprint, Flask, abort, current_app, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from workorders import sign_in
from workorders.context import Actor
from workorders.errors import DomainError
from workorders.models import User

from .. import db
from ..runtime import clock
from .cookie_sessions import CookieSessions

SESSION_LIFETIME = timedelta(hours=12)
csrf = CSRFProtect()
login_manager = LoginManager()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


class SignedInUser(UserMixin):
    """The Flask-Login view of a `User` row in one sign-in session (`workorders.sign_in`)."""

    def __init__(self, user: User, token: str):
        self.user = user
        self.token = token

    def get_id(self) -> str:
        # The cookie names the server-side session: ending that row signs this browser out.
        return f"{self.user.id}.{self.token}"

    @property
    def is_active(self) -> bool:
        return self.user.active

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def locale(self) -> str | None:
        return self.user.locale

    @property
    def name(self) -> str:
        return self.user.display_name or self.user.username

    @property
    def actor(self) -> Actor:
        return Actor.of(self.user)


def session_lifetime() -> timedelta:
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    return lifetime if isinstance(lifetime, timedelta) else timedelta(seconds=int(lifetime))


@login_manager.user_loader
def load_user(session_id: str) -> SignedInUser | None:
    user_id, _, token = session_id.partition(".")
    if not (user_id.isascii() and user_id.isdigit()) or len(user_id) > 12 or not token:
        return None
    s = db.session()
    if sign_in.session_user_id(s, token, clock().now()) != int(user_id):
        return None
    user = s.scalar(select(User).where(User.id == int(user_id)))
    if user is None or not user.active:
        return None
    return SignedInUser(user, token)


def protect_forms() -> None:
    """CSRF check for the POSTs of a browser blueprint (raises CSRFError → 400 page)."""
    csrf.protect()


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def browser_blueprint(name: str, import_name: str, url_prefix: str | None = None) -> Blueprint:
    """A blueprint of HTML pages: CSRF on its forms, security headers on its answers.

    The CSRF check is registered first, so a forged POST is refused before anything else runs.
    """
    from .errors import on_domain_error, on_stale

    bp = Blueprint(name, import_name, url_prefix=url_prefix)
    bp.before_request(protect_forms)
    bp.after_request(security_headers)
    bp.register_error_handler(DomainError, on_domain_error)
    bp.register_error_handler(StaleDataError, on_stale)
    BROWSER_BLUEPRINTS.add(name)
    return bp


BROWSER_BLUEPRINTS: set[str] = set()


def roles_required(*roles: str) -> Callable:
    """Only signed-in users of these roles; others are sent to /login or shown the 403 page."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


def signed_in(view: Callable) -> Callable:
    return roles_required()(view)


def init_app(app: Flask) -> None:
    # Forms check CSRF in their own blueprints (see `browser_blueprint`), not app-wide.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    # The agent desk stays open all shift: the token lives as long as the session.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("SESSION_PROTECTION", "strong")
    # Flask's own default is 31 days, so setdefault would never apply: a shift is the limit,
    # unless the deployment (or a test) chose another lifetime explicitly.
    if app.config.get("PERMANENT_SESSION_LIFETIME") in (None, timedelta(days=31)):
        app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_LIFETIME
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config.get("SESSION_COOKIE_SECURE", False))
    app.session_interface = CookieSessions()
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = app.config["SESSION_PROTECTION"]
