"""Calibration: how strongly each article comes up whatever the question, measured on real queries.

Some articles match almost every question on their topic: long ones that mention everything, a
policy digest that names every benefit. Ranked by BM25 alone they crowd out the short article
written for the very question the caller asked. Calibration scores a sample of what agents
actually look up (past searches and orders, `hotline kb calibrate`) against every article and
keeps, per article, the mean of its TOP best scores: its *pull*. Search takes a share of the pull
off the article's score (`Ranking.pull_weight`), which is "hubness reduction" as cross-lingual
retrieval does it (CSLS): an article is judged against how well it matches everything else.

On the citizen-message relevance test (scripts/bench_kb.py) the 4,922 titles of the messages
without a body, as past queries, lift the share of own articles in the top 5 from 0.948 to 0.953
for the other 4,288 titles; a sample much smaller than MIN_QUERIES helps less and less reliably,
so calibration refuses one.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from workorders.errors import Invalid
from workorders.models import WorkOrder

from . import index
from .models import ArticlePull, SearchLog
from .search import MAX_QUERY, load_index

# The mean of this many best scores is an article's pull.
TOP = 10
MIN_QUERIES, MAX_QUERIES = 500, 5000
# Queries scored together: one (BATCH + TOP) x articles block of float32 at a time.
BATCH = 64


@dataclass(frozen=True)
class Calibration:
    queries: int
    articles: int


@dataclass(frozen=True)
class Standing:
    """The calibration search uses now: when it was made and how many articles have a pull."""

    calibrated_at: datetime | None
    articles: int


def standing(session: Session) -> Standing:
    at, articles = session.execute(select(func.max(ArticlePull.calibrated_at), func.count())).one()
    return Standing(at, articles)


def distinct_queries(texts: Sequence[str]) -> list[str]:
    """The texts as queries: whitespace folded, cut to what search reads, blanks and repeats
    dropped, the first MAX_QUERIES kept."""
    seen: dict[str, None] = {}
    for text in texts:
        query = " ".join(str(text).split())[:MAX_QUERY]
        if query:
            seen.setdefault(query, None)
            if len(seen) == MAX_QUERIES:
                break
    return list(seen)


def calibrate(session: Session, texts: Sequence[str], now: datetime,
              progress: Callable[[int], None] | None = None) -> Calibration:
    """Measure every article's pull over these past queries and store it; every process's copy
    of the index is rebuilt with it on its next search."""
    queries = distinct_queries(texts)
    if len(queries) < MIN_QUERIES:
        raise Invalid("calibration needs at least %(minimum)s different past queries, got %(count)s",
                      minimum=MIN_QUERIES, count=len(queries))
    article_ids, pulls = measure(session, queries, progress)
    session.execute(delete(ArticlePull))
    rows = [{"article_id": int(a), "pull": float(p), "calibrated_at": now}
            for a, p in zip(article_ids, pulls, strict=True) if p > 0]
    for start in range(0, len(rows), 5000):
        session.execute(insert(ArticlePull), rows[start:start + 5000])
    index.touch(session, now)
    return Calibration(len(queries), len(rows))


def measure(session: Session, queries: Sequence[str],
            progress: Callable[[int], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(article ids, pulls) over the current index copy."""
    copy = load_index(session)
    article_ids, best = None, None
    for start in range(0, len(queries), BATCH):
        batch = queries[start:start + BATCH]
        rows = []
        for query in batch:
            ids, scores = copy.every_score(copy.weights(query))
            article_ids = ids if article_ids is None else article_ids
            rows.append(scores)
        block = np.vstack(rows if best is None else [best, *rows])
        keep = min(TOP, len(block))
        best = -np.partition(-block, keep - 1, axis=0)[:keep] if len(block) > keep else block
        if progress:
            progress(len(batch))
    if article_ids is None or best is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    # A sample with fewer than TOP queries still averages over TOP (the missing ones scored 0).
    return article_ids, best.sum(axis=0) / TOP


# Orders' requests can be letters; their opening is what an agent would type.
ORDER_OPENING = 100


def past_queries(session: Session, limit: int = MAX_QUERIES) -> list[str]:
    """The different past queries, as calibration counts them, newest searches first."""
    searches = session.scalars(
        select(SearchLog.query).where(SearchLog.kind == "search").order_by(SearchLog.id.desc()).limit(limit))
    orders = session.scalars(select(WorkOrder.content).order_by(WorkOrder.id.desc()).limit(limit))
    return distinct_queries([*searches, *(content[:ORDER_OPENING] for content in orders)])
