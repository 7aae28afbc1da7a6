"""Staff sign-in sessions (SPEC §9), free of Flask.

A browser session is a row here: the cookie carries a random token whose digest is the row's
id, so signing out or changing the password ends it on the server, and a copied cookie stops
working. Sessions last `lifetime` from sign-in, whatever the cookie says. Wrong passwords are
limited per client by `workorders.throttle`.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, bindparam, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .models.base import Base, UTCDateTime


class LoginSession(Base):
    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie's token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


# --- sessions -----------------------------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user_id: int, now: datetime, lifetime: timedelta) -> str:
    """A new session for the user; returns the token the cookie carries (only its digest is kept)."""
    token = secrets.token_urlsafe(24)
    session.add(LoginSession(id=_digest(token), user_id=user_id, created_at=now, expires_at=now + lifetime))
    session.flush()
    return token


def session_user_id(session: Session, token: str, now: datetime) -> int | None:
    """The user of a live session, or None when it ended, expired or never existed."""
    row = session.get(LoginSession, _digest(token))
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return None
    return row.user_id


def end_session(session: Session, token: str, now: datetime) -> None:
    row = session.get(LoginSession, _digest(token))
    if row is not None and row.ended_at is None:
        row.ended_at = now


def end_all_sessions(session: Session, user_id: int, now: datetime) -> int:
    """End every live session of the user (password change or reset); returns how many."""
    result = session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
        .values(ended_at=bindparam("now", now, type_=UTCDateTime()))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
