"""The schemes in the database, the assessment of a period, and publishing a month's ranking."""
from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..errors import Invalid, NotFound
from ..stats import figures
from ..stats.periods import Period, month
from .models import AssessmentScheme, PublishedAssessment
from .schemes import DEFAULT_SCHEME, PRESETS, Scheme
from .score import Assessed, assess, flatten


def install_schemes(session: Session) -> None:
    """Create the presets that are missing; make the default active if none is."""
    have = {s.name: s for s in session.scalars(select(AssessmentScheme))}
    for name, (title, source, scheme) in PRESETS.items():
        if name not in have:
            have[name] = AssessmentScheme(name=name, title=title, source=source, rules=scheme.to_json(),
                                          active=False)
            session.add(have[name])
    if not any(s.active for s in have.values()):
        have[DEFAULT_SCHEME].active = True
    session.flush()


def schemes(session: Session) -> list[AssessmentScheme]:
    found = list(session.scalars(select(AssessmentScheme).order_by(AssessmentScheme.name)))
    if not found:
        install_schemes(session)
        found = list(session.scalars(select(AssessmentScheme).order_by(AssessmentScheme.name)))
    return found


def scheme_named(session: Session, name: str | None) -> AssessmentScheme:
    """The named scheme, or the one in force when `name` is None."""
    for scheme in schemes(session):
        if (name is None and scheme.active) or scheme.name == name:
            return scheme
    raise NotFound("no assessment scheme named '%(name)s'", name=name or "")


def activate(session: Session, name: str) -> AssessmentScheme:
    chosen = scheme_named(session, name)
    session.execute(update(AssessmentScheme).values(active=False))
    chosen.active = True
    session.flush()
    return chosen


def save(session: Session, name: str, rules: dict) -> AssessmentScheme:
    scheme = scheme_named(session, name)
    scheme.rules = Scheme.from_json(rules).to_json()
    session.flush()
    return scheme


def assessment(session: Session, period: Period, now: datetime, tz: tzinfo,
               scheme_name: str | None = None) -> tuple[AssessmentScheme, list[Assessed]]:
    """The ranked departments of the period under a scheme (default: the one in force)."""
    stored = scheme_named(session, scheme_name)
    report = figures.report(session, period, "department", now, tz)
    return stored, assess(report, Scheme.from_json(stored.rules))


def as_json(node: Assessed) -> dict:
    return {"department": node.code, "name": node.row.name, "score": node.score, "rank": node.rank,
            "peers": node.peers, "parts": node.parts}


def publish(session: Session, period: Period, now: datetime, tz: tzinfo, by_user_id: int) -> PublishedAssessment:
    """Publish (or publish again) the top-level ranking of a whole month on the notice board."""
    if period != month(period.first.year, period.first.month):
        raise Invalid("only a whole month's assessment can be published")
    stored, tree = assessment(session, period, now, tz)
    rows = [as_json(node) for node in tree]
    published = session.scalar(select(PublishedAssessment).where(PublishedAssessment.month == period.first))
    if published is None:
        published = PublishedAssessment(month=period.first)
        session.add(published)
    published.scheme_title, published.rows = stored.title, rows
    published.published_by_id, published.published_at = by_user_id, now
    session.flush()
    return published


def withdraw(session: Session, period: Period) -> None:
    published = session.scalar(select(PublishedAssessment).where(PublishedAssessment.month == period.first))
    if published is None:
        raise NotFound("the assessment of %(month)s is not published", month=f"{period.first:%Y-%m}")
    session.delete(published)
    session.flush()


def published_for(session: Session, period: Period) -> PublishedAssessment | None:
    return session.scalar(select(PublishedAssessment).where(PublishedAssessment.month == period.first))


__all__ = ["activate", "as_json", "assessment", "flatten", "install_schemes", "publish", "published_for",
           "save", "scheme_named", "schemes", "withdraw"]
