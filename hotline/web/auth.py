"""Signing in and out, changing one's password, and the language switch.

Login attempts are limited per account: after MAX_FAILED wrong passwords in a row the account is
locked for LOCK_MINUTES (users.failed_logins / users.locked_until), whatever password comes next.
"""
from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from workorders.models import User

from .. import db
from ..auth import hash_password, password_matches
from ..i18n import remember_locale
from ..runtime import clock
from .forms import safe_next
from .security import SignedInUser, browser_blueprint, signed_in

bp = browser_blueprint("auth", __name__)

MAX_FAILED = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 8
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
        error = _attempt_login(request.form.get("username", "").strip(), request.form.get("password", ""))
        if error is None:
            return redirect(safe_next(request.args.get("next") or request.form.get("next"), home_url()))
        status = 401
    return render_template("auth/login.html", error=error, next=request.args.get("next", "")), status


def _attempt_login(username: str, password: str) -> str | None:
    """None when signed in; otherwise the message to show. Failures are counted and committed."""
    s = db.session()
    now = clock().now()
    user = s.scalar(select(User).where(func.lower(User.username) == username.lower())) if username else None
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return _("Wrong username or password.")
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        return _("Too many failed attempts: this account is locked for %(minutes)s more minutes.",
                 minutes=minutes)
    if not password_matches(user, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILED:
            user.failed_logins = 0
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            s.commit()
            return _("Too many failed attempts: this account is locked for %(minutes)s minutes.",
                     minutes=LOCK_MINUTES)
        s.commit()
        return _("Wrong username or password.")
    user.failed_logins = 0
    user.locked_until = None
    s.commit()
    session.clear()  # a fresh session: nothing chosen before signing in carries over (fixation)
    session.permanent = True
    login_user(SignedInUser(user))
    return None


@bp.post("/logout")
def logout():
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
        elif len(new) < MIN_PASSWORD:
            error = _("The new password must have at least %(n)s characters.", n=MIN_PASSWORD)
        elif new != repeat:
            error = _("The two new passwords differ.")
        elif new == current:
            error = _("The new password must differ from the current one.")
        else:
            user.password_hash = hash_password(new)
            db.session().commit()
            login_user(SignedInUser(user))  # this session continues; all others end
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
