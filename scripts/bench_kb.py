"""Knowledge-base search: index build time and query latency, or relevance on citizen messages.

Speed (`scripts/bench kb --articles 100000 [--database-url URL]`): N articles generated from the
bodies of ../shared/data/citizen_messages.csv (a small built-in sample when it is absent) are
indexed through the real indexing code and calibrated on the titles of the messages without a
body; then 1,000 queries (message titles, as an agent would type a summary) run through `knowledge_base.search.search`, snippets included; then a few
one-article edits, each committed and followed by a search timed alone (the process applies the
change to its copy of the index: "search after one article edit").

Relevance (`scripts/bench kb --relevance`): every message with a body becomes one article whose
text is the body alone; each message's title is the query; the figure is the share of messages
whose own article comes back in the top 5, over all of them and over each half (odd and even
rows), so that a change tuned on one half can be checked on the other.

The database must hold no articles (a fresh SQLite file by default); what the benchmark writes is
deleted afterwards. The data set is read from ../shared/data and never copied.
"""
from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import delete, func, insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from hotline.db import make_engine, normalize_url  # noqa: E402
from hotline.migrate import upgrade  # noqa: E402
from knowledge_base import calibration, index, operations  # noqa: E402
from knowledge_base.models import (  # noqa: E402
    Article,
    ArticlePull,
    ArticleVersion,
    IndexChange,
    IndexDocument,
    IndexTerm,
    SearchLog,
)
from knowledge_base.search import Filters, forget_indexes, load_index, loads, search  # noqa: E402
from workorders.context import Actor  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "citizen_messages.csv"
QUERIES = 1000
TODAY = date(2026, 3, 2)
SAMPLE = [
    ("小区垃圾清运不及时", "我住在东城区新河街道幸福小区，垃圾已经三天没有清运，气味很大，请尽快处理。"),
    ("公交线路调整咨询", "请问12路公交车下个月是否调整线路？家门口的站点还保留吗？"),
    ("工资被拖欠", "我在高新区一家建筑公司工作，老板拖欠了两个月工资，请帮忙协调。"),
    ("医保报销比例咨询", "想咨询一下今年门诊医保报销比例和起付线是多少。"),
    ("夜间施工噪音扰民", "西城区花园路工地每天晚上十一点后还在施工，噪音很大无法休息。"),
    ("入学报名材料咨询", "孩子今年上一年级，需要准备哪些报名材料？户口不在本区可以吗？"),
]


def messages() -> list[tuple[str, str]]:
    """(title, body) of every message that has a body."""
    if not DATA.exists():
        return []
    with DATA.open(encoding="utf-8") as f:
        return [(r["title"].strip(), r["body"].strip()) for r in csv.DictReader(f) if r.get("body", "").strip()]


def past_queries() -> list[str]:
    """The titles of the messages without a body: past queries for calibration, none of them a
    query of the relevance test."""
    if not DATA.exists():
        return []
    with DATA.open(encoding="utf-8") as f:
        return [r["title"].strip() for r in csv.DictReader(f) if not r.get("body", "").strip()]


def generate(n: int, rows: list[tuple[str, str]], seed: int = 5) -> list[dict]:
    """Article-sized texts (at most 300 characters) spliced from two messages' sentences."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        title, body = rows[rng.randrange(len(rows))]
        _, other = rows[rng.randrange(len(rows))]
        sentences = [s for s in body.replace("！", "。").replace("？", "。").split("。") if s.strip()]
        extra = [s for s in other.split("。") if s.strip()][:1]
        answer = "。".join(sentences[: rng.randint(2, 6)] + extra)[:300] + "。"
        out.append({"title": title[:200], "answer": answer})
    return out


def _empty_kb(session: Session) -> None:
    if session.scalar(select(func.count(Article.id))):
        raise SystemExit("the database already has knowledge-base articles; give an empty one (--database-url)")


def _store(session: Session, items: list[dict], now: datetime, batch: int = 1000) -> None:
    """Insert published articles and index them through the real indexing code."""
    vocabulary = index.Vocabulary(session, preload=True)
    for start in range(0, len(items), batch):
        chunk = items[start:start + batch]
        ids = session.scalars(insert(Article).returning(Article.id, sort_by_parameter_order=True), [
            {"title": it["title"], "question": "", "answer": it["answer"], "keywords": "", "status": "published",
             "usage_count": 0, "version": 1, "created_at": now, "updated_at": now, "published_at": now}
            for it in chunk
        ]).all()
        articles = session.scalars(select(Article).where(Article.id.in_(ids))).all()
        index.reindex(session, articles, now, vocabulary)
        session.commit()


def _cleanup(session: Session) -> None:
    for model in (SearchLog, ArticlePull, IndexDocument, ArticleVersion, Article, IndexTerm, IndexChange):
        session.execute(delete(model))
    session.commit()
    forget_indexes()


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(articles: int, database_url: str) -> dict:
    """Index build time and p50/p95/p99 latency of 1,000 searches over `articles` articles."""
    upgrade(database_url)
    engine = make_engine(database_url)
    rows = messages() or SAMPLE
    items = generate(articles, rows)
    now = datetime.now(UTC)
    with Session(engine) as session:
        _empty_kb(session)
        try:
            began = time.perf_counter()
            _store(session, items, now)
            build = time.perf_counter() - began
            forget_indexes()
            began = time.perf_counter()
            loaded = load_index(session)
            load = time.perf_counter() - began
            calibrated, calibration_seconds = None, None
            if past_queries():
                began = time.perf_counter()
                calibrated = calibration.calibrate(session, past_queries(), now)
                session.commit()
                calibration_seconds = round(time.perf_counter() - began, 1)
                # A copy this large would be rebuilt in the background; measure the calibrated one.
                forget_indexes()
                loaded = load_index(session)
            rng = random.Random(7)
            queries = [rows[rng.randrange(len(rows))][0] for _ in range(QUERIES)]
            filters = Filters.for_agents(TODAY)
            search(session, queries[0], filters, 10)  # jieba's dictionary loads once per process
            latencies, found = [], 0
            for query in queries:
                began = time.perf_counter()
                hits = search(session, query, filters, 10)
                latencies.append((time.perf_counter() - began) * 1000)
                found += bool(hits)
            after_edit = _searches_after_edits(session, queries, filters, now)
            postings = session.scalar(select(func.sum(func.length(IndexDocument.term_ids)))) // 4
            terms = session.scalar(select(func.count(IndexTerm.id)))
        finally:
            _cleanup(session)
    engine.dispose()
    return {
        "database": engine.dialect.name,
        "articles": articles,
        "source": "citizen_messages.csv bodies" if rows is not SAMPLE else "built-in sample",
        "index_build_seconds": round(build, 1),
        "index_load_seconds": round(load, 2),
        "postings": int(postings),
        "terms": int(terms),
        "in_process_index_mb": round(loaded.base.nbytes / 2**20, 1),
        "calibration_queries": calibrated.queries if calibrated else None,
        "calibration_seconds": calibration_seconds,
        "queries": QUERIES,
        "queries_with_results": found,
        "p50_ms": round(_percentile(latencies, 50), 2),
        "p95_ms": round(_percentile(latencies, 95), 2),
        "p99_ms": round(_percentile(latencies, 99), 2),
        "includes": "revision check, scoring, article fetch and highlighted snippets",
        "search_after_one_edit_ms": after_edit,
        "full_index_builds": loads["full"],
    }


def _searches_after_edits(session: Session, queries: list[str], filters: Filters, now: datetime,
                          edits: int = 5) -> list[float]:
    """The first search after each of a few committed one-article edits (the copy catches up)."""
    actor = Actor.system("bench-kb")
    ids = session.scalars(select(Article.id).order_by(Article.id).limit(edits)).all()
    out = []
    for n, article_id in enumerate(ids):
        article = session.get(Article, article_id)
        operations.edit(session, actor, article, {"answer": f"{article.answer}（第{n + 1}次修订：补充办理地点。）"}, now)
        session.commit()
        began = time.perf_counter()
        search(session, queries[n], filters, 10)
        out.append(round((time.perf_counter() - began) * 1000, 2))
    return out


def relevance(database_url: str) -> dict:
    """Share of messages whose own body-only article is in the top 5 for the message's title,
    before and after calibrating with the titles of the messages without a body."""
    rows = messages()
    if not rows:
        return {"skipped": f"{DATA} is not there; the relevance test needs the data set"}
    upgrade(database_url)
    engine = make_engine(database_url)
    now = datetime.now(UTC)
    with Session(engine) as session:
        _empty_kb(session)
        try:
            began = time.perf_counter()
            _store(session, [{"title": "", "answer": body} for _, body in rows], now)
            build = time.perf_counter() - began
            ids = session.scalars(select(Article.id).order_by(Article.id)).all()
            plain = _own_in_top5(session, ids, rows)
            began = time.perf_counter()
            calibrated = calibration.calibrate(session, past_queries(), now)
            session.commit()
            calibration_seconds = time.perf_counter() - began
            found = _own_in_top5(session, ids, rows)
        finally:
            _cleanup(session)
    engine.dispose()
    hits = sum(found)
    # Halves for tuning on one and checking on the other: the 1st, 3rd, … message with a body, and
    # the 2nd, 4th, ….
    odd, even = found[0::2], found[1::2]
    return {"database": engine.dialect.name, "messages": len(rows), "top5_hits": hits,
            "top5_share": round(hits / len(rows), 4),
            "top5_share_odd_rows": round(sum(odd) / len(odd), 4),
            "top5_share_even_rows": round(sum(even) / len(even), 4),
            "uncalibrated_top5_hits": sum(plain), "uncalibrated_top5_share": round(sum(plain) / len(rows), 4),
            "calibration_queries": calibrated.queries, "calibration_seconds": round(calibration_seconds, 1),
            "index_build_seconds": round(build, 1)}


def _own_in_top5(session: Session, ids: list[int], rows: list[tuple[str, str]]) -> list[bool]:
    loaded = load_index(session)
    filters = Filters.for_agents(TODAY)
    found = []
    for article_id, (title, _) in zip(ids, rows, strict=True):
        top = loaded.top(loaded.weights(title), filters, 5)
        found.append(any(i == article_id for i, _ in top))
    return found


def add_arguments(parser) -> None:
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="an empty database (default: a new SQLite file)")
    parser.add_argument("--relevance", action="store_true", help="run the relevance test instead")


def main(args) -> dict:
    url = args.database_url
    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-kb-')}/kb.sqlite3"
    url = normalize_url(url)
    return relevance(url) if args.relevance else run(args.articles, url)


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    print(json.dumps(main(parser.parse_args()), ensure_ascii=False, indent=2))
