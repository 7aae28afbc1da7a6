"""Staff sign-in sessions and sign-in throttling (SPEC §9), free of Flask.

A browser session is a row here: the cookie carries its random id, so signing out or changing
the password ends it on the server, and a copied cookie stops working. Sessions last
`lifetime` from sign-in, whatever the cookie says.

Wrong passwords are limited per client (an IP address), not per account, so that nobody can
lock a colleague out by typing their username: the first FREE_FAILURES failures of a client in
a day cost nothing, each further one blocks that client for a delay that doubles (30 s, 1 min,
2 min … at most an hour). Unknown and known usernames are counted and answered alike. The
count is one UPDATE … SET failures = failures + 1 … RETURNING on the client's row, which also
holds the row lock until the attempt is decided, so concurrent guesses are all counted.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Integer, String, bindparam, case, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .models.base import Base, UTCDateTime

FREE_FAILURES = 5
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
WINDOW = timedelta(hours=24)


class LoginSession(Base):
    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie's token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class LoginThrottle(Base):
    """Failed sign-ins of one client in the current window, and until when it must wait."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime]
    blocked_until: Mapped[datetime | None]


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


# --- throttling ---------------------------------------------------------------------------------

def client_key(address: str) -> str:
    return "login:" + hashlib.sha256((address or "").encode()).hexdigest()[:40]


def blocked_for(session: Session, key: str, now: datetime) -> timedelta | None:
    """How long the client must still wait, or None. Locks the client's row until commit."""
    for _ in range(3):
        # Touching the row (a no-op update) takes its lock, so concurrent attempts of one
        # client are decided one after the other.
        blocked_until = session.execute(
            update(LoginThrottle).where(LoginThrottle.key == key)
            .values(failures=LoginThrottle.failures)
            .returning(LoginThrottle.blocked_until)
            .execution_options(synchronize_session=False)
        ).first()
        if blocked_until is not None:
            until = blocked_until[0]
            return until - now if until is not None and until > now else None
        try:
            with session.begin_nested():
                session.add(LoginThrottle(key=key, failures=0, window_started_at=now))
            return None
        except IntegrityError:
            continue  # another attempt created the row first
    raise RuntimeError("could not read the sign-in throttle")


def delay_after(failures: int) -> timedelta | None:
    """The wait imposed after the `failures`-th failure of the window."""
    if failures <= FREE_FAILURES:
        return None
    return min(FIRST_DELAY * 2 ** min(failures - FREE_FAILURES - 1, 20), MAX_DELAY)


def record_failure(session: Session, key: str, now: datetime) -> timedelta | None:
    """Count one failure (atomically); returns the wait it imposes, if any."""
    stamp = bindparam("now", now, type_=UTCDateTime())
    expired = LoginThrottle.window_started_at <= bindparam("cutoff", now - WINDOW, type_=UTCDateTime())
    failures = session.scalar(
        update(LoginThrottle).where(LoginThrottle.key == key)
        .values(failures=case((expired, 1), else_=LoginThrottle.failures + 1),
                window_started_at=case((expired, stamp), else_=LoginThrottle.window_started_at))
        .returning(LoginThrottle.failures)
        .execution_options(synchronize_session=False)
    )
    if failures is None:  # the row was purged meanwhile
        session.add(LoginThrottle(key=key, failures=1, window_started_at=now))
        session.flush()
        failures = 1
    delay = delay_after(failures)
    if delay is not None:
        session.execute(
            update(LoginThrottle).where(LoginThrottle.key == key)
            .values(blocked_until=bindparam("until", now + delay, type_=UTCDateTime()))
            .execution_options(synchronize_session=False)
        )
    return delay


def failures_of(session: Session, key: str) -> int:
    return session.scalar(select(LoginThrottle.failures).where(LoginThrottle.key == key)) or 0
