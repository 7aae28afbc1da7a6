"""What the knowledge-base pages read: who sees which articles, the list, search, the history.

A viewer's articles are the union of a few *scopes*, each a `knowledge_base.search.Filters`:
agents and leaders see what is published and in effect today; a department sees that too, and
everything of its own department (its drafts); supervisors see all. The filters chosen on the
page narrow every scope. The same scopes drive the browsing query (SQL) and the search (the
index), so a draft of another department can come back through neither.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from knowledge_base import operations
from knowledge_base.models import Article, ArticleStatus, ArticleVersion
from knowledge_base.search import Filters, Hit, category_scope, search
from workorders.context import Actor
from workorders.models import Category, Department
from workorders.vocabulary import Role

MANAGERS = (Role.supervisor,)


def scopes(actor: Actor, today: date) -> list[Filters]:
    """The articles this actor may see, as a union of filters (mirrors `operations.can_read`)."""
    if actor.role in MANAGERS:
        return [Filters(statuses=ArticleStatus.ALL)]
    current = Filters.for_agents(today)
    if actor.role == Role.department and actor.department_id is not None:
        return [current, Filters(statuses=ArticleStatus.ALL, department_ids=frozenset({actor.department_id}))]
    return [current]


@dataclass(frozen=True)
class Chosen:
    """What the viewer narrowed the list to (None: no narrowing)."""

    status: str | None = None
    category_ids: frozenset[int] | None = None
    department_id: int | None = None


def narrowed(scope_list: list[Filters], chosen: Chosen) -> list[Filters]:
    """Each scope narrowed by the chosen filters; scopes left with nothing are dropped."""
    out = []
    for scope in scope_list:
        statuses = scope.statuses
        if chosen.status is not None:
            statuses = tuple(s for s in statuses if s == chosen.status)
        departments = scope.department_ids
        if chosen.department_id is not None:
            departments = frozenset({chosen.department_id}) & (departments or frozenset({chosen.department_id}))
        if not statuses or departments == frozenset():
            continue
        out.append(replace(scope, statuses=statuses, department_ids=departments,
                           category_ids=chosen.category_ids))
    return out


def category_ids(session: Session, code: str) -> frozenset[int] | None:
    """A category and its sub-categories (filtering by 劳动社保 includes what is below it)."""
    category = session.scalar(select(Category).where(Category.code == code))
    if category is None:
        return None
    return category_scope(session.execute(select(Category.id, Category.parent_id)).all(), category.id)


def browse(session: Session, scope_list: list[Filters], offset: int, limit: int) -> tuple[list[Article], int]:
    """One page of the articles in these scopes, the most recently changed first, and how many in all."""
    if not scope_list:
        return [], 0
    where = or_(*(scope.where() for scope in scope_list))
    total = session.scalar(select(func.count(Article.id)).where(where)) or 0
    rows = session.scalars(select(Article).where(where).order_by(Article.updated_at.desc(), Article.id.desc())
                           .offset(offset).limit(limit))
    return list(rows), total


def find(session: Session, query: str, scope_list: list[Filters], limit: int) -> list[Hit]:
    """The best articles for `query` within the scopes, best first. Scores of one query are
    comparable across scopes (the same index answers), so the union is merged by score."""
    best: dict[int, Hit] = {}
    for scope in scope_list:
        for hit in search(session, query, scope, limit):
            if hit.article.id not in best or hit.score > best[hit.article.id].score:
                best[hit.article.id] = hit
    return sorted(best.values(), key=lambda h: (-h.score, h.article.id))[:limit]


# --- one article ------------------------------------------------------------------------------

def may_edit(actor: Actor, article: Article) -> bool:
    """Whether to offer the edit form (`operations.edit` decides, this only mirrors its rules)."""
    if actor.role in MANAGERS:
        return True
    return (actor.role == Role.department and article.department_id == actor.department_id
            and article.status == ArticleStatus.draft)


def may_see_history(actor: Actor, article: Article) -> bool:
    """The versions are for the article's editors, as in the JSON API."""
    return actor.role in MANAGERS or (actor.role == Role.department and article.department_id == actor.department_id)


# Compared between versions; the long texts are shown whole, the rest as before → after.
HISTORY_FIELDS = ("title", "question", "answer", "category", "department", "keywords", "status",
                  "effective_on", "expires_on")
LONG_FIELDS = {"question", "answer"}


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any

    @property
    def long(self) -> bool:
        return self.field in LONG_FIELDS


@dataclass(frozen=True)
class HistoryEntry:
    version: ArticleVersion
    changes: tuple[Change, ...]


def history(session: Session, article: Article) -> list[HistoryEntry]:
    """Every version, newest first, each with what it changed from the one before."""
    categories = dict(session.execute(select(Category.id, Category.name)).all())
    departments = dict(session.execute(select(Department.id, Department.name)).all())

    def values(v: ArticleVersion) -> dict[str, Any]:
        return {"title": v.title, "question": v.question, "answer": v.answer,
                "category": categories.get(v.category_id) if v.category_id else None,
                "department": departments.get(v.department_id) if v.department_id else None,
                "keywords": "、".join(k for k in v.keywords.split(",") if k), "status": v.status,
                "effective_on": v.effective_on, "expires_on": v.expires_on}

    entries, previous = [], None
    for version in operations.versions(session, article):
        now = values(version)
        changes = () if previous is None else tuple(
            Change(name, previous[name], now[name]) for name in HISTORY_FIELDS if previous[name] != now[name])
        entries.append(HistoryEntry(version, changes))
        previous = now
    return entries[::-1]
