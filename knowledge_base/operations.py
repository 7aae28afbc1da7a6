"""The only code that writes articles: drafts, edits, publishing, retiring, drafts from replies.

Supervisors manage the knowledge base; a department proposes drafts for its own department and
may edit them until they are published. Every change appends a version (who, when, what it
said) and re-indexes the article in the same transaction. Nothing here commits.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workorders.access import ensure_visible
from workorders.context import Actor
from workorders.errors import Conflict, Forbidden, Invalid, NotFound
from workorders.inputs import Inputs
from workorders.models import Category, Department, WorkOrder
from workorders.vocabulary import Role

from . import index
from .models import Article, ArticleStatus, ArticleVersion
from .text import split_keywords

ARTICLE_FIELDS = {"title", "question", "answer", "category", "department", "keywords", "effective_on", "expires_on"}
EDITORS = {Role.supervisor, Role.department}
MAX_TITLE = 200
MAX_KEYWORDS = 500
# Mobile and landline numbers in a citizen's words must not end up in a public article.
PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)|(?<!\d)(0\d{2,3}-?)\d{7,8}(?!\d)")


def get_article(session: Session, article_id: int, for_update: bool = False) -> Article:
    """`for_update` locks the row until the transaction ends: a change checks the version it was
    given against the article, and two changes at once must not both pass that check."""
    article = session.get(Article, article_id, with_for_update=for_update)
    if article is None:
        raise NotFound("no knowledge-base article %(id)s", id=article_id)
    return article


def can_read(actor: Actor, article: Article, today: date) -> bool:
    """Drafts and retired or out-of-date articles are for their editors, not the front desk."""
    if actor.role in (Role.supervisor, Role.admin, Role.system):
        return True
    if actor.role == Role.department and article.department_id == actor.department_id:
        return True
    return is_current(article, today)


def is_current(article: Article, today: date) -> bool:
    return (
        article.status == ArticleStatus.published
        and (article.effective_on is None or article.effective_on <= today)
        and (article.expires_on is None or article.expires_on >= today)
    )


def create_draft(session: Session, actor: Actor, data: Any, now: datetime, change: str = "created") -> Article:
    _require_editor(actor)
    inputs = Inputs(data, allowed=ARTICLE_FIELDS)
    values = _read(session, inputs, creating=True)
    _department_scope(actor, values)
    article = Article(**{"question": "", "keywords": "", **values}, status=ArticleStatus.draft, usage_count=0,
                      version=0, created_at=now, updated_at=now, created_by_id=actor.user_id)
    session.add(article)
    session.flush()
    _record(session, article, actor, change, now)
    index.reindex(session, [article], now)
    return article


def edit(session: Session, actor: Actor, article: Article, data: Any, now: datetime) -> Article:
    _require_editor(actor)
    inputs = Inputs(data, allowed=ARTICLE_FIELDS)
    _check_version(article, inputs)
    if actor.role == Role.department:
        if article.department_id != actor.department_id:
            raise Forbidden("a department edits only its own department's drafts")
        if article.status != ArticleStatus.draft:
            # Whole sentences per status, so that each can be translated (the refusals are message ids).
            if article.status == ArticleStatus.published:
                raise Forbidden("article %(id)s is published; only a supervisor edits it now", id=article.id)
            raise Forbidden("article %(id)s is retired; only a supervisor edits it now", id=article.id)
    values = _read(session, inputs, creating=False)
    if not values:
        raise Invalid("nothing to change: give at least one field")
    _department_scope(actor, values)
    for key, value in values.items():
        setattr(article, key, value)
    _check_dates(article.effective_on, article.expires_on)
    article.updated_at = now
    _record(session, article, actor, "edited", now)
    index.reindex(session, [article], now)
    return article


def publish(session: Session, actor: Actor, article: Article, now: datetime, data: Any = None) -> Article:
    return _set_status(session, actor, article, ArticleStatus.published, now, data)


def retire(session: Session, actor: Actor, article: Article, now: datetime, data: Any = None) -> Article:
    return _set_status(session, actor, article, ArticleStatus.retired, now, data)


def _set_status(session: Session, actor: Actor, article: Article, status: str, now: datetime, data: Any) -> Article:
    publishing = status == ArticleStatus.published
    if actor.role not in (Role.supervisor, Role.system):
        if publishing:
            raise Forbidden("only a supervisor may publish an article")
        raise Forbidden("only a supervisor may retire an article")
    _check_version(article, Inputs(data, allowed=set()))
    if article.status == status:
        if publishing:
            raise Conflict("article %(id)s is already published", id=article.id)
        raise Conflict("article %(id)s is already retired", id=article.id)
    article.status = status
    article.updated_at = now
    if publishing:
        article.published_at = now
    _record(session, article, actor, status, now)
    index.touch(session, now, article.id)
    return article


def draft_from_order(session: Session, actor: Actor, order: WorkOrder, data: Any, now: datetime) -> Article:
    """A department's reply on an order, as a draft standard answer (one action)."""
    ensure_visible(session, actor, order)
    if actor.role not in EDITORS:
        raise Forbidden("only a supervisor or the replying department turns a reply into an article")
    if actor.role == Role.department and actor.department_id != order.department_id:
        raise Forbidden("only the department that replied to order %(number)s may propose its reply",
                        number=order.number)
    if not order.reply_text:
        raise Conflict("order %(number)s has no department reply yet (it is %(state)s)", number=order.number,
                       state=order.state)
    inputs = Inputs(data, allowed={"title", "keywords", "category"})
    question = mask_phones(order.content)
    fields = {
        "title": inputs.short("title") or _title_from(question),
        "question": question,
        "answer": order.reply_text,
        "keywords": inputs.data.get("keywords"),
        "category": inputs.short("category") or (order.category.code if order.category else None),
        "department": order.department.code if order.department else None,
    }
    article = create_draft(session, actor, {k: v for k, v in fields.items() if v is not None}, now,
                           change="from_order")
    article.source_order_id = order.id
    return article


def mask_phones(text: str) -> str:
    def mask(m: re.Match) -> str:
        if m.group(1):
            return f"{m.group(1)}****{m.group(2)}"
        return f"{m.group(3)}********"
    return PHONE.sub(mask, text or "")


def _title_from(text: str) -> str:
    first = re.split(r"[。！？!?\n]", text.strip(), maxsplit=1)[0].strip()
    return (first or text.strip())[:60] or "（无标题）"


# --- versions -------------------------------------------------------------------------------

def versions(session: Session, article: Article) -> list[ArticleVersion]:
    return list(session.scalars(
        select(ArticleVersion).where(ArticleVersion.article_id == article.id).order_by(ArticleVersion.version)
    ))


def _record(session: Session, article: Article, actor: Actor, change: str, now: datetime) -> None:
    article.version += 1
    session.add(ArticleVersion(
        article_id=article.id, version=article.version, change=change, title=article.title,
        question=article.question or "", answer=article.answer, category_id=article.category_id,
        department_id=article.department_id, keywords=article.keywords or "", status=article.status,
        effective_on=article.effective_on, expires_on=article.expires_on, editor_id=actor.user_id,
        editor_name=actor.name[:120], editor_role=actor.role, at=now,
    ))


# --- inputs ---------------------------------------------------------------------------------

def _require_editor(actor: Actor) -> None:
    if actor.role not in EDITORS | {Role.system}:
        raise Forbidden("only supervisors and departments write knowledge-base articles")


def _department_scope(actor: Actor, values: dict) -> None:
    if actor.role != Role.department:
        return
    if "department_id" in values and values["department_id"] not in (None, actor.department_id):
        raise Forbidden("a department proposes articles for its own department only")
    values["department_id"] = actor.department_id


def _check_version(article: Article, inputs: Inputs) -> None:
    expected = inputs.data.get("version")
    if expected is not None and expected != article.version:
        raise Conflict(
            "article %(id)s changed since you loaded it (version %(expected)s, now %(version)s); "
            "reload and try again", id=article.id, expected=expected, version=article.version,
        )


def _read(session: Session, inputs: Inputs, creating: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if creating or inputs.has("title"):
        values["title"] = inputs.text("title", limit=MAX_TITLE)
    if creating or inputs.has("answer"):
        values["answer"] = inputs.text("answer")
    if inputs.has("question") or "question" in inputs.data:
        values["question"] = inputs.text("question", required=False) or ""
    if "keywords" in inputs.data:
        raw = inputs.data["keywords"]
        if raw is not None and not isinstance(raw, str | list):
            raise Invalid("'keywords' must be text or a list of words")
        keywords = ",".join(split_keywords(raw))
        if len(keywords) > MAX_KEYWORDS:
            raise Invalid("'keywords' is too long (%(length)s characters; at most %(limit)s)",
                          length=len(keywords), limit=MAX_KEYWORDS)
        values["keywords"] = keywords
    if "category" in inputs.data:
        code = inputs.short("category")
        values["category_id"] = find_category(session, code).id if code else None
    if "department" in inputs.data:
        code = inputs.short("department")
        values["department_id"] = _find_department(session, code).id if code else None
    for name in ("effective_on", "expires_on"):
        if name in inputs.data:
            values[name] = inputs.day(name, required=False)
    _check_dates(values.get("effective_on"), values.get("expires_on"))
    return values


def _check_dates(effective: date | None, expires: date | None) -> None:
    if effective and expires and expires < effective:
        raise Invalid("'expires_on' is before 'effective_on'")


def find_category(session: Session, code_or_name: str) -> Category:
    category = session.scalar(select(Category).where(Category.code == code_or_name))
    if category is None:
        category = session.scalar(select(Category).where(Category.name == code_or_name).order_by(Category.id))
    if category is None:
        raise Invalid("unknown category '%(code)s'", code=code_or_name)
    return category


def _find_department(session: Session, code: str) -> Department:
    dept = session.scalar(select(Department).where(Department.code == code))
    if dept is None or not dept.active:
        raise Invalid("unknown department '%(code)s'", code=code)
    return dept
