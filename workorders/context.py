"""Who is acting, and the world they act in (session, time, calendar)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from .calendar import WorkingCalendar
from .models import User
from .vocabulary import Role


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    role: str
    department_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.display_name or user.username, user.role, user.department_id)

    @classmethod
    def system(cls, name: str) -> Actor:
        """The scheduler, the telephony adapter or the portal acting on their own."""
        return cls(None, name, Role.system, None)


class ArticleUse(Protocol):
    """Counts the use of a knowledge-base article in an answer (refusing one not in force)."""

    def __call__(self, session: Session, article_id: int, *, order_id: int, user_id: int | None,
                 now: datetime, today: date) -> object: ...


@dataclass
class Context:
    """Everything an operation needs besides its inputs; built once per entry point.

    `record_article_use` is the knowledge base's side of the `answer` action, passed in by the
    entry point (`knowledge_base.usage.record_use`) so that the domain does not import it.
    """

    session: Session
    now: datetime
    calendar: WorkingCalendar
    tz: ZoneInfo
    secret: bytes
    record_article_use: ArticleUse | None = None
