"""Writing the search index: analyse articles, store their packed postings, bump the revision.

Every write that changes what search sees (text, status, dates, category, department, the
synonyms) calls `reindex` or `touch` in the same transaction, so the index never disagrees with
the articles it describes.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

import numpy as np
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from .models import Article, IndexChange, IndexDocument, IndexTerm
from .text import document_terms

BATCH = 500
# Up to this many articles re-indexed at once are announced one by one (see search.load_index).
PER_ARTICLE_CHANGES = 16


def revision(session: Session) -> int:
    return session.scalar(select(func.max(IndexChange.id))) or 0


def touch(session: Session, now: datetime, article_id: int | None = None) -> None:
    """Tell every process its copy of the index is out of date: in this article only (each
    process then re-reads just that one), or in everything (`article_id` None: a rebuild)."""
    session.add(IndexChange(article_id=article_id, at=now))
    session.flush()


def touch_articles(session: Session, now: datetime, article_ids: Sequence[int]) -> None:
    """One change per article for a few; past that, one change to everything."""
    if len(article_ids) > PER_ARTICLE_CHANGES:
        touch(session, now)
        return
    session.add_all([IndexChange(article_id=article_id, at=now) for article_id in article_ids])
    session.flush()


def pack(postings: dict[str, list[int]], term_ids: dict[str, int]) -> tuple[bytes, bytes]:
    ordered = sorted(postings, key=term_ids.__getitem__)
    ids = np.fromiter((term_ids[t] for t in ordered), dtype="<i4", count=len(ordered))
    freqs = np.array([postings[t] for t in ordered], dtype=np.int64).reshape(-1, 4)
    return ids.tobytes(), np.minimum(freqs, 255).astype(np.uint8).tobytes()


def analyse(article: Article) -> dict[str, list[int]]:
    return document_terms(article.title, article.keyword_list(), article.question or "", article.answer)


class Vocabulary:
    """Term ids, looked up and created in bulk; safe when two writers add the same term."""

    def __init__(self, session: Session, preload: bool = False):
        self.session = session
        self.ids: dict[str, int] = {}
        if preload:
            self.ids = dict(session.execute(select(IndexTerm.text, IndexTerm.id)).all())
        self.complete = preload

    def resolve(self, wanted: Iterable[str]) -> dict[str, int]:
        missing = [t for t in set(wanted) if t not in self.ids]
        if missing and not self.complete:
            for chunk in _chunks(missing, 900):
                rows = self.session.execute(select(IndexTerm.text, IndexTerm.id).where(IndexTerm.text.in_(chunk)))
                self.ids.update(rows.all())
            missing = [t for t in missing if t not in self.ids]
        if missing:
            self._insert(sorted(missing))
        return self.ids

    def _insert(self, new_terms: list[str]) -> None:
        dialect = self.session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert
        for chunk in _chunks(new_terms, 2000):
            self.session.execute(upsert(IndexTerm).on_conflict_do_nothing(), [{"text": t} for t in chunk])
            rows = self.session.execute(select(IndexTerm.text, IndexTerm.id).where(IndexTerm.text.in_(chunk)))
            self.ids.update(rows.all())


def reindex(session: Session, articles: Sequence[Article], now: datetime,
            vocabulary: Vocabulary | None = None) -> None:
    """(Re)write the postings of these articles and bump the revision once."""
    if not articles:
        return
    session.flush()
    vocabulary = vocabulary or Vocabulary(session)
    analysed = [(a.id, analyse(a)) for a in articles]
    term_ids = vocabulary.resolve(t for _, postings in analysed for t in postings)
    ids = [article_id for article_id, _ in analysed]
    for chunk in _chunks(ids, 900):
        session.execute(delete(IndexDocument).where(IndexDocument.article_id.in_(chunk)))
    rows = []
    for article_id, postings in analysed:
        packed_ids, freqs = pack(postings, term_ids)
        rows.append({"article_id": article_id, "term_ids": packed_ids, "freqs": freqs})
    session.execute(insert(IndexDocument), rows)
    touch_articles(session, now, ids)


def reindex_all(session: Session, now: datetime, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild every article's postings (after a change to the analysis itself)."""
    vocabulary = Vocabulary(session, preload=True)
    ids = session.scalars(select(Article.id).order_by(Article.id)).all()
    for chunk in _chunks(ids, BATCH):
        articles = session.scalars(select(Article).where(Article.id.in_(chunk))).all()
        reindex(session, articles, now, vocabulary)
        if progress:
            progress(len(chunk))
    return len(ids)


def _chunks(items: Sequence, size: int):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]
