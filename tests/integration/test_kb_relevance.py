"""Relevance on real citizen messages: a message's title finds the article holding its body.

Reads ../shared/data/citizen_messages.csv (never copied into the repository); skipped when the
data set is absent. The first test is the ranking alone on the first 600 messages; the second is
`scripts/bench kb --relevance` in full (4,288 messages, calibrated): floors against regressions.
"""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from knowledge_base import calibration, index
from knowledge_base.models import Article
from knowledge_base.search import Filters, load_index
from tests.conftest import beijing, rolled_back, savepoint

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "citizen_messages.csv"
SAMPLE = 600


@pytest.fixture(scope="module")
def data_set():
    if not DATA.exists():
        pytest.skip(f"the citizen-message data set is not at {DATA}; the relevance test needs it")
    with DATA.open(encoding="utf-8") as f:
        return [(r["title"], r["body"]) for r in csv.DictReader(f)]


def with_body(data_set) -> list[tuple[str, str]]:
    return [(title, body) for title, body in data_set if body.strip()]


def index_bodies(session, now, messages) -> list[int]:
    articles = [Article(title="", question="", answer=body, keywords="", status="published", usage_count=0,
                        version=1, created_at=now, updated_at=now) for _, body in messages]
    session.add_all(articles)
    session.flush()
    index.reindex(session, articles, now)
    return [article.id for article in articles]


@pytest.fixture(scope="module")
def sample_indexed(engine, data_set):
    """The first SAMPLE messages' articles, indexed once in a transaction that lasts the module:
    the first test's whole index, the first batch of the second's (as `scripts/bench kb` indexes
    in batches). Each test runs in a savepoint of it (`connection` below), rolled back."""
    with rolled_back(engine) as conn:
        session = Session(bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint")
        article_ids = index_bodies(session, beijing(2026, 3, 2, 9), with_body(data_set)[:SAMPLE])
        session.commit()  # into the module's transaction
        session.close()
        yield conn, article_ids


@pytest.fixture
def connection(sample_indexed):
    with savepoint(sample_indexed[0]) as conn:
        yield conn


def own_in_top_five(session, article_ids, messages) -> int:
    search_index = load_index(session)
    filters = Filters.for_agents(date(2026, 3, 2))
    return sum(
        any(found == article_id for found, _ in search_index.top(search_index.weights(title), filters, 5))
        for article_id, (title, _) in zip(article_ids, messages, strict=True)
    )


def test_most_titles_find_their_own_body_in_the_top_five(session, data_set, sample_indexed):
    messages = with_body(data_set)[:SAMPLE]
    hits = own_in_top_five(session, sample_indexed[1], messages)
    assert hits / len(messages) >= 0.95, f"{hits} of {len(messages)}"


def test_calibrated_on_other_titles_95_percent_of_all_titles_find_their_own_body(session, clock, data_set,
                                                                                sample_indexed):
    """Issue 5's acceptance figure: every message with a body, calibrated on the titles of the
    messages without one (none of them a query here)."""
    messages = with_body(data_set)
    article_ids = sample_indexed[1] + index_bodies(session, clock.now(), messages[SAMPLE:])
    calibration.calibrate(session, [title for title, body in data_set if not body.strip()], clock.now())
    hits = own_in_top_five(session, article_ids, messages)
    assert hits / len(messages) >= 0.95, f"{hits} of {len(messages)}"
