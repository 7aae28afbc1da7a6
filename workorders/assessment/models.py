"""Assessment tables: the schemes (one in force) and the rankings a supervisor published."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base


class AssessmentScheme(Base):
    """A named scheme (`schemes.Scheme` as JSON) with the source it is built on; one is active."""

    __tablename__ = "qa_assessment_schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)


class PublishedAssessment(Base):
    """A month's ranking as a supervisor published it on the notice board (a snapshot: the
    figures of later events do not move what the public was shown)."""

    __tablename__ = "qa_published_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date, unique=True)  # the first day of the month
    scheme_title: Mapped[str] = mapped_column(String(120))
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime]
