"""The public replies board (答复反馈): which archived orders are shown, and their ratings.

An archived order is a candidate when its citizen consented to publication, it is neither
confidential nor a report, and it has a reply (or a direct answer). A supervisor approves or
declines each candidate; approved ones are shown with their texts scrubbed of personal data.
The order's own citizen (with the access code) may rate the published reply once, 1–5; ratings
of LOW_RATING or less wait on the supervisor's review list.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from workorders.errors import Conflict, Invalid, NotFound
from workorders.models import WorkOrder
from workorders.vocabulary import OrderType, State

from .models import Publication, Rating
from .public_view import scrub
from .query_limits import verify_access

LOW_RATING = 2
MAX_PUBLIC_TEXT = 10_000
MAX_COMMENT = 500


def _answer_of(order: WorkOrder) -> str | None:
    return order.reply_text or order.answer_text


def is_candidate(order: WorkOrder) -> bool:
    return (
        order.state == State.archived and bool(order.public_consent) and not order.confidential
        and order.type != OrderType.report and bool(_answer_of(order))
    )


def _candidate_clause():
    return and_(
        WorkOrder.state == State.archived, WorkOrder.public_consent.is_(True),
        WorkOrder.confidential.is_(False), WorkOrder.type != OrderType.report,
        or_(WorkOrder.reply_text.is_not(None), WorkOrder.answer_text.is_not(None)),
    )


def awaiting_decision(session: Session, limit: int = 100) -> list[WorkOrder]:
    """Candidates no supervisor has decided on yet, oldest first."""
    decided = select(Publication.order_id)
    return list(session.scalars(
        select(WorkOrder).where(_candidate_clause(), WorkOrder.id.not_in(decided))
        .order_by(WorkOrder.closed_at, WorkOrder.id).limit(limit)
    ))


def proposed_texts(order: WorkOrder) -> tuple[str, str]:
    """The content and reply as they would be published, personal data masked."""
    return scrub(order.content, order), scrub(_answer_of(order), order)


def decide(session: Session, order: WorkOrder, *, approve: bool, user_id: int | None, now: datetime,
           public_content: str | None = None, public_reply: str | None = None, note: str = "") -> Publication:
    if not is_candidate(order):
        raise Conflict(
            "order %(number)s cannot be published: only archived orders with a reply whose "
            "citizen consented, and that are neither confidential nor reports", number=order.number,
        )
    if session.scalar(select(Publication.id).where(Publication.order_id == order.id)):
        raise Conflict("publication of order %(number)s was decided already", number=order.number)
    content, reply = proposed_texts(order)
    # Edited texts are scrubbed too: a supervisor's edit must not bring the caller's data back.
    content = scrub(public_content, order) if public_content and public_content.strip() else content
    reply = scrub(public_reply, order) if public_reply and public_reply.strip() else reply
    if len(content) > MAX_PUBLIC_TEXT or len(reply) > MAX_PUBLIC_TEXT:
        raise Invalid("public texts are limited to %(limit)s characters", limit=MAX_PUBLIC_TEXT)
    publication = Publication(
        order_id=order.id, approved=approve, public_content=content.strip(), public_reply=reply.strip(),
        decided_by_id=user_id, decided_at=now, note=(note or "").strip()[:255],
    )
    session.add(publication)
    session.flush()
    return publication


@dataclass(frozen=True)
class Entry:
    """One published reply as the board shows it."""

    number: str
    type: str
    category: str | None
    department: str | None
    received_at: datetime
    replied_at: datetime | None
    content: str
    reply: str
    stars: int | None


def _entries(session: Session, query) -> list[Entry]:
    rows = session.execute(query).all()
    return [
        Entry(o.number, o.type, o.category.name if o.category else None,
              o.department.name if o.department else None, o.created_at, o.replied_at or o.closed_at,
              p.public_content, p.public_reply, stars)
        for p, o, stars in rows
    ]


def _board_query():
    return (
        select(Publication, WorkOrder, Rating.stars)
        .join(WorkOrder, WorkOrder.id == Publication.order_id)
        .outerjoin(Rating, Rating.order_id == Publication.order_id)
        .where(Publication.approved.is_(True))
        .options(selectinload(WorkOrder.category), selectinload(WorkOrder.department))
    )


def board(session: Session, search: str = "", page: int = 1, per_page: int = 20) -> tuple[list[Entry], int]:
    """Published replies, newest first, optionally those whose texts contain `search`."""
    query = _board_query()
    search = (search or "").strip()[:100]
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(
            Publication.public_content.ilike(pattern, escape="\\"),
            Publication.public_reply.ilike(pattern, escape="\\"),
            WorkOrder.number == search,
        ))
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = max(1, page)
    query = query.order_by(Publication.decided_at.desc(), Publication.id.desc())
    return _entries(session, query.limit(per_page).offset((page - 1) * per_page)), total or 0


def published(session: Session, number: str) -> Entry:
    entries = _entries(session, _board_query().where(WorkOrder.number == number))
    if not entries:
        raise NotFound("no published reply for order '%(number)s'", number=number)
    return entries[0]


def rate(session: Session, secret: bytes, number: str, code: str, stars: int, comment: str, *,
         client_key: str, now: datetime) -> Rating | None:
    """The citizen's rating; None when number and code do not match (commit: the try counts)."""
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise Invalid("a rating is 1 to 5 stars")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise Invalid("the comment is limited to %(limit)s characters", limit=MAX_COMMENT)
    published(session, number)  # only published replies are rated
    order = verify_access(session, secret, number, code, source="web", client_key=client_key, now=now)
    if order is None:
        return None
    if session.scalar(select(Rating.id).where(Rating.order_id == order.id)):
        raise Conflict("order %(number)s has been rated already", number=order.number)
    rating = Rating(order_id=order.id, stars=stars, comment=scrub(comment, order), rated_at=now)
    session.add(rating)
    session.flush()
    return rating


def low_ratings(session: Session, reviewed: bool = False, limit: int = 100) -> list[Rating]:
    """The supervisor's review list: low ratings not yet reviewed (or those already reviewed)."""
    query = select(Rating).where(Rating.stars <= LOW_RATING).options(selectinload(Rating.order))
    query = query.where(Rating.reviewed_at.is_not(None) if reviewed else Rating.reviewed_at.is_(None))
    return list(session.scalars(query.order_by(Rating.rated_at.desc()).limit(limit)))


def mark_reviewed(session: Session, rating_id: int, user_id: int | None, note: str, now: datetime) -> Rating:
    rating = session.get(Rating, rating_id)
    if rating is None:
        raise NotFound("no rating %(id)s", id=rating_id)
    if rating.reviewed_at is not None:
        raise Conflict("this rating was reviewed already")
    note = (note or "").strip()
    if not note:
        raise Invalid("say what was done about the low rating")
    rating.reviewed_at, rating.reviewed_by_id, rating.review_note = now, user_id, note[:255]
    session.flush()
    return rating
