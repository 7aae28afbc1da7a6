"""Candidates for "merge duplicate": open orders from the same number, or with similar text.

Similarity is the overlap of character pairs (bigrams), which suits Chinese without a word
segmenter: "小区垃圾没人清运" and "垃圾三天没有清运" share 垃圾, 清运. Only recent open orders are
compared, so the cost stays bounded however large the archive grows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.phones import variants
from workorders.models import WorkOrder
from workorders.vocabulary import TERMINAL_STATES

RECENT_DAYS = 30
SCAN_LIMIT = 500
MIN_SIMILARITY = 0.2


@dataclass(frozen=True)
class Candidate:
    order: WorkOrder
    same_number: bool
    similarity: float


def bigrams(text: str) -> set[str]:
    chars = [c for c in (text or "") if c.isalnum()]
    return {chars[i] + chars[i + 1] for i in range(len(chars) - 1)}


def similarity(a: str, b: str) -> float:
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


def candidates(session: Session, order: WorkOrder, now: datetime, limit: int = 5) -> list[Candidate]:
    open_recent = (
        select(WorkOrder)
        .where(WorkOrder.id != order.id, WorkOrder.state.not_in(list(TERMINAL_STATES)),
               WorkOrder.created_at >= now - timedelta(days=RECENT_DAYS))
        .order_by(WorkOrder.created_at.desc())
    )
    found: dict[int, Candidate] = {}
    if order.caller_phone:
        for other in session.scalars(open_recent.where(WorkOrder.caller_phone.in_(variants(order.caller_phone))).limit(limit)):
            found[other.id] = Candidate(other, True, similarity(order.content, other.content))
    for other in session.scalars(open_recent.limit(SCAN_LIMIT)):
        if other.id in found:
            continue
        score = similarity(order.content, other.content)
        if score >= MIN_SIMILARITY:
            found[other.id] = Candidate(other, False, score)
    ranked = sorted(found.values(), key=lambda c: (not c.same_number, -c.similarity))
    return ranked[:limit]
