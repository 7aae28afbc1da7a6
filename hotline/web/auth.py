"""Signing in and out, changing one's password, and the language switch.

Wrong passwords are limited per client address, with growing delays (`workorders.throttle`), so
that nobody can lock a colleague out by typing their username; unknown and known usernames get
the same answer. A signed-in session is a server-side row: signing out or changing the password
ends it, and it ends by itself PERMANENT_SESSION_LIFETIME after signing in.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash

from workorders import sign_in, throttle
from workorders.errors import DomainError
from workorders.models import User
from workorders.passwords import check_new_password

from .. import db
from ..auth import hash_password, password_matches
from ..i18n import remember_locale
from ..runtime import clock
from .forms import safe_next
from .refusals import refusal_text
from .security import SignedInUser, browser_blueprint, session_lifetime, signed_in

bp = browser_blueprint("auth", __name__)
# Checked when the username is unknown, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = hash_password("not-a-real-password")


HOMES = {
    "agent": ("desk.index", {}),
    "supervisor": ("supervisor.index", {}),
    "leader": ("supervisor.queue", {"name": "instruction"}),
    "department": ("inbox.index", {}),
    "admin": ("admin.index", {}),
}


def home_url() -> str:
    """Where each role starts its day."""
    if not current_user.is_authenticated:
        return url_for("auth.login")
    endpoint, args = HOMES.get(current_user.role, ("orders.search", {}))
    return url_for(endpoint, **args)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(home_url())
    error = None
    status = 200
    if request.method == "POST":
        error, status = _attempt_login(request.form.get("username", "").strip(), request.form.get("password", ""))
        if error is None:
            return redirect(safe_next(request.args.get("next") or request.form.get("next"), home_url()))
    return render_template("auth/login.html", error=error, next=request.args.get("next", "")), status


def _wait_text(wait) -> str:
    seconds = max(1, int(wait.total_seconds() + 0.999))
    if seconds < 120:
        return _("Too many failed sign-ins from your address: try again in %(n)s seconds.", n=seconds)
    return _("Too many failed sign-ins from your address: try again in %(n)s minutes.", n=(seconds + 59) // 60)


def _attempt_login(username: str, password: str) -> tuple[str | None, int]:
    """(None, 302) when signed in; otherwise the message to show and the status. Committed either way."""
    s = db.session()
    now = clock().now()
    key = throttle.client_key("login", request.remote_addr or "")
    wait = throttle.blocked_for(s, key, now)  # locks this client's row until the commit below
    if wait is not None:
        s.commit()
        return _wait_text(wait), 429
    user = s.scalar(select(User).where(func.lower(User.username) == username.lower())) if username else None
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)  # as long as a real check
        ok = False
    else:
        ok = password_matches(user, password)
    if not ok:
        throttle.record_failure(s, key, now)
        if user is not None:  # what the administrator sees; it locks nothing
            s.execute(update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
                      .execution_options(synchronize_session=False))
        s.commit()
        return _("Wrong username or password."), 401
    user.failed_logins = 0
    token = sign_in.start_session(s, user.id, now, session_lifetime())
    s.commit()
    session.clear()  # a fresh session: nothing chosen before signing in carries over (fixation)
    session.permanent = True
    login_user(SignedInUser(user, token))
    return None, 302


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        sign_in.end_session(db.session(), current_user.token, clock().now())
        db.session().commit()
    if current_user.is_authenticated and current_user.role in ("agent", "supervisor"):
        from ..callcentre.phone import set_offline

        set_offline(current_user.user.id)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def password():
    error = None
    if request.method == "POST":
        user = current_user.user
        current, new, repeat = (request.form.get(k, "") for k in ("current", "new", "repeat"))
        if not password_matches(user, current):
            error = _("The current password is wrong.")
        elif new != repeat:
            error = _("The two new passwords differ.")
        elif new == current:
            error = _("The new password must differ from the current one.")
        else:
            try:
                check_new_password(new, user.username)
            except DomainError as exc:
                error = refusal_text(exc)
        if error is None:
            s = db.session()
            now = clock().now()
            user.password_hash = hash_password(new)
            sign_in.end_all_sessions(s, user.id, now)  # every other browser is signed out
            token = sign_in.start_session(s, user.id, now, session_lifetime())
            s.commit()
            login_user(SignedInUser(user, token))  # this browser continues on a new session
            flash(_("Your password was changed."), "success")
            return redirect(home_url())
    return render_template("auth/password.html", error=error), 422 if error else 200


@bp.post("/locale")
def switch_locale():
    locale = request.form.get("locale", "")
    if remember_locale(locale) and current_user.is_authenticated:
        current_user.user.locale = locale
        db.session().commit()
    return redirect(safe_next(request.form.get("next"), home_url()))
