"""Searching the knowledge base: BM25F over an in-process copy of the index tables.

Each process keeps one `SearchIndex` per database, built from `kb_index_documents` with numpy.
Every per-posting score is computed once, so a query is a handful of vector additions: the same
code, the same numbers on SQLite and PostgreSQL. When articles change, a process does not rebuild
its copy: it reads the changes since its revision (`kb_index_changes` names the article) and keeps
the changed articles in a small second segment, scored with the large one's corpus statistics,
whose old versions it masks out. Past a threshold of changes, or on a change to everything (the
synonyms, a bulk import, a calibration), it rebuilds the whole copy, which also refreshes the
statistics; a large copy is rebuilt in the background while searches go on with the old one.
"""
from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

import numpy as np
from sqlalchemy import ColumnElement, Engine, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from .models import Article, ArticlePull, ArticleStatus, IndexChange, IndexDocument, IndexTerm, SynonymGroup
from .segment import KIND_ORDER, UNKNOWN_KIND, Segment, kinds_of
from .snippets import highlight, matches, snippet
from .text import BIGRAM, CHAR, FILLER_WEIGHT, WORD, highlight_words, query_terms

log = logging.getLogger("knowledge_base.search")

MAX_QUERY = 500
# How many changes a copy remembers having applied. A copy watches every change above its floor,
# so one that commits after later-numbered ones still reaches it, unless this many came after it.
TRACKED = 256
# The changed articles a copy carries before it is rebuilt: a few, plus a share of the rest.
DELTA_SLACK, DELTA_FRACTION = 16, 0.02


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
    # The share of an article's pull taken off its score (calibration.py; tuned with TOP there).
    pull_weight: float = 0.5


RANKING = Ranking()


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

    def where(self) -> ColumnElement[bool]:
        """The same filters as an SQL condition on `Article`, for lists that do not search."""
        conditions = [Article.status.in_(self.statuses)]
        if self.current_on is not None:
            conditions += [or_(Article.effective_on.is_(None), Article.effective_on <= self.current_on),
                           or_(Article.expires_on.is_(None), Article.expires_on >= self.current_on)]
        if self.category_ids is not None:
            conditions.append(Article.category_id.in_(self.category_ids))
        if self.department_ids is not None:
            conditions.append(Article.department_id.in_(self.department_ids))
        return and_(*conditions)


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float
    snippet: str
    title_html: str


class SearchIndex:
    """The index at one revision: the base segment, built from every article, and the delta
    segment of the articles changed since (their base slots masked out). Never changed once made:
    a change makes a new `SearchIndex` that shares the base, so a search under way is undisturbed."""

    def __init__(self, base: Segment, kinds_by_id: np.ndarray, term_index: dict[str, int], synonyms: list[list[str]],
                 ranking: Ranking, applied: dict[int, str], delta_rows: dict[int, tuple | None] | None = None,
                 new_terms: dict[str, int] | None = None, floor: int = 0):
        self.base, self.kinds_by_id, self.term_index = base, kinds_by_id, term_index
        self.synonyms, self.ranking = synonyms, ranking
        # Every change above `floor` that this copy reflects (id -> token); those at or below it
        # are taken as reflected. Change ids are handed out before their transactions commit, so
        # the ids above the floor that are missing here may still come: the copy watches them all.
        self.floor, self.applied = floor, applied
        # Article id -> its current row, or None for an article no longer there.
        self.delta_rows = delta_rows or {}
        # Terms the base has no postings for (text -> id), met in changed articles.
        self.new_terms = new_terms or {}
        self.delta = None
        self.replaced = None
        if self.delta_rows:
            rows = [self.delta_rows[i] for i in sorted(self.delta_rows) if self.delta_rows[i] is not None]
            self.replaced = np.zeros(base.size, dtype=bool)
            self.replaced[base.slots_of(self.delta_rows)] = True
            added = len(rows) - len(base.slots_of(row[0] for row in rows))
            statistics = replace(base.statistics, size=base.statistics.size + added)
            self.delta = Segment(rows, kinds_by_id, ranking, statistics)
        self.size = base.size - (int(self.replaced.sum()) if self.replaced is not None else 0) + (
            self.delta.size if self.delta is not None else 0)
        self._masks: dict[Filters, np.ndarray] = {}

    @property
    def revision(self) -> int:
        return max(self.applied, default=self.floor)

    @cached_property
    def summary(self) -> tuple[int, int, int | None, str | None]:
        """What `_summary` reads while nothing has changed since this copy: how many changes are
        above the floor, the sum of their ids, the newest id and its token."""
        newest = max(self.applied, default=None)
        return len(self.applied), sum(self.applied), newest, self.applied.get(newest)

    def pending(self, changes: Sequence) -> list | None:
        """Of the changes above the floor (id, token, article id), those this copy has not applied;
        None when it applied one that is gone (rolled back, or its id reused)."""
        seen = {row[0]: row[1] for row in changes}
        if any(seen.get(change_id) != token for change_id, token in self.applied.items()):
            return None
        return [row for row in changes if row[0] not in self.applied]

    def with_changes(self, changes: Sequence, rows: Sequence, new_terms: dict[str, int]) -> SearchIndex:
        """A copy with these changes applied: `rows` are the current rows of the articles they
        name (an article without one is gone)."""
        delta_rows = dict(self.delta_rows)
        delta_rows.update((article_id, None) for _, _, article_id in changes)
        delta_rows.update((row[0], row) for row in rows)
        kinds = self.kinds_by_id
        if new_terms:
            width = max(len(kinds), max(new_terms.values()) + 1)
            kinds = np.concatenate((kinds, np.full(width - len(kinds), UNKNOWN_KIND, dtype=np.int8)))
            for text, term_id in new_terms.items():
                kinds[term_id] = KIND_ORDER.index(text[0]) if text[:1] in KIND_ORDER else 0
        applied = dict(self.applied)
        applied.update((change_id, token) for change_id, token, _ in changes)
        floor = self.floor
        if len(applied) > TRACKED:
            # Forget the oldest: a change still missing below the new floor is no longer awaited.
            kept = sorted(applied)[-TRACKED:]
            floor, applied = kept[0] - 1, {change_id: applied[change_id] for change_id in kept}
        return SearchIndex(self.base, kinds, self.term_index, self.synonyms, self.ranking, applied, delta_rows,
                           {**self.new_terms, **new_terms}, floor=floor)

    def unknown_terms(self, rows: Sequence) -> set[int]:
        """Term ids in `rows` that this copy cannot look up by their text yet."""
        if not rows:
            return set()
        ids = np.unique(np.frombuffer(b"".join(r[6] for r in rows), dtype="<i4").astype(np.int64))
        starts = self.base.starts
        in_base = ids < len(starts) - 1
        in_base[in_base] = starts[ids[in_base]] < starts[ids[in_base] + 1]
        known = set(self.new_terms.values())
        return {int(i) for i in ids[~in_base] if int(i) not in known}

    def delta_limit(self) -> int:
        return DELTA_SLACK + int(DELTA_FRACTION * self.base.size)

    # --- querying ---------------------------------------------------------------------------

    def weights(self, query: str) -> dict[str, float]:
        return query_terms(query, self.synonyms, self.ranking.synonym_weight)

    def _base_allowed(self, filters: Filters) -> np.ndarray:
        if self.replaced is None:
            return self.base.allowed(filters)
        mask = self._masks.get(filters)
        if mask is None:
            if len(self._masks) > 32:
                self._masks.clear()
            mask = self._masks[filters] = self.base.allowed(filters) & ~self.replaced
        return mask

    def top(self, weights: dict[str, float], filters: Filters, limit: int) -> list[tuple[int, float]]:
        """(article id, score) best first; equal scores in article id order, so the answer is
        the same on every database and in every process."""
        if self.size == 0 or limit <= 0:
            return []
        weighted, any_strong = self._weighted(weights)
        ids, scores = self.base.top(weighted, self._base_allowed(filters), limit, any_strong)
        if self.delta is not None:
            more_ids, more_scores = self.delta.top(weighted, self.delta.allowed(filters), limit, any_strong)
            ids, scores = np.concatenate((ids, more_ids)), np.concatenate((scores, more_scores))
        order = np.lexsort((ids, -scores))[:limit]
        return [(int(ids[i]), float(scores[i])) for i in order]

    def every_score(self, weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """(article ids, scores before the pull) of every article in the copy, matching or not,
        in an order fixed for the copy: what calibration measures the pull with."""
        weighted, any_strong = self._weighted(weights)
        scores, _ = self.base.scores(weighted, any_strong)
        ids = self.base.article_ids
        if self.replaced is not None:
            ids, scores = ids[~self.replaced], scores[~self.replaced]
        if self.delta is not None:
            more, _ = self.delta.scores(weighted, any_strong)
            ids, scores = np.concatenate((ids, self.delta.article_ids)), np.concatenate((scores, more))
        return ids, scores

    def _weighted(self, weights: dict[str, float]) -> tuple[list[tuple[int, float, bool]], bool]:
        """(term id, weight, strong) of the query's terms this copy knows, and whether the query
        has a strong term at all."""
        # A filler word (什么, 材料 …) shares nothing worth a match (text.FILLERS).
        strong = {t for t, weight in weights.items()
                  if ((t[0] == WORD and len(t) > 2) or t[0] == BIGRAM) and weight > FILLER_WEIGHT}
        weighted = []
        for term, weight in weights.items():
            term_id = self.term_index.get(term)
            if term_id is None:
                term_id = self.new_terms.get(term)
            if term_id is not None:
                weighted.append((term_id, weight, term in strong))
        return weighted, bool(strong)


# --- the per-process copy -------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, SearchIndex] = {}
# How often this process built a copy from scratch ("full", or "background" while searches went
# on with the old copy) or applied changes to one ("delta").
loads: Counter[str] = Counter()
# A copy this large is rebuilt in a thread of its own while searches go on with the old one: a
# rebuild at 100,000 articles takes about 20 s, and every search of the process would wait for it.
BACKGROUND_REBUILD_FROM = 20_000
# The databases whose copy is being rebuilt in the background -> the thread doing it.
_rebuilding: dict[str, threading.Thread] = {}


def load_index(session: Session, ranking: Ranking = RANKING) -> SearchIndex:
    """This process's copy, brought up to date. Each search asks one small question, the summary of
    the changes above the copy's floor; only when it differs from the copy's are they read."""
    key = str(session.get_bind().engine.url)
    cached = _cache.get(key)
    if cached is not None and cached.ranking == ranking and (
            key in _rebuilding or cached.summary == _summary(session, cached.floor)):
        return cached
    with _lock:
        cached = _cache.get(key)
        index = None
        if cached is not None and cached.ranking == ranking:
            # Past this many, rebuilding costs less than reading the changes and applying them.
            enough = len(cached.applied) + max(TRACKED, cached.delta_limit()) + 1
            above = _changes_above(session, cached.floor, enough)
            changes = cached.pending(above) if len(above) < enough else None
            if changes == []:
                return cached
            if changes is not None:
                index = _apply_changes(session, cached, changes)
        if index is None:
            bind = session.get_bind()
            if (cached is not None and cached.ranking == ranking and cached.size >= BACKGROUND_REBUILD_FROM
                    and isinstance(bind, Engine)):
                _rebuild_in_background(key, bind, ranking)
                return cached
            index = build_index(session, ranking=ranking)
            loads["full"] += 1
        else:
            loads["delta"] += 1
        _cache[key] = index
        return index


def _rebuild_in_background(key: str, engine: Engine, ranking: Ranking) -> None:
    """Build a new copy in a thread with its own session; the old copy serves until it is done.
    Called under `_lock`. A failed rebuild is logged, and the next search tries again."""
    def rebuild() -> None:
        try:
            with Session(engine) as session:
                index = build_index(session, ranking=ranking)
            with _lock:
                _cache[key] = index
                loads["background"] += 1
        except Exception:
            log.exception("rebuilding the knowledge-base index copy failed; searches go on with the old one")
        finally:
            _rebuilding.pop(key, None)

    if key not in _rebuilding:
        thread = _rebuilding[key] = threading.Thread(target=rebuild, name="kb-index-rebuild", daemon=True)
        thread.start()


def wait_for_rebuilds(timeout: float | None = None) -> None:
    """Wait for the background rebuilds under way (the benchmark and the tests)."""
    for thread in list(_rebuilding.values()):
        thread.join(timeout)


def _summary(session: Session, floor: int) -> tuple[int, int, int | None, str | None]:
    """How many changes there are above `floor`, the sum of their ids, the newest id and its token:
    a change that commits late adds to the count even below the newest, a rolled-back one takes
    from it, and an id SQLite hands out again after a rollback comes with another token."""
    count, total, newest, token = session.execute(_SUMMARY, {"floor": floor}).one()
    return count, int(total or 0), newest, token


_newest = aliased(IndexChange)
# Made once: it runs on every search, and building it costs more than running it.
_SUMMARY = select(
    func.count(IndexChange.id), func.sum(IndexChange.id), func.max(IndexChange.id),
    select(_newest.token).where(_newest.id > bindparam("floor")).order_by(_newest.id.desc()).limit(1)
    .scalar_subquery(),
).where(IndexChange.id > bindparam("floor"))


def _changes_above(session: Session, floor: int, limit: int) -> list:
    """(id, token, article id) of the first `limit` changes above `floor`, in id order."""
    return session.execute(
        select(IndexChange.id, IndexChange.token, IndexChange.article_id)
        .where(IndexChange.id > floor).order_by(IndexChange.id).limit(limit)
    ).all()


def _apply_changes(session: Session, cached: SearchIndex, changes: list) -> SearchIndex | None:
    """The cached copy with `changes` applied, or None when rebuilding is the better course."""
    article_ids = {article_id for _, _, article_id in changes}
    if None in article_ids or len(article_ids | cached.delta_rows.keys()) > cached.delta_limit():
        return None
    rows = _article_rows(session, sorted(article_ids))
    unknown = cached.unknown_terms(rows)
    new_terms = {}
    for chunk in _chunks(sorted(unknown), 900):
        new_terms.update(session.execute(select(IndexTerm.text, IndexTerm.id).where(IndexTerm.id.in_(chunk))).all())
    return cached.with_changes(changes, rows, new_terms)


def _article_rows(session: Session, article_ids: list[int] | None = None) -> list:
    query = (
        select(Article.id, Article.status, Article.effective_on, Article.expires_on, Article.category_id,
               Article.department_id, IndexDocument.term_ids, IndexDocument.freqs, ArticlePull.pull)
        .join(IndexDocument, IndexDocument.article_id == Article.id)
        .outerjoin(ArticlePull, ArticlePull.article_id == Article.id)
        .order_by(Article.id)
    )
    if article_ids is None:
        return session.execute(query).all()
    return [row for chunk in _chunks(article_ids, 900) for row in session.execute(query.where(Article.id.in_(chunk)))]


def build_index(session: Session, ranking: Ranking = RANKING) -> SearchIndex:
    """A copy built from every article. The newest changes are read before the articles, so that
    nothing the copy lacks can hide among the changes it believes applied; a change among them
    whose id is missing may still commit, and the copy watches for it."""
    changes = session.execute(
        select(IndexChange.id, IndexChange.token, IndexChange.article_id).order_by(IndexChange.id.desc())
        .limit(TRACKED)
    ).all()
    floor = changes[-1][0] - 1 if len(changes) == TRACKED else 0
    rows = _article_rows(session)
    vocabulary = dict(session.execute(select(IndexTerm.id, IndexTerm.text)).all())
    kinds = kinds_of(vocabulary)
    base = Segment(rows, kinds, ranking)
    term_index = {vocabulary[int(i)]: int(i) for i in base.term_ids if int(i) in vocabulary}
    synonyms = [g.split() for g in session.scalars(select(SynonymGroup.terms).order_by(SynonymGroup.id))]
    applied = {change_id: token for change_id, token, _ in changes}
    return SearchIndex(base, kinds, term_index, synonyms, ranking, applied, floor=floor)


def forget_indexes() -> None:
    """Drop every cached copy (the benchmark measures cold builds)."""
    with _lock:
        _cache.clear()


def _chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


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
