"""Administration: users and tokens, departments, categories and routing, policy, calendar, jobs.

Users and API tokens are the administrator's; the reference data (departments, categories,
policy, calendar) is also kept by the hotline office's supervisors (SPEC §1).
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from workorders import sign_in
from workorders.audit import record_audit, snapshot
from workorders.calendar_store import covered_years, import_years, load_calendar
from workorders.deadlines import local_date
from workorders.errors import DomainError, Invalid
from workorders.jobs.coverage import WARN_DAYS, coverage_warning
from workorders.jobs.lease import current as lease_holder
from workorders.models import ApiToken, Category, Department, Policy, User
from workorders.notifications.contacts import set_contact
from workorders.notifications.models import DepartmentContact
from workorders.passwords import check_new_password
from workorders.people import HUMAN_ROLES, create_user
from workorders.people import change_role as people_change_role
from workorders.policy_store import activate, save_rules
from workorders.vocabulary import OrderType

from .. import db
from ..auth import hash_password, issue_token
from ..i18n import JOB_LABELS, label
from ..runtime import clock, timezone
from . import jobs
from .calendar_file import years_map
from .policy_form import category_limits_text, rules_from_form
from .present import category_tree, department_tree
from .refusals import refusal_text
from .security import browser_blueprint, roles_required

bp = browser_blueprint("admin", __name__, url_prefix="/admin")

ADMIN = ("admin",)
OFFICE = ("admin", "supervisor")
DEPARTMENT_KINDS = ("hotline", "bureau", "district", "street", "other")
USER_FIELDS = ("username", "display_name", "role", "department_id", "active")
DEPARTMENT_FIELDS = ("code", "name", "short_name", "kind", "parent_id", "active")
CATEGORY_FIELDS = ("code", "name", "parent_id", "default_department_id")


def audit(session, entity: str, entity_id, action: str, before: dict | None, after: dict | None) -> None:
    """The audit record of an administrative change made on these pages (committed with it)."""
    record_audit(session, current_user.actor, entity, entity_id, action, before, after, at=clock().now())


def coverage(session, years: bool = True) -> dict:
    """How far the official calendar reaches, and whether it is time to import the next year.

    Without `years` it costs no query beyond the cached calendar (the banner on every page).
    """
    calendar = load_calendar(session)
    today = local_date(clock().now(), timezone())
    last = calendar.last
    return {
        "years": covered_years(session) if years else [],
        "first": calendar.first,
        "last": last,
        "days_left": (last - today).days if last else None,
        "warn_days": WARN_DAYS,
        "warning": coverage_warning(calendar, today) is not None,
    }


def _refused(exc: DomainError, endpoint: str):
    db.session().rollback()
    flash(refusal_text(exc), "error")
    return redirect(url_for(endpoint))


@bp.get("")
@roles_required(*OFFICE)
def index():
    return render_template("admin/index.html", coverage=coverage(db.session()))


# --- users and tokens ----------------------------------------------------------------------------

def _users_page(new_token: str | None = None, token_user: str | None = None, status: int = 200):
    session = db.session()
    users = list(session.scalars(select(User).order_by(User.role, User.username)))
    tokens = list(session.scalars(select(ApiToken).where(ApiToken.revoked.is_(False)).order_by(ApiToken.id)))
    return render_template("admin/users.html", users=users, tokens=tokens, roles=HUMAN_ROLES,
                           departments=department_tree(session), new_token=new_token,
                           token_user=token_user, now=clock().now()), status


@bp.get("/users")
@roles_required(*ADMIN)
def users():
    return _users_page()


@bp.post("/users")
@roles_required(*ADMIN)
def create_user_():
    session = db.session()
    form = request.form
    try:
        check_new_password(form.get("password", ""), form.get("username", "").strip())
        user = create_user(session, username=form.get("username", "").strip(),
                           password_hash=hash_password(form["password"]), role=form.get("role", ""),
                           department_code=form.get("department") or None,
                           display_name=form.get("display_name", "").strip()[:120], now=clock().now())
        audit(session, "user", user.username, "create", None, snapshot(user, *USER_FIELDS))
        session.commit()
    except DomainError as exc:
        return _refused(exc, "admin.users")
    flash(_("User %(name)s created.", name=user.username), "success")
    return redirect(url_for("admin.users"))


def _user(session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise Invalid("no user with id %(id)s", id=user_id)
    return user


@bp.post("/users/<int:user_id>/active")
@roles_required(*ADMIN)
def toggle_user(user_id: int):
    session = db.session()
    try:
        user = _user(session, user_id)
        if user.id == current_user.user.id:
            raise Invalid("You cannot deactivate yourself.")
        before = snapshot(user, *USER_FIELDS)
        user.active = not user.active
        if not user.active:
            sign_in.end_all_sessions(session, user.id, clock().now())
        audit(session, "user", user.username, "activate" if user.active else "deactivate", before,
              snapshot(user, *USER_FIELDS))
        session.commit()
    except DomainError as exc:
        return _refused(exc, "admin.users")
    flash(_("User %(name)s is now %(state)s.", name=user.username,
            state=_("active") if user.active else _("inactive")), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/role")
@roles_required(*ADMIN)
def change_role(user_id: int):
    session = db.session()
    try:
        user = _user(session, user_id)
        if user.id == current_user.user.id:
            raise Invalid("You cannot change your own role.")
        before = snapshot(user, *USER_FIELDS)
        people_change_role(session, user, request.form.get("role", ""), request.form.get("department") or None)
        audit(session, "user", user.username, "update", before, snapshot(user, *USER_FIELDS))
        session.commit()
    except DomainError as exc:
        return _refused(exc, "admin.users")
    flash(_("User %(name)s is now %(role)s.", name=user.username, role=label("role", user.role)), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/password")
@roles_required(*ADMIN)
def reset_password(user_id: int):
    session = db.session()
    try:
        user = _user(session, user_id)
        password = request.form.get("password", "")
        check_new_password(password, user.username)
        user.password_hash = hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
        ended = sign_in.end_all_sessions(session, user.id, clock().now())
        audit(session, "user", user.username, "reset_password", None, {"sessions_ended": ended})
        session.commit()
    except DomainError as exc:
        return _refused(exc, "admin.users")
    flash(_("Password of %(name)s reset; their sessions have ended.", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/tokens")
@roles_required(*ADMIN)
def new_token(user_id: int):
    """The token is shown in this response only (never in a redirect or a cookie)."""
    session = db.session()
    try:
        user = _user(session, user_id)
        token_name = request.form.get("name", "").strip()[:80] or "web"
        token = issue_token(session, user, clock().now(), token_name)
        audit(session, "token", user.username, "issue", None, {"user": user.username, "name": token_name})
        session.commit()
    except DomainError as exc:
        return _refused(exc, "admin.users")
    return _users_page(new_token=token, token_user=user.username, status=201)


@bp.post("/tokens/<int:token_id>/revoke")
@roles_required(*ADMIN)
def revoke_token(token_id: int):
    session = db.session()
    token = session.get(ApiToken, token_id)
    if token is not None and not token.revoked:
        token.revoked = True
        audit(session, "token", token.user.username, "revoke", {"user": token.user.username, "name": token.name,
                                                               "revoked": False},
              {"user": token.user.username, "name": token.name, "revoked": True})
        session.commit()
        flash(_("Token revoked."), "success")
    return redirect(url_for("admin.users"))


# --- departments and categories ------------------------------------------------------------------

@bp.get("/departments")
@roles_required(*OFFICE)
def departments():
    session = db.session()
    rows = {d.code: d for d in session.scalars(select(Department))}
    contacts = {c.department_id: c for c in session.scalars(select(DepartmentContact))}
    return render_template("admin/departments.html", tree=department_tree(session), rows=rows, contacts=contacts,
                           inactive=[d for d in rows.values() if not d.active], kinds=DEPARTMENT_KINDS)


def _department(session, code: str | None) -> Department | None:
    if not code:
        return None
    dept = session.scalar(select(Department).where(Department.code == code))
    if dept is None:
        raise Invalid("unknown department '%(code)s'", code=code)
    return dept


def _code(value: str) -> str:
    value = value.strip()
    if not value or len(value) > 40 or not all(c.isalnum() or c in "._-" for c in value):
        raise Invalid("code: 1–40 letters, digits, '.', '_' or '-'")
    return value


def _name(value: str) -> str:
    value = value.strip()
    if not value or len(value) > 120:
        raise Invalid("A name of 1 to 120 characters is required.")
    return value


def _short_name(session, value: str, dept: Department | None = None) -> str | None:
    """Optional; agents dispatch by it, so no two departments share one."""
    value = value.strip()
    if not value:
        return None
    if len(value) > 40:
        raise Invalid("A short name has at most 40 characters.")
    holder = session.scalar(select(Department).where(Department.short_name == value))
    if holder is not None and holder is not dept:
        raise Invalid("the short name '%(name)s' is taken by %(department)s", name=value, department=holder.name)
    return value


@bp.post("/departments")
@roles_required(*OFFICE)
def create_department():
    session = db.session()
    form = request.form
    try:
        code = _code(form.get("code", ""))
        if session.scalar(select(Department).where(Department.code == code)):
            raise Invalid("department '%(code)s' exists already", code=code)
        kind = form.get("kind", "bureau")
        if kind not in DEPARTMENT_KINDS:
            raise Invalid("kind must be one of: %(kinds)s", kinds=list(DEPARTMENT_KINDS))
        parent = _department(session, form.get("parent"))
        dept = Department(code=code, name=_name(form.get("name", "")),
                          short_name=_short_name(session, form.get("short_name", "")), kind=kind,
                          parent_id=parent.id if parent else None, active=True)
        session.add(dept)
        session.flush()
        audit(session, "department", code, "create", None, snapshot(dept, *DEPARTMENT_FIELDS))
        session.commit()
    except DomainError as exc:
        return _refused(exc, "admin.departments")
    flash(_("Department %(code)s added.", code=code), "success")
    return redirect(url_for("admin.departments"))


@bp.post("/departments/<code>/short-name")
@roles_required(*OFFICE)
def rename_department_short(code: str):
    session = db.session()
    try:
        dept = _department(session, code)
        before = snapshot(dept, *DEPARTMENT_FIELDS)
        dept.short_name = _short_name(session, request.form.get("short_name", ""), dept)
        audit(session, "department", code, "update", before, snapshot(dept, *DEPARTMENT_FIELDS))
        session.commit()
    except DomainError as exc:
        return _refused(exc, "admin.departments")
    flash(_("Short name of %(name)s saved.", name=dept.name), "success")
    return redirect(url_for("admin.departments"))


@bp.post("/departments/<code>/active")
@roles_required(*OFFICE)
def toggle_department(code: str):
    session = db.session()
    try:
        dept = _department(session, code)
        before = snapshot(dept, *DEPARTMENT_FIELDS)
        dept.active = not dept.active
        audit(session, "department", code, "activate" if dept.active else "deactivate", before,
              snapshot(dept, *DEPARTMENT_FIELDS))
        session.commit()
    except DomainError as exc:
        return _refused(exc, "admin.departments")
    return redirect(url_for("admin.departments"))


@bp.post("/departments/<code>/contact")
@roles_required(*OFFICE)
def department_contact(code: str):
    """The duty phone and e-mail a department's notices go to, and which channels are on."""
    session = db.session()
    form = request.form
    try:
        dept = _department(session, code)
        set_contact(session, dept, current_user.actor, clock().now(), phone=form.get("duty_phone", ""),
                    email=form.get("email", ""), sms=form.get("sms_enabled") == "1",
                    mail=form.get("email_enabled") == "1")
        session.commit()
    except DomainError as exc:
        return _refused(exc, "admin.departments")
    flash(_("Contact of %(name)s saved.", name=dept.name), "success")
    return redirect(url_for("admin.departments"))


@bp.get("/categories")
@roles_required(*OFFICE)
def categories():
    session = db.session()
    return render_template("admin/categories.html", tree=category_tree(session),
                           departments=department_tree(session))


@bp.post("/categories")
@roles_required(*OFFICE)
def create_category():
    session = db.session()
    form = request.form
    try:
        code = _code(form.get("code", ""))
        if session.scalar(select(Category).where(Category.code == code)):
            raise Invalid("category '%(code)s' exists already", code=code)
        parent = None
        if form.get("parent"):
            parent = session.scalar(select(Category).where(Category.code == form["parent"]))
            if parent is None:
                raise Invalid("unknown category '%(code)s'", code=form["parent"])
        dept = _department(session, form.get("department"))
        category = Category(code=code, name=_name(form.get("name", "")), parent_id=parent.id if parent else None,
                            default_department_id=dept.id if dept else None)
        session.add(category)
        session.flush()
        audit(session, "category", code, "create", None, snapshot(category, *CATEGORY_FIELDS))
        session.commit()
    except DomainError as exc:
        return _refused(exc, "admin.categories")
    flash(_("Category %(code)s added.", code=code), "success")
    return redirect(url_for("admin.categories"))


@bp.post("/categories/<code>/routing")
@roles_required(*OFFICE)
def route_category(code: str):
    session = db.session()
    try:
        category = session.scalar(select(Category).where(Category.code == code))
        if category is None:
            raise Invalid("unknown category '%(code)s'", code=code)
        dept = _department(session, request.form.get("department"))
        before = snapshot(category, *CATEGORY_FIELDS)
        category.default_department_id = dept.id if dept else None
        audit(session, "routing", code, "update", before, snapshot(category, *CATEGORY_FIELDS))
        session.commit()
    except DomainError as exc:
        return _refused(exc, "admin.categories")
    flash(_("Routing of %(code)s saved.", code=code), "success")
    return redirect(url_for("admin.categories"))


# --- policy -------------------------------------------------------------------------------------

@bp.get("/policy")
@roles_required(*OFFICE)
def policy():
    session = db.session()
    policies = list(session.scalars(select(Policy).order_by(Policy.name)))
    chosen = request.args.get("name") or next((p.name for p in policies if p.active), None)
    current = next((p for p in policies if p.name == chosen), policies[0] if policies else None)
    return render_template("admin/policy.html", policies=policies, current=current, types=list(OrderType),
                           category_limits=category_limits_text(current.rules if current else {}))


@bp.post("/policy/active")
@roles_required(*OFFICE)
def activate_policy():
    session = db.session()
    try:
        previous = session.scalar(select(Policy.name).where(Policy.active.is_(True)))
        chosen = activate(session, request.form.get("name", ""))
        audit(session, "policy", chosen.name, "activate", {"active": previous}, {"active": chosen.name})
        session.commit()
    except DomainError as exc:
        return _refused(exc, "admin.policy")
    flash(_("Policy %(name)s is now in force for new dispatches.", name=chosen.title), "success")
    return redirect(url_for("admin.policy"))


@bp.post("/policy/<name>")
@roles_required(*OFFICE)
def edit_policy(name: str):
    session = db.session()
    try:
        before = session.scalar(select(Policy.rules).where(Policy.name == name))
        saved = save_rules(session, name, rules_from_form(request.form))
        audit(session, "policy", name, "update", {"rules": before}, {"rules": saved.rules})
        session.commit()
    except DomainError as exc:
        db.session().rollback()
        flash(refusal_text(exc), "error")
        return redirect(url_for("admin.policy", name=name))
    flash(_("Policy %(name)s saved; orders already dispatched keep their deadlines.", name=name), "success")
    return redirect(url_for("admin.policy", name=name))


# --- calendar and jobs --------------------------------------------------------------------------

@bp.get("/calendar")
@roles_required(*OFFICE)
def calendar():
    return render_template("admin/calendar.html", coverage=coverage(db.session()))


@bp.post("/calendar")
@roles_required(*OFFICE)
def import_calendar():
    from ..cli import after_import

    session = db.session()
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise Invalid("Choose a JSON or CSV calendar file.")
        years = import_years(session, years_map(upload.filename, upload.read(1024 * 1024)), clock().now(),
                             source=f"web:{upload.filename}"[:40])
        audit(session, "calendar", ",".join(map(str, years)), "import", None,
              {"years": years, "file": upload.filename[:120]})
        after_import(session)
        session.commit()
    except DomainError as exc:
        return _refused(exc, "admin.calendar")
    flash(_("Imported %(years)s.", years=", ".join(map(str, years))), "success")
    return redirect(url_for("admin.calendar"))


@bp.get("/jobs")
@roles_required(*OFFICE)
def job_runs():
    session = db.session()
    specs = current_app.extensions.get("hotline.jobs", {})
    job = request.args.get("job", "")
    failed = request.args.get("failed") == "1"
    runs = jobs.recent_runs(session, job=job if job in specs else None, failed_only=failed)
    return render_template("admin/jobs.html", runs=runs, specs=specs, job=job, failed=failed, job_names=JOB_LABELS,
                           lease=lease_holder(session))
