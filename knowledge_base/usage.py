"""How the knowledge base is used: direct answers, searches, clicks, and the lists built on them.

"Searched but not found" is a search after which nobody opened a result and no answer used one
of its articles: the gaps supervisors should fill with new articles.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from workorders.errors import Invalid, NotFound

from .models import Article, ArticleStatus, ArticleUse, SearchLog
from .operations import is_current

# An answer this soon after a search counts as that search having found something.
ANSWER_WINDOW = timedelta(hours=1)


def record_use(session: Session, article_id: int, *, order_id: int | None, user_id: int | None,
               now: datetime, today: date) -> Article:
    """A direct answer read out from this article: it must be published and in effect."""
    article = session.get(Article, article_id)
    if article is None:
        raise Invalid("'article_id': no knowledge-base article %(id)s", id=article_id)
    # Whole sentences per status, so that each can be translated (the refusals are message ids).
    if article.status == ArticleStatus.draft:
        raise Invalid("'article_id': article %(id)s is a draft, not published", id=article_id)
    if article.status != ArticleStatus.published:
        raise Invalid("'article_id': article %(id)s is retired, not published", id=article_id)
    if not is_current(article, today):
        raise Invalid("'article_id': article %(id)s is not in effect on %(day)s", id=article_id, day=today)
    # In SQL, so that two agents answering at once both count.
    session.execute(update(Article).where(Article.id == article_id).values(usage_count=Article.usage_count + 1))
    session.add(ArticleUse(article_id=article_id, order_id=order_id, user_id=user_id, at=now))
    _mark_found_by_answer(session, article_id, order_id, user_id, now)
    session.flush()
    session.refresh(article, ["usage_count"])
    return article


def _mark_found_by_answer(session: Session, article_id: int, order_id: int | None, user_id: int | None,
                          now: datetime) -> None:
    recent = select(SearchLog).where(SearchLog.used_article_id.is_(None), SearchLog.at >= now - ANSWER_WINDOW,
                                     SearchLog.at <= now)
    if order_id is not None:
        for log in session.scalars(recent.where(SearchLog.order_id == order_id)):
            log.used_article_id, log.used_at = article_id, now
    if user_id is not None:
        for log in session.scalars(recent.where(SearchLog.user_id == user_id)):
            if article_id in (log.article_ids or []):
                log.used_article_id, log.used_at = article_id, now


def log_search(session: Session, *, kind: str, query: str, user_id: int | None, order_id: int | None,
               article_ids: list[int], now: datetime) -> SearchLog:
    log = SearchLog(kind=kind, query=" ".join(query.split())[:500], user_id=user_id, order_id=order_id,
                    result_count=len(article_ids), article_ids=article_ids, at=now)
    session.add(log)
    session.flush()
    return log


def record_click(session: Session, search_id: int, article_id: int, user_id: int | None, now: datetime) -> SearchLog:
    log = session.get(SearchLog, search_id)
    if log is None or (log.user_id is not None and log.user_id != user_id):
        raise NotFound("no search %(id)s of yours", id=search_id)
    if article_id not in (log.article_ids or []):
        raise Invalid("'article_id': article %(id)s was not among that search's results", id=article_id)
    if log.clicked_article_id is None:
        log.clicked_article_id, log.clicked_at = article_id, now
    return log


@dataclass(frozen=True)
class UsedArticle:
    article: Article
    uses: int


def most_used(session: Session, since: datetime | None, limit: int) -> list[UsedArticle]:
    """Articles by how often they were used for direct answers (since a time, or ever)."""
    if since is None:
        rows = session.scalars(
            select(Article).where(Article.usage_count > 0).order_by(Article.usage_count.desc(), Article.id).limit(limit)
        )
        return [UsedArticle(a, a.usage_count) for a in rows]
    uses = func.count(ArticleUse.id).label("uses")
    rows = session.execute(
        select(Article, uses).join(ArticleUse, ArticleUse.article_id == Article.id)
        .where(ArticleUse.at >= since).group_by(Article.id).order_by(uses.desc(), Article.id).limit(limit)
    )
    return [UsedArticle(a, n) for a, n in rows]


@dataclass(frozen=True)
class Gap:
    query: str
    searches: int
    last_at: datetime
    empty: int  # how many of them found nothing at all


def not_found(session: Session, since: datetime | None, limit: int) -> list[Gap]:
    """Queries whose searches led to no click and no answer, most frequent first."""
    empty = func.sum(case((SearchLog.result_count == 0, 1), else_=0))
    count = func.count(SearchLog.id).label("searches")
    query = (
        select(SearchLog.query, count, func.max(SearchLog.at), empty)
        .where(SearchLog.clicked_article_id.is_(None), SearchLog.used_article_id.is_(None),
               SearchLog.kind == "search")
        .group_by(SearchLog.query)
        .order_by(count.desc(), func.max(SearchLog.at).desc(), SearchLog.query)
        .limit(limit)
    )
    if since is not None:
        query = query.where(SearchLog.at >= since)
    return [Gap(q, n, at, int(e or 0)) for q, n, at, e in session.execute(query)]
