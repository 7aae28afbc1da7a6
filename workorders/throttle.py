"""Growing delays for a client that keeps guessing: staff passwords, citizens' access codes.

Failures are counted per client — an IP address on the web, the calling number on the phone —
never per account or per order, so that nobody can lock a colleague out of their account, or a
citizen out of their own order, by guessing wrong on purpose (SPEC §9). The first
FREE_FAILURES failures of a client in a day cost nothing; each further one blocks that client
for a delay that doubles (30 s, 1 min, 2 min … at most an hour).

`blocked_for` touches the client's row (a no-op UPDATE), which locks it until the request
commits (SQLite: BEGIN IMMEDIATE locks the file), so concurrent attempts of one client are
decided one after the other; `record_failure` counts with one UPDATE … SET failures =
failures + 1 … RETURNING. So 32 guesses at once are all counted, and the 7th already waits.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, bindparam, case, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .models.base import Base, UTCDateTime

FREE_FAILURES = 5
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
WINDOW = timedelta(hours=24)


class ClientThrottle(Base):
    """Failures of one client (of one kind) in the current window, and until when it must wait."""

    __tablename__ = "client_throttles"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime]
    blocked_until: Mapped[datetime | None]


def client_key(kind: str, client: str) -> str:
    """`kind:digest` ("login", "query"): the address or phone number is not kept in clear."""
    return f"{kind}:" + hashlib.sha256((client or "").encode()).hexdigest()[:40]


def blocked_for(session: Session, key: str, now: datetime) -> timedelta | None:
    """How long the client must still wait, or None. Locks the client's row until commit."""
    for _ in range(3):
        row = session.execute(
            update(ClientThrottle).where(ClientThrottle.key == key)
            .values(failures=ClientThrottle.failures)
            .returning(ClientThrottle.blocked_until)
            .execution_options(synchronize_session=False)
        ).first()
        if row is not None:
            until = row[0]
            return until - now if until is not None and until > now else None
        try:
            with session.begin_nested():
                session.add(ClientThrottle(key=key, failures=0, window_started_at=now))
            return None
        except IntegrityError:
            continue  # another attempt created the row first
    raise RuntimeError("could not read the throttle")


def delay_after(failures: int) -> timedelta | None:
    """The wait imposed after the `failures`-th failure of the window."""
    if failures <= FREE_FAILURES:
        return None
    return min(FIRST_DELAY * 2 ** min(failures - FREE_FAILURES - 1, 20), MAX_DELAY)


def record_failure(session: Session, key: str, now: datetime) -> timedelta | None:
    """Count one failure (atomically); returns the wait it imposes, if any."""
    stamp = bindparam("now", now, type_=UTCDateTime())
    expired = ClientThrottle.window_started_at <= bindparam("cutoff", now - WINDOW, type_=UTCDateTime())
    failures = session.scalar(
        update(ClientThrottle).where(ClientThrottle.key == key)
        .values(failures=case((expired, 1), else_=ClientThrottle.failures + 1),
                window_started_at=case((expired, stamp), else_=ClientThrottle.window_started_at))
        .returning(ClientThrottle.failures)
        .execution_options(synchronize_session=False)
    )
    if failures is None:  # no row yet (blocked_for was not asked) or purged meanwhile
        session.add(ClientThrottle(key=key, failures=1, window_started_at=now))
        session.flush()
        failures = 1
    delay = delay_after(failures)
    if delay is not None:
        session.execute(
            update(ClientThrottle).where(ClientThrottle.key == key)
            .values(blocked_until=bindparam("until", now + delay, type_=UTCDateTime()))
            .execution_options(synchronize_session=False)
        )
    return delay


def failures_of(session: Session, key: str) -> int:
    return session.scalar(select(ClientThrottle.failures).where(ClientThrottle.key == key)) or 0


def purge(session: Session, now: datetime) -> int:
    """Drop rows whose window ended and who wait no more; returns how many."""
    cutoff = bindparam("cutoff", now - WINDOW - MAX_DELAY, type_=UTCDateTime())
    result = session.execute(
        delete(ClientThrottle).where(ClientThrottle.window_started_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
