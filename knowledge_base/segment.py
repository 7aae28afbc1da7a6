"""Scored postings of a set of articles: what a query adds up.

A segment holds, for each of its articles, the columns the filters look at (status, dates,
category, department) and, for each term, the slots of the articles that have it with each one's
BM25F contribution, computed once. The search index is one large segment built at a revision and
a small one of the articles changed since (see `search.SearchIndex`): the small one is scored with
the large one's corpus statistics, so an edit costs what the edited article costs.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from .models import ArticleStatus
from .text import BIGRAM, CHAR, WORD

STATUS_CODES = {s: i for i, s in enumerate(ArticleStatus.ALL)}
NO_DATE_BEFORE, NO_DATE_AFTER = 0, 10**7
KIND_ORDER = (WORD, BIGRAM, CHAR)
UNKNOWN_KIND = -1
# Terms in more than this share of the articles (and at least DENSE_MIN of them) are kept dense.
DENSE_FRACTION, DENSE_MIN = 0.2, 2000


@dataclass(frozen=True)
class Statistics:
    """What BM25 needs of the whole collection: how many articles, the mean field-weighted length
    of each kind of term, and each term's document frequency (indexed by term id)."""

    size: int
    average_lengths: np.ndarray
    df: np.ndarray

    def df_of(self, term_ids: np.ndarray) -> np.ndarray:
        out = np.zeros(len(term_ids), dtype=np.int64)
        known = term_ids < len(self.df)
        out[known] = self.df[term_ids[known]]
        return out


def kinds_of(vocabulary: dict[int, str], size: int = 0) -> np.ndarray:
    """Term id -> index of its kind in KIND_ORDER (UNKNOWN_KIND for ids not in `vocabulary`)."""
    size = max(size, max(vocabulary, default=0) + 1)
    kinds = np.full(size, UNKNOWN_KIND, dtype=np.int8)
    for term_id, text in vocabulary.items():
        kinds[term_id] = KIND_ORDER.index(text[0]) if text[:1] in KIND_ORDER else 0
    return kinds


class Segment:
    """Rows are (article id, status, effective_on, expires_on, category id, department id,
    packed term ids, packed frequencies, pull or None), in article id order. Without `statistics` the segment
    describes the whole collection and computes its own; with them it is scored as a part of
    that collection."""

    def __init__(self, rows: Sequence, kinds_by_id: np.ndarray, ranking, statistics: Statistics | None = None):
        self.ranking = ranking
        self._masks: dict = {}
        n = self.size = len(rows)
        self.article_ids = np.array([r[0] for r in rows], dtype=np.int64)
        self.status = np.array([STATUS_CODES.get(r[1], -1) for r in rows], dtype=np.int8)
        self.effective = np.array([_ordinal(r[2], NO_DATE_BEFORE) for r in rows], dtype=np.int32)
        self.expires = np.array([_ordinal(r[3], NO_DATE_AFTER) for r in rows], dtype=np.int32)
        self.category = np.array([r[4] if r[4] is not None else -1 for r in rows], dtype=np.int32)
        self.department = np.array([r[5] if r[5] is not None else -1 for r in rows], dtype=np.int32)
        self.pull = np.array([r[8] or 0.0 for r in rows], dtype=np.float32)

        counts = np.fromiter((len(r[6]) // 4 for r in rows), dtype=np.int64, count=n)
        term_ids = np.frombuffer(b"".join(r[6] for r in rows), dtype="<i4").astype(np.int64)
        freqs = np.frombuffer(b"".join(r[7] for r in rows), dtype=np.uint8).reshape(-1, 4)
        slots = np.repeat(np.arange(n, dtype=np.int32), counts)
        # Term ids are small dense integers: they index the per-term arrays directly.
        width = max(int(term_ids.max()) + 1 if len(term_ids) else 1, len(kinds_by_id))
        if width > len(kinds_by_id):
            kinds_by_id = np.concatenate((kinds_by_id, np.full(width - len(kinds_by_id), UNKNOWN_KIND, np.int8)))
        kinds = np.maximum(kinds_by_id[term_ids], 0)

        weighted = freqs.astype(np.float32) @ np.array(ranking.field_weights, dtype=np.float32)
        lengths = np.bincount(kinds.astype(np.int64) * n + slots, weights=weighted, minlength=3 * n).reshape(3, n)
        df_counts = np.bincount(term_ids, minlength=width)
        if statistics is None:
            averages = lengths.mean(axis=1) if n else np.zeros(3)
            statistics = Statistics(n, averages, df_counts)
            df, collection = df_counts[term_ids], n
        else:
            # A term new since the collection was counted has at least the articles here.
            df = np.maximum(statistics.df_of(term_ids), df_counts[term_ids])
            collection = max(statistics.size, int(df.max()) if len(df) else 0)
        self.statistics = statistics
        idf = np.log1p((collection - df + 0.5) / (df + 0.5))

        scores = np.empty(len(term_ids), dtype=np.float32)
        for k, name in enumerate(KIND_ORDER):
            params = ranking.kinds[name]
            chosen = kinds == k
            average = statistics.average_lengths[k] or (lengths[k].mean() if n else 0.0)
            relative = lengths[k][slots[chosen]] / average if average > 0 else 1.0
            tf = weighted[chosen]
            saturation = params.k1 * (1 - params.b + params.b * relative)
            scores[chosen] = params.weight * idf[chosen] * tf * (params.k1 + 1) / (tf + saturation)

        order = np.argsort(term_ids, kind="stable")
        self.post_slots = slots[order]
        self.post_scores = scores[order]
        self.starts = np.concatenate(([0], np.cumsum(df_counts))).astype(np.int64)
        self.term_ids = np.flatnonzero(df_counts)
        # The commonest terms (的, 市, 小区 …) touch a large share of all articles: as dense rows
        # they are added in one contiguous sweep instead of a scatter over their postings.
        common = np.flatnonzero(df_counts > max(DENSE_FRACTION * n, DENSE_MIN))
        self.dense = np.zeros((len(common), n), dtype=np.float32)
        self.dense_rows: dict[int, int] = {}
        for row, i in enumerate(common):
            a, b = self.starts[i], self.starts[i + 1]
            self.dense[row, self.post_slots[a:b]] = self.post_scores[a:b]
            self.dense_rows[int(i)] = row

    @property
    def nbytes(self) -> int:
        return self.post_slots.nbytes + self.post_scores.nbytes + self.dense.nbytes + self.starts.nbytes

    def slots_of(self, article_ids) -> np.ndarray:
        """The slots of those of `article_ids` that are in this segment."""
        wanted = np.fromiter(article_ids, dtype=np.int64)
        at = np.searchsorted(self.article_ids, wanted)
        at = at[at < self.size]
        return at[np.isin(self.article_ids[at], wanted)]

    # --- querying ---------------------------------------------------------------------------

    def allowed(self, filters) -> np.ndarray:
        """Which articles the filters let through (kept: agents' filters change once a day)."""
        mask = self._masks.get(filters)
        if mask is None:
            if len(self._masks) > 32:
                self._masks.clear()
            mask = self._masks[filters] = self._mask(filters)
        return mask

    def _mask(self, filters) -> np.ndarray:
        mask = np.isin(self.status, [STATUS_CODES[s] for s in filters.statuses])
        if filters.current_on is not None:
            day = filters.current_on.toordinal()
            mask &= (self.effective <= day) & (self.expires >= day)
        if filters.category_ids is not None:
            mask &= np.isin(self.category, list(filters.category_ids))
        if filters.department_ids is not None:
            mask &= np.isin(self.department, list(filters.department_ids))
        return mask

    def top(self, weighted: list[tuple[int, float, bool]], allowed: np.ndarray, limit: int,
            any_strong: bool) -> tuple[np.ndarray, np.ndarray]:
        """Article ids and scores of the best `limit` allowed matches (more on a tie at the
        edge), for (term id, weight, strong) triples. Unless the query has no strong term, an
        article must share one: a shared character alone is no match ("停水" is not about 停电).
        A share of each article's pull is taken off its score (see `calibration`)."""
        if self.size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores, found = self.scores(weighted, any_strong)
        candidates = np.flatnonzero(found & allowed)
        scores = scores[candidates] - np.float32(self.ranking.pull_weight) * self.pull[candidates]
        if len(candidates) > limit:
            kth = -np.partition(-scores, limit - 1)[limit - 1]
            keep = scores >= kth
            candidates, scores = candidates[keep], scores[keep]
        return self.article_ids[candidates], scores

    def scores(self, weighted: list[tuple[int, float, bool]], any_strong: bool) -> tuple[np.ndarray, np.ndarray]:
        """Every article's score before the pull is taken off, and which articles match."""
        scores = np.zeros(self.size, dtype=np.float32)
        matched = np.zeros(self.size, dtype=bool) if any_strong else None
        for term_id, weight, strong in weighted:
            if term_id >= len(self.starts) - 1:
                continue
            row = self.dense_rows.get(term_id)
            if row is not None:
                scores += np.float32(weight) * self.dense[row]
                if strong:
                    matched |= self.dense[row] > 0
                continue
            a, b = self.starts[term_id], self.starts[term_id + 1]
            if a == b:
                continue
            slots = self.post_slots[a:b]
            scores[slots] += np.float32(weight) * self.post_scores[a:b]
            if strong:
                matched[slots] = True
        return scores, (scores > 0) if matched is None else matched


def _ordinal(day: date | None, missing: int) -> int:
    return day.toordinal() if day else missing
