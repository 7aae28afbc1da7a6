"""Who is acting, and the world they act in (session, time, calendar)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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


@dataclass
class Context:
    """Everything an operation needs besides its inputs; built once per entry point."""

    session: Session
    now: datetime
    calendar: WorkingCalendar
    tz: ZoneInfo
    secret: bytes
