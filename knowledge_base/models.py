"""Knowledge-base tables (SPEC §6): articles and their versions, the search index, the logs.

The search index lives in our own tables so that SQLite and PostgreSQL behave the same: one
row of packed postings per article (`kb_index_documents`), a vocabulary (`kb_terms`), and a
change log whose newest id is the index revision every process compares its copy against.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workorders.models import Base, Category, Department


class ArticleStatus:
    draft = "draft"
    published = "published"
    retired = "retired"
    ALL = ("draft", "published", "retired")


class Article(Base):
    """A standard answer (标准答案) an agent reads out instead of dispatching the order."""

    __tablename__ = "kb_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    # Comma-separated; they weigh as much as the title in search.
    keywords: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(12), index=True)
    effective_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    usage_count: Mapped[int] = mapped_column(Integer, default=0)
    # The number of the newest entry in the version history.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The order whose department reply this article was drafted from.
    source_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))

    category: Mapped[Category | None] = relationship()
    department: Mapped[Department | None] = relationship()

    def keyword_list(self) -> list[str]:
        return [k for k in self.keywords.split(",") if k]

    def __repr__(self) -> str:
        return f"<Article {self.id} {self.status} {self.title[:20]}>"


class ArticleVersion(Base):
    """Every state of an article, kept: who changed it, when, and what it said then."""

    __tablename__ = "kb_article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(Integer)
    department_id: Mapped[int | None] = mapped_column(Integer)
    keywords: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12))
    effective_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    editor_name: Mapped[str] = mapped_column(String(120))
    editor_role: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]


class ArticleUse(Base):
    """An article used for a direct answer (直办): the source of "most used"."""

    __tablename__ = "kb_article_uses"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(index=True)


class SearchLog(Base):
    """One search or suggestion; unclicked and unused ones are the gaps to fill."""

    __tablename__ = "kb_searches"
    __table_args__ = (Index("ix_kb_searches_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # search / suggest
    query: Mapped[str] = mapped_column(String(500))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"), index=True)
    result_count: Mapped[int] = mapped_column(Integer)
    article_ids: Mapped[list[Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(index=True)
    clicked_article_id: Mapped[int | None] = mapped_column(Integer)
    clicked_at: Mapped[datetime | None]
    used_article_id: Mapped[int | None] = mapped_column(Integer)
    used_at: Mapped[datetime | None]


class SynonymGroup(Base):
    """Words that mean the same to a caller (医保 医疗保险); used to widen queries."""

    __tablename__ = "kb_synonym_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Space-separated members.
    terms: Mapped[str] = mapped_column(String(500))


class IndexTerm(Base):
    """The vocabulary: one id per analysed term ('w' word, 'b' bigram, 'u' character + text)."""

    __tablename__ = "kb_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(64), unique=True)


class IndexDocument(Base):
    """An article's postings, packed: little-endian int32 term ids and, per term, four uint8
    frequencies (title, keywords, question, answer). Compact, and one row per article keeps
    re-indexing an edit a single write."""

    __tablename__ = "kb_index_documents"

    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"), primary_key=True)
    term_ids: Mapped[bytes] = mapped_column(LargeBinary)
    freqs: Mapped[bytes] = mapped_column(LargeBinary)


class ArticlePull(Base):
    """How strongly an article comes up for questions it was not written for: the mean of its best
    scores over a sample of what agents look up (`calibration.py`). Search subtracts a share of it,
    so a long article that touches every topic stops crowding out the one written for the question.
    Kept apart from the postings so that an edit of the article does not lose it."""

    __tablename__ = "kb_article_pulls"

    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True)
    pull: Mapped[float] = mapped_column(Float)
    calibrated_at: Mapped[datetime]


class IndexChange(Base):
    """Appended whenever what search sees changes; max(id) is the index revision."""

    __tablename__ = "kb_index_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random: tells apart two changes that got the same id (SQLite reuses a rolled-back id).
    token: Mapped[str] = mapped_column(String(32), default=lambda: uuid.uuid4().hex)
    article_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime]
