"""Passwords and API bearer tokens."""
from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from workorders.models import ApiToken, User


def hash_password(password: str) -> str:
    # werkzeug's default (scrypt) unless HOTLINE_PASSWORD_HASH names another method, e.g. a
    # cheaper pbkdf2 for a test suite that creates hundreds of users; read per call so that
    # an operator's setting applies to the next password set.
    method = os.environ.get("HOTLINE_PASSWORD_HASH") or "scrypt"
    return generate_password_hash(password, method=method)


def password_matches(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, now: datetime, name: str = "") -> str:
    """A new token for the user; only its digest is kept, so this is the one time it is seen."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), name=name, created_at=now))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked.is_(False))
    )
    if row is None or not row.user.active:
        return None
    return row.user
