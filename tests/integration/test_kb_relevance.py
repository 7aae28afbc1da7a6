"""Relevance on real citizen messages: a message's title finds the article holding its body.

Reads ../shared/data/citizen_messages.csv (never copied into the repository); skipped when the
data set is absent. The full test (4,288 messages) is `scripts/bench kb --relevance`; this is
its first 600 messages, a floor against ranking regressions.
"""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from knowledge_base import index
from knowledge_base.models import Article
from knowledge_base.search import Filters, load_index

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "citizen_messages.csv"
SAMPLE = 600


@pytest.fixture
def messages():
    if not DATA.exists():
        pytest.skip(f"the citizen-message data set is not at {DATA}; the relevance test needs it")
    with DATA.open(encoding="utf-8") as f:
        rows = [(r["title"], r["body"]) for r in csv.DictReader(f) if r["body"].strip()]
    return rows[:SAMPLE]


def test_most_titles_find_their_own_body_in_the_top_five(session, clock, messages):
    now = clock.now()
    articles = [Article(title="", question="", answer=body, keywords="", status="published", usage_count=0,
                        version=1, created_at=now, updated_at=now) for _, body in messages]
    session.add_all(articles)
    session.flush()
    index.reindex(session, articles, now)
    search_index = load_index(session)
    filters = Filters.for_agents(date(2026, 3, 2))
    hits = sum(
        any(found == article.id for found, _ in search_index.top(search_index.weights(title), filters, 5))
        for article, (title, _) in zip(articles, messages, strict=True)
    )
    assert hits / len(messages) >= 0.95
