"""Users and departments as the administrator manages them."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import Conflict, Invalid, NotFound
from .models import Department, User
from .vocabulary import Role

USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,80}$")
HUMAN_ROLES = [r.value for r in Role if r != Role.system]


def find_department(session: Session, code: str) -> Department:
    dept = session.scalar(select(Department).where(Department.code == code))
    if dept is None:
        raise NotFound("no department with code '%(code)s'", code=code)
    return dept


def create_user(
    session: Session, *, username: str, password_hash: str, role: str, now: datetime,
    department_code: str | None = None, display_name: str = "",
) -> User:
    if not USERNAME.match(username or ""):
        raise Invalid("username: 2–80 letters, digits, '_', '.', '-'")
    if role not in HUMAN_ROLES:
        raise Invalid("role must be one of: %(roles)s", roles=HUMAN_ROLES)
    if role == Role.department and not department_code:
        raise Invalid("a department user needs --department CODE")
    if role != Role.department and department_code:
        raise Invalid("only department users belong to a department")
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict("user '%(username)s' exists already", username=username)
    dept = find_department(session, department_code) if department_code else None
    user = User(
        username=username, display_name=display_name or username, password_hash=password_hash,
        role=role, department_id=dept.id if dept else None, created_at=now, active=True,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("no user '%(username)s'", username=username)
    return user


def change_role(session: Session, user: User, role: str, department_code: str | None) -> User:
    """Give a user another role (and, for department users, their department)."""
    if role not in HUMAN_ROLES:
        raise Invalid("role must be one of: %(roles)s", roles=HUMAN_ROLES)
    if role == Role.department and not department_code:
        raise Invalid("a department user needs --department CODE")
    if role != Role.department and department_code:
        raise Invalid("only department users belong to a department")
    dept = find_department(session, department_code) if department_code else None
    user.role = role
    user.department_id = dept.id if dept else None
    session.flush()
    return user
