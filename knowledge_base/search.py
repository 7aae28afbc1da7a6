"""Searching the knowledge base: BM25F over an in-process copy of the index tables.

Each process keeps one `SearchIndex` per database, built from `kb_index_documents` with numpy
and rebuilt only when the index revision changes (as `workorders.calendar_store` does for the
calendar). Every per-posting score is computed once per revision, so a query is a handful of
vector additions: the same code, the same numbers on SQLite and PostgreSQL.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Article, ArticleStatus, IndexChange, IndexDocument, IndexTerm, SynonymGroup
from .snippets import highlight, matches, snippet
from .text import BIGRAM, CHAR, WORD, highlight_words, query_terms

MAX_QUERY = 500
STATUS_CODES = {s: i for i, s in enumerate(ArticleStatus.ALL)}
NO_DATE_BEFORE, NO_DATE_AFTER = 0, 10**7
# Terms in more than this share of the articles (and at least DENSE_MIN of them) are kept dense.
DENSE_FRACTION, DENSE_MIN = 0.2, 2000


@dataclass(frozen=True)
class KindRanking:
    weight: float
    k1: float
    b: float


@dataclass(frozen=True)
class Ranking:
    """BM25F: fields scale term frequencies before saturation; each kind of term has its own
    saturation and weight. Tuned on the citizen-message relevance test (scripts/bench_kb.py)."""

    field_weights: tuple[float, float, float, float] = (3.0, 3.0, 1.5, 1.0)  # title, keywords, question, answer
    kinds: dict[str, KindRanking] = field(default_factory=lambda: {
        WORD: KindRanking(1.0, 1.2, 0.9),
        BIGRAM: KindRanking(0.35, 1.2, 0.9),
        CHAR: KindRanking(0.3, 0.6, 0.9),
    })
    synonym_weight: float = 0.25


RANKING = Ranking()
KIND_ORDER = (WORD, BIGRAM, CHAR)


@dataclass(frozen=True)
class Filters:
    """Which articles may come back. `current_on` keeps only articles in effect that day."""

    statuses: tuple[str, ...] = (ArticleStatus.published,)
    current_on: date | None = None
    category_ids: frozenset[int] | None = None
    department_ids: frozenset[int] | None = None

    @classmethod
    def for_agents(cls, today: date, **kw) -> Filters:
        """Expired, not yet effective and unpublished articles are never suggested."""
        return cls(statuses=(ArticleStatus.published,), current_on=today, **kw)


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float
    snippet: str
    title_html: str


class SearchIndex:
    def __init__(self, revision: tuple[int, str], ranking: Ranking, synonyms: list[list[str]], rows, vocabulary):
        self.revision, self.ranking, self.synonyms = revision, ranking, synonyms
        self._masks: dict[Filters, np.ndarray] = {}
        meta = [r[:6] for r in rows]
        n = len(meta)
        self.size = n
        self.article_ids = np.array([m[0] for m in meta], dtype=np.int64)
        self.status = np.array([STATUS_CODES.get(m[1], -1) for m in meta], dtype=np.int8)
        self.effective = np.array([m[2].toordinal() if m[2] else NO_DATE_BEFORE for m in meta], dtype=np.int32)
        self.expires = np.array([m[3].toordinal() if m[3] else NO_DATE_AFTER for m in meta], dtype=np.int32)
        self.category = np.array([m[4] if m[4] is not None else -1 for m in meta], dtype=np.int32)
        self.department = np.array([m[5] if m[5] is not None else -1 for m in meta], dtype=np.int32)
        self._build_postings(n, [r[6] for r in rows], [r[7] for r in rows], vocabulary)

    def _build_postings(self, n: int, id_blobs: list[bytes], freq_blobs: list[bytes], vocabulary) -> None:
        counts = np.fromiter((len(b) // 4 for b in id_blobs), dtype=np.int64, count=n)
        term_ids = np.frombuffer(b"".join(id_blobs), dtype="<i4")
        freqs = np.frombuffer(b"".join(freq_blobs), dtype=np.uint8).reshape(-1, 4)
        slots = np.repeat(np.arange(n, dtype=np.int32), counts)
        # Term ids are small dense integers: they index the per-term arrays directly.
        size = max(int(term_ids.max()) + 1 if len(term_ids) else 1, max(vocabulary, default=0) + 1)
        kind_of_id = np.zeros(size, dtype=np.int8)
        for term_id, text in vocabulary.items():
            kind_of_id[term_id] = KIND_ORDER.index(text[0]) if text[:1] in KIND_ORDER else 0
        kinds = kind_of_id[term_ids]

        weighted = freqs.astype(np.float32) @ np.array(self.ranking.field_weights, dtype=np.float32)
        lengths = np.bincount(kinds.astype(np.int64) * n + slots, weights=weighted, minlength=3 * n).reshape(3, n)
        df_counts = np.bincount(term_ids, minlength=size)
        df = df_counts.astype(np.float64)
        idf = np.log1p((n - df + 0.5) / (df + 0.5))

        scores = np.empty(len(term_ids), dtype=np.float32)
        for k, name in enumerate(KIND_ORDER):
            params = self.ranking.kinds[name]
            chosen = kinds == k
            average = lengths[k].mean() if n else 0.0
            relative = lengths[k][slots[chosen]] / average if average > 0 else 1.0
            tf = weighted[chosen]
            saturation = params.k1 * (1 - params.b + params.b * relative)
            scores[chosen] = params.weight * idf[term_ids[chosen]] * tf * (params.k1 + 1) / (tf + saturation)

        order = np.argsort(term_ids, kind="stable")
        self.post_slots = slots[order]
        self.post_scores = scores[order]
        self.starts = np.concatenate(([0], np.cumsum(df_counts))).astype(np.int64)
        self.term_index = {vocabulary[int(i)]: int(i) for i in np.flatnonzero(df_counts) if int(i) in vocabulary}
        # The commonest terms (的, 市, 小区 …) touch a large share of all articles: as dense rows
        # they are added in one contiguous sweep instead of a scatter over their postings.
        common = np.flatnonzero(df_counts > max(DENSE_FRACTION * n, DENSE_MIN))
        self.dense = np.zeros((len(common), n), dtype=np.float32)
        self.dense_rows: dict[int, int] = {}
        for row, i in enumerate(common):
            a, b = self.starts[i], self.starts[i + 1]
            self.dense[row, self.post_slots[a:b]] = self.post_scores[a:b]
            self.dense_rows[int(i)] = row

    # --- querying ---------------------------------------------------------------------------

    def allowed(self, filters: Filters) -> np.ndarray:
        """Which articles the filters let through (kept: agents' filters change once a day)."""
        mask = self._masks.get(filters)
        if mask is None:
            if len(self._masks) > 32:
                self._masks.clear()
            mask = self._masks[filters] = self._mask(filters)
        return mask

    def _mask(self, filters: Filters) -> np.ndarray:
        mask = np.isin(self.status, [STATUS_CODES[s] for s in filters.statuses])
        if filters.current_on is not None:
            day = filters.current_on.toordinal()
            mask &= (self.effective <= day) & (self.expires >= day)
        if filters.category_ids is not None:
            mask &= np.isin(self.category, list(filters.category_ids))
        if filters.department_ids is not None:
            mask &= np.isin(self.department, list(filters.department_ids))
        return mask

    def weights(self, query: str) -> dict[str, float]:
        return query_terms(query, self.synonyms, self.ranking.synonym_weight)

    def top(self, weights: dict[str, float], filters: Filters, limit: int) -> list[tuple[int, float]]:
        """(article id, score) best first; equal scores in article id order, so the answer is
        the same on every database and in every process."""
        if self.size == 0 or limit <= 0:
            return []
        scores = np.zeros(self.size, dtype=np.float32)
        # A shared character alone is no match ("停水" is not about 停电): an article must share
        # a word or a bigram with the query, unless the query has none (a single character).
        strong = {t for t in weights if (t[0] == WORD and len(t) > 2) or t[0] == BIGRAM}
        matched = np.zeros(self.size, dtype=bool) if strong else None
        for term, weight in weights.items():
            i = self.term_index.get(term)
            if i is None:
                continue
            row = self.dense_rows.get(i)
            if row is not None:
                scores += np.float32(weight) * self.dense[row]
                if term in strong:
                    matched |= self.dense[row] > 0
                continue
            a, b = self.starts[i], self.starts[i + 1]
            slots = self.post_slots[a:b]
            scores[slots] += np.float32(weight) * self.post_scores[a:b]
            if term in strong:
                matched[slots] = True
        found = (scores > 0) if matched is None else matched
        candidates = np.flatnonzero(found & self.allowed(filters))
        if len(candidates) > limit:
            kth = -np.partition(-scores[candidates], limit - 1)[limit - 1]
            candidates = candidates[scores[candidates] >= kth]
        order = np.lexsort((self.article_ids[candidates], -scores[candidates]))[:limit]
        chosen = candidates[order]
        return [(int(self.article_ids[s]), float(scores[s])) for s in chosen]


# --- the per-process copy -------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, SearchIndex] = {}


def current_revision(session: Session) -> tuple[int, str]:
    row = session.execute(
        select(IndexChange.id, IndexChange.token).order_by(IndexChange.id.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, "")


def load_index(session: Session, ranking: Ranking = RANKING) -> SearchIndex:
    key = str(session.get_bind().engine.url)
    revision = current_revision(session)
    cached = _cache.get(key)
    if cached is not None and cached.revision == revision and cached.ranking == ranking:
        return cached
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached.revision == revision and cached.ranking == ranking:
            return cached
        index = build_index(session, revision, ranking)
        _cache[key] = index
        return index


def build_index(session: Session, revision: tuple[int, str], ranking: Ranking = RANKING) -> SearchIndex:
    rows = session.execute(
        select(Article.id, Article.status, Article.effective_on, Article.expires_on, Article.category_id,
               Article.department_id, IndexDocument.term_ids, IndexDocument.freqs)
        .join(IndexDocument, IndexDocument.article_id == Article.id)
        .order_by(Article.id)
    ).all()
    vocabulary = dict(session.execute(select(IndexTerm.id, IndexTerm.text)).all())
    synonyms = [g.split() for g in session.scalars(select(SynonymGroup.terms).order_by(SynonymGroup.id))]
    return SearchIndex(revision, ranking, synonyms, rows, vocabulary)


def forget_indexes() -> None:
    """Drop every cached copy (the benchmark measures cold builds)."""
    with _lock:
        _cache.clear()


# --- the operation --------------------------------------------------------------------------

def search(session: Session, query: str, filters: Filters, limit: int = 10) -> list[Hit]:
    index = load_index(session)
    weights = index.weights(query[:MAX_QUERY])
    ranked = index.top(weights, filters, limit)
    if not ranked:
        return []
    articles = {a.id: a for a in session.scalars(select(Article).where(Article.id.in_([i for i, _ in ranked])))}
    marks = highlight_words(weights)
    return [
        Hit(articles[i], round(score, 4), _snippet(articles[i], marks), highlight(articles[i].title, marks))
        for i, score in ranked
    ]


def _snippet(article: Article, marks: list[str]) -> str:
    """From the answer, unless the question holds more of the query's words."""
    answer, question = article.answer or "", article.question or ""
    best = answer
    if question:
        if len(matches(question, marks)) > len(matches(answer, marks)):
            best = question
    return snippet(best, marks)


def category_scope(categories: Iterable[tuple[int, int | None]], root_id: int) -> frozenset[int]:
    """A category and all below it: filtering by 劳动社保 includes its sub-categories."""
    children: dict[int | None, list[int]] = {}
    for cid, parent in categories:
        children.setdefault(parent, []).append(cid)
    scope, todo = set(), [root_id]
    while todo:
        current = todo.pop()
        if current not in scope:
            scope.add(current)
            todo.extend(children.get(current, []))
    return frozenset(scope)
