"""The scheduler lease: one row, one owner at a time, taken over only after it expires.

Every statement is a single conditional UPDATE, atomic on SQLite and PostgreSQL alike. Times are
real time (never the hotline's frozen or shifted demo clock): servers keep their clocks in sync
(NTP) and the lease lasts far longer than any drift.

`hold` is also the fence of every job transaction: it renews the lease inside the job's own
transaction, so a process that lost the lease cannot commit job work, and on PostgreSQL the row
lock it takes keeps a new owner out until that transaction ends.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from .models import SCHEDULER_LEASE, SchedulerLease

_lease = SchedulerLease.__table__
EPOCH = datetime.fromisoformat("1970-01-01T00:00:00+00:00")


class LeaseLost(Exception):
    """This process no longer holds the lease: the job stops without committing."""


def hold(session: Session, owner: str, now: datetime, ttl: timedelta) -> bool:
    """Renew the lease if `owner` holds it, else take it if it is free or expired."""
    renewed = session.execute(
        update(_lease)
        .where(_lease.c.name == SCHEDULER_LEASE, _lease.c.owner == owner)
        .values(renewed_at=now, expires_at=now + ttl)
    ).rowcount
    if renewed:
        return True
    taken = session.execute(
        update(_lease)
        .where(_lease.c.name == SCHEDULER_LEASE,
               or_(_lease.c.owner.is_(None), _lease.c.expires_at < now))
        .values(owner=owner, acquired_at=now, renewed_at=now, expires_at=now + ttl)
    ).rowcount
    if taken:
        return True
    if session.get(SchedulerLease, SCHEDULER_LEASE) is None:
        # The migration creates the row; this only repairs a database where it was deleted.
        session.execute(insert(_lease).values(name=SCHEDULER_LEASE, owner=owner, acquired_at=now,
                                              renewed_at=now, expires_at=now + ttl))
        return True
    return False


def fence(session: Session, owner: str, now: datetime, ttl: timedelta) -> None:
    """Renew the lease in this transaction, or stop: only the holder may commit job work."""
    renewed = session.execute(
        update(_lease)
        .where(_lease.c.name == SCHEDULER_LEASE, _lease.c.owner == owner)
        .values(renewed_at=now, expires_at=now + ttl)
    ).rowcount
    if not renewed:
        raise LeaseLost(f"{owner} no longer holds the scheduler lease")


def release(session: Session, owner: str) -> None:
    """Give the lease up at a clean shutdown, so a standby need not wait for it to expire."""
    session.execute(
        update(_lease)
        .where(_lease.c.name == SCHEDULER_LEASE, _lease.c.owner == owner)
        .values(owner=None, expires_at=EPOCH)
    )


def current(session: Session) -> SchedulerLease | None:
    return session.scalar(select(SchedulerLease).where(SchedulerLease.name == SCHEDULER_LEASE))
