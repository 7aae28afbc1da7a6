"""The demo knowledge base: standard answers on the topics a city hotline hears most."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from workorders.context import Actor

from .transfer import import_articles

DEMO_ARTICLES = Path(__file__).parent / "data" / "articles.json"


def seed_demo_articles(session: Session, now: datetime) -> str:
    """Publish the demo articles; running it again changes nothing."""
    items = json.loads(DEMO_ARTICLES.read_text(encoding="utf-8"))
    result = import_articles(session, enumerate(items, start=1), Actor.system("seed-demo"), now)
    return f"knowledge base: {result.added} articles added, {result.updated} updated, {result.unchanged} unchanged"
