"""Import and export of articles as CSV (title,question,answer,category,keywords; UTF-8) or JSON.

Imported articles are published. An article whose title is already in the knowledge base is
updated (a new version) rather than duplicated, so importing the same file twice changes
nothing the second time. A bad row stops the whole import, naming its line.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workorders.context import Actor
from workorders.errors import Invalid
from workorders.inputs import Inputs
from workorders.models import Category, Department

from . import index
from .models import Article, ArticleStatus
from .operations import MAX_KEYWORDS, MAX_TITLE, _check_dates, _record
from .text import split_keywords

CSV_HEADER = ["title", "question", "answer", "category", "keywords"]
JSON_FIELDS = CSV_HEADER + ["department", "effective_on", "expires_on"]
BATCH = 500


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def read_rows(stream: IO[str], fmt: str) -> Iterator[tuple[int, dict]]:
    """(line or item number, row) pairs from an open text file."""
    if fmt == "csv":
        reader = csv.DictReader(stream)
        header = [h.strip().lstrip("\ufeff") for h in (reader.fieldnames or [])]
        if not {"title", "answer"} <= set(header):
            if not header:
                raise Invalid("the CSV header must be %(expected)s (found: nothing)", expected=",".join(CSV_HEADER))
            raise Invalid("the CSV header must be %(expected)s (found: %(found)s)", expected=",".join(CSV_HEADER),
                          found=",".join(header))
        reader.fieldnames = header
        for row in reader:
            yield reader.line_num, {k: v for k, v in row.items() if k is not None}
        return
    try:
        data = json.load(stream)
    except json.JSONDecodeError as exc:
        raise Invalid("not a JSON file: %(error)s", error=str(exc)) from None
    items = data.get("articles") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise Invalid("the JSON file must be a list of articles (or {\"articles\": [...]})")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise Invalid("item %(number)s: an article must be a JSON object", number=number)
        yield number, item


def import_articles(session: Session, rows: Iterable[tuple[int, dict]], actor: Actor, now: datetime,
                    progress: Callable[[int], None] | None = None) -> ImportResult:
    result = ImportResult()
    categories = _lookup(session, Category)
    departments = _lookup(session, Department)
    by_title = dict(session.execute(select(Article.title, Article.id)).all())
    vocabulary = index.Vocabulary(session, preload=len(by_title) > 1000)
    batch: list[Article] = []
    for number, row in rows:
        try:
            values = _values(row, categories, departments)
        except Invalid as exc:
            # The row's own refusal is a parameter: the pages translate it too (hotline/web/refusals.py).
            raise Invalid("line %(line)s: %(refusal)s", line=number, refusal=exc) from None
        existing_id = by_title.get(values["title"])
        if existing_id is None:
            article = Article(**values, status=ArticleStatus.published, usage_count=0, version=0, created_at=now,
                              updated_at=now, published_at=now, created_by_id=actor.user_id)
            session.add(article)
            session.flush()
            by_title[article.title] = article.id
            _record(session, article, actor, "imported", now)
            result.added += 1
        else:
            article = session.get(Article, existing_id)
            changed = {k: v for k, v in values.items() if getattr(article, k) != v}
            if not changed and article.status == ArticleStatus.published:
                result.unchanged += 1
                _tick(progress)
                continue
            for key, value in changed.items():
                setattr(article, key, value)
            if article.status != ArticleStatus.published:
                article.status, article.published_at = ArticleStatus.published, now
            article.updated_at = now
            _record(session, article, actor, "imported", now)
            result.updated += 1
        batch.append(article)
        if len(batch) >= BATCH:
            _flush(session, batch, now, vocabulary, progress)
    _flush(session, batch, now, vocabulary, progress)
    return result


def _tick(progress, n: int = 1) -> None:
    if progress:
        progress(n)


def _flush(session, batch: list[Article], now, vocabulary, progress) -> None:
    if batch:
        index.reindex(session, batch, now, vocabulary)
        _tick(progress, len(batch))
        batch.clear()


def _lookup(session: Session, model) -> dict[str, int]:
    """Code or name -> id (codes win where a name equals another row's code)."""
    out: dict[str, int] = {}
    rows = session.execute(select(model.id, model.code, model.name).order_by(model.id.desc())).all()
    for id_, _, name in rows:
        out[name] = id_
    for id_, code, _ in rows:
        out[code] = id_
    return out


def _values(row: dict, categories: dict[str, int], departments: dict[str, int]) -> dict[str, Any]:
    unknown = sorted(set(row) - set(JSON_FIELDS) - {"id", "status", "usage_count"})
    if unknown:
        raise Invalid("unknown field(s): %(fields)s", fields=unknown)
    inputs = Inputs({k: (v if v != "" else None) for k, v in row.items()})
    values: dict[str, Any] = {
        "title": inputs.text("title", limit=MAX_TITLE),
        "question": inputs.text("question", required=False) or "",
        "answer": inputs.text("answer"),
        "keywords": ",".join(split_keywords(inputs.data.get("keywords"))),
    }
    if len(values["keywords"]) > MAX_KEYWORDS:
        raise Invalid("'keywords' is too long (%(length)s characters; at most %(limit)s)",
                      length=len(values["keywords"]), limit=MAX_KEYWORDS)
    values["category_id"] = _code(inputs, "category", categories)
    values["department_id"] = _code(inputs, "department", departments)
    values["effective_on"] = inputs.day("effective_on", required=False)
    values["expires_on"] = inputs.day("expires_on", required=False)
    _check_dates(values["effective_on"], values["expires_on"])
    return values


def _code(inputs: Inputs, name: str, known: dict[str, int]) -> int | None:
    code = inputs.short(name)
    if code is None:
        return None
    if code not in known:
        if name == "category":
            raise Invalid("unknown category '%(code)s'", code=code)
        raise Invalid("unknown department '%(code)s'", code=code)
    return known[code]


# --- export ---------------------------------------------------------------------------------

def export_rows(session: Session, statuses: tuple[str, ...]) -> Iterator[dict]:
    categories = dict(session.execute(select(Category.id, Category.code)).all())
    departments = dict(session.execute(select(Department.id, Department.code)).all())
    query = select(Article).where(Article.status.in_(statuses)).order_by(Article.id)
    for article in session.scalars(query.execution_options(yield_per=1000)):
        yield {
            "id": article.id,
            "title": article.title,
            "question": article.question or "",
            "answer": article.answer,
            "category": categories.get(article.category_id, ""),
            "keywords": article.keywords or "",
            "department": departments.get(article.department_id, ""),
            "status": article.status,
            "effective_on": article.effective_on.isoformat() if article.effective_on else "",
            "expires_on": article.expires_on.isoformat() if article.expires_on else "",
            "usage_count": article.usage_count,
        }


def write_csv(rows: Iterable[dict], out: IO[str]) -> Iterator[None]:
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow([row[k] for k in CSV_HEADER])
        yield None


def write_json(rows: Iterable[dict], out: IO[str]) -> Iterator[None]:
    """A JSON list written item by item, so that a large export needs no memory."""
    out.write("[")
    for i, row in enumerate(rows):
        item = {k: row[k] for k in ["id", *JSON_FIELDS, "status", "usage_count"] if row[k] not in ("", None)}
        out.write(("," if i else "") + "\n  " + json.dumps(item, ensure_ascii=False))
        yield None
    out.write("\n]\n")


def csv_text(rows: list[dict]) -> str:
    buffer = io.StringIO()
    for _ in write_csv(rows, buffer):
        pass
    return buffer.getvalue()
