"""Workbooks kept for download: the job builds last month's on the 1st and stores it here."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, LargeBinary, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..models import Base


class StoredWorkbook(Base):
    __tablename__ = "stats_workbooks"
    __table_args__ = (UniqueConstraint("kind", "first_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # week | month | quarter | year
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    built_at: Mapped[datetime]
    content: Mapped[bytes] = mapped_column(LargeBinary)


def stored(session: Session, kind: str, first: date) -> StoredWorkbook | None:
    return session.scalar(select(StoredWorkbook).where(StoredWorkbook.kind == kind,
                                                       StoredWorkbook.first_day == first))


def listing(session: Session, limit: int = 24) -> list[tuple[int, str, date, date, datetime]]:
    """The stored workbooks, newest period first (without their content)."""
    return list(session.execute(
        select(StoredWorkbook.id, StoredWorkbook.kind, StoredWorkbook.first_day, StoredWorkbook.last_day,
               StoredWorkbook.built_at).order_by(StoredWorkbook.first_day.desc()).limit(limit)))
