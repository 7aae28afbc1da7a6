"""Importing past messages (CSV `title,body,label[,department,type]`) as training examples.

Every row is checked before anything is written: a bad row is named by its line and the whole
file is refused. `label` is a category's code or name; `department` a department's code or name;
`type` an order type code.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Invalid
from ..models import Category, Department
from ..vocabulary import OrderType
from .models import SuggestExample

REQUIRED = ("title", "body", "label")
OPTIONAL = ("department", "type")
MAX_TITLE, MAX_BODY = 500, 20_000
MAX_ROWS = 200_000


@dataclass(frozen=True)
class Row:
    title: str
    body: str
    category_id: int
    department_id: int | None
    type: str | None


def read_rows(session: Session, text: str) -> list[Row]:
    """The file's rows, checked; raises `Invalid` naming the first bad one."""
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise Invalid("the file has no column(s) %(columns)s; the first line must name title,body,label "
                      "(and optionally department,type)", columns=missing)
    reader.fieldnames = columns
    categories = _by_code_and_name(session.execute(select(Category.code, Category.name, Category.id)))
    departments = _by_code_and_name(session.execute(select(Department.code, Department.name, Department.id)))
    rows: list[Row] = []
    for record in reader:
        line = reader.line_num
        if len(rows) >= MAX_ROWS:
            raise Invalid("line %(line)s: more than %(limit)s rows in one file; split it", line=line, limit=MAX_ROWS)
        if None in record:
            raise Invalid("line %(line)s: more fields than the header names", line=line)
        title, body = (record.get("title") or "").strip(), (record.get("body") or "").strip()
        label = (record.get("label") or "").strip()
        if not title and not body:
            raise Invalid("line %(line)s: the title and the body are both empty", line=line)
        if len(title) > MAX_TITLE or len(body) > MAX_BODY:
            raise Invalid("line %(line)s: the title is limited to %(title)s characters and the body to %(body)s",
                          line=line, title=MAX_TITLE, body=MAX_BODY)
        if label not in categories:
            raise Invalid("line %(line)s: unknown category '%(label)s' (a category's code or name)",
                          line=line, label=label)
        department = (record.get("department") or "").strip()
        if department and department not in departments:
            raise Invalid("line %(line)s: unknown department '%(department)s' (a department's code or name)",
                          line=line, department=department)
        order_type = (record.get("type") or "").strip()
        if order_type and order_type not in OrderType.__members__:
            raise Invalid("line %(line)s: unknown type '%(given)s'; types are: %(types)s",
                          line=line, given=order_type, types=list(OrderType))
        rows.append(Row(title, body, categories[label], departments.get(department), order_type or None))
    if not rows:
        raise Invalid("the file has no rows after its header")
    return rows


def import_rows(session: Session, rows: list[Row], source: str, now: datetime) -> int:
    session.execute(SuggestExample.__table__.insert(), [
        {"title": r.title, "body": r.body, "category_id": r.category_id, "department_id": r.department_id,
         "type": r.type, "imported_at": now, "source": source[:255]} for r in rows])
    return len(rows)


def _by_code_and_name(rows: Iterable) -> dict[str, int]:
    found: dict[str, int] = {}
    for code, name, row_id in rows:
        found.setdefault(name, row_id)
        found[code] = row_id
    return found
