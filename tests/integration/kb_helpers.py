"""Making knowledge-base articles in tests, through the real operations."""
from __future__ import annotations

from knowledge_base import operations
from workorders.context import Actor

SUPERVISOR = Actor(None, "督办员 测试", "supervisor")


def published(session, clock, **fields):
    """A published article; `fields` as the API takes them (title, answer, keywords, …)."""
    article = operations.create_draft(session, SUPERVISOR, {"answer": "详见相关规定。", **fields}, clock.now())
    operations.publish(session, SUPERVISOR, article, clock.now())
    return article


def draft(session, clock, **fields):
    return operations.create_draft(session, SUPERVISOR, {"answer": "详见相关规定。", **fields}, clock.now())
