"""Fixed-window counters in the database, atomic under concurrent requests.

A hit is one UPDATE … RETURNING on the key's row (PostgreSQL locks the row until the request
commits; SQLite takes its write lock with BEGIN IMMEDIATE), so two web processes can never both
read "4 of 5" and let a sixth try through.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workorders.models import UTCDateTime

from .models import RateCounter


def counter_key(scope: str, value: str) -> str:
    """`scope:digest`: the value (an IP, a phone, an order number) is not kept in clear."""
    return f"{scope}:{hashlib.sha256(value.encode()).hexdigest()[:40]}"


def hit(session: Session, key: str, now: datetime, window: timedelta) -> int:
    """Count one hit on `key`; returns the hits in the current window, this one included."""
    started = RateCounter.window_started_at
    expired = started <= bindparam("cutoff", now - window, type_=UTCDateTime())
    stamp = bindparam("now", now, type_=UTCDateTime())
    for _ in range(3):
        hits = session.scalar(
            update(RateCounter)
            .where(RateCounter.key == key)
            .values(
                hits=case((expired, 1), else_=RateCounter.hits + 1),
                window_started_at=case((expired, stamp), else_=started),
            )
            .returning(RateCounter.hits)
            .execution_options(synchronize_session=False)
        )
        if hits is not None:
            return hits
        try:
            with session.begin_nested():
                session.add(RateCounter(key=key, window_started_at=now, hits=1))
            return 1
        except IntegrityError:
            continue  # another request created the row first; count on it
    raise RuntimeError(f"could not count a hit on {key}")


def give_back(session: Session, key: str) -> None:
    """Undo one hit (a try that turned out legitimate)."""
    session.execute(
        update(RateCounter)
        .where(RateCounter.key == key)
        .values(hits=case((RateCounter.hits > 0, RateCounter.hits - 1), else_=0))
        .execution_options(synchronize_session=False)
    )


def purge(session: Session, now: datetime, older_than: timedelta) -> int:
    """Drop counters whose window ended long ago; returns how many."""
    result = session.execute(
        delete(RateCounter)
        .where(RateCounter.window_started_at < bindparam("cutoff", now - older_than, type_=UTCDateTime()))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
