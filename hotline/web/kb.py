"""The knowledge base as the desk needs it: ranked suggestions for a caller's words.

Search is `knowledge_base.search` (Chinese-aware BM25F; expired or unpublished articles are never
suggested to agents). Its snippets are escaped HTML with <mark> around the matched words; the
pages get them as (text, marked) pieces, so the browser only ever inserts text.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge_base import operations
from knowledge_base import search as kb_search
from knowledge_base.models import Article
from workorders.deadlines import local_date
from workorders.models import WorkOrder
from workorders.vocabulary import Role

from .. import db
from ..runtime import clock, timezone

MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


@dataclass(frozen=True)
class Suggestion:
    article_id: int
    title: str
    answer: str
    pieces: tuple[tuple[str, bool], ...]  # the snippet: (text, is a matched word)

    @property
    def snippet(self) -> str:
        return "".join(text for text, _ in self.pieces)

    def to_json(self) -> dict:
        return {"id": self.article_id, "title": self.title, "answer": self.answer,
                "snippet": [[text, marked] for text, marked in self.pieces]}


def pieces(snippet_html: str) -> tuple[tuple[str, bool], ...]:
    """'a<mark>b</mark>c' (escaped HTML) -> (('a', False), ('b', True), ('c', False))."""
    out, cursor = [], 0
    for match in MARK.finditer(snippet_html):
        if match.start() > cursor:
            out.append((html.unescape(snippet_html[cursor:match.start()]), False))
        out.append((html.unescape(match.group(1)), True))
        cursor = match.end()
    if cursor < len(snippet_html):
        out.append((html.unescape(snippet_html[cursor:]), False))
    return tuple(out)


def suggest(session: Session, text: str, now: datetime, limit: int = 5) -> list[Suggestion]:
    """Published articles in effect today, best first, for what the caller said."""
    text = (text or "").strip()
    if not text:
        return []
    filters = kb_search.Filters.for_agents(local_date(now, timezone()))
    return [
        Suggestion(hit.article.id, hit.article.title, hit.article.answer, pieces(hit.snippet))
        for hit in kb_search.search(session, text, filters, limit=limit)
    ]


# --- the order page's offers (kept here, not in kb_pages, which renders the order page itself) ---

def may_draft_from(order: WorkOrder) -> bool:
    """Whether the order page offers to turn the department's reply into a draft article."""
    actor = current_user.actor
    if not order.reply_text:
        return False
    return actor.role == Role.supervisor or (actor.role == Role.department and order.department_id is not None
                                              and actor.department_id == order.department_id)


def drafted_from(order: WorkOrder) -> list[Article]:
    """The articles already drafted from this order's reply that this user may open."""
    rows = db.session().scalars(select(Article).where(Article.source_order_id == order.id).order_by(Article.id))
    today = local_date(clock().now(), timezone())
    return [a for a in rows if operations.can_read(current_user.actor, a, today)]
