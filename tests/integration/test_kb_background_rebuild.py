"""A large index copy is rebuilt in the background: searches go on with the old copy meanwhile,
and the new one takes over when it is ready (the stall a change to everything used to cause)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from hotline.db import make_engine
from knowledge_base import search as kb_search
from knowledge_base import synonyms
from knowledge_base.search import Filters, search
from tests.committed import committed_database
from tests.integration.kb_helpers import SUPERVISOR, published

pytestmark = pytest.mark.committed
NOW = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


class Clock:
    def now(self):
        return NOW


def titles(engine, query):
    with Session(engine) as session:
        return [hit.article.title for hit in search(session, query, Filters.for_agents(date(2026, 3, 2)))]


@pytest.fixture
def engine(tmp_path, monkeypatch, reference_template):
    monkeypatch.setattr(kb_search, "BACKGROUND_REBUILD_FROM", 2)
    with committed_database(tmp_path, template=reference_template) as url:
        engine = make_engine(url)
        with Session(engine) as session:
            published(session, Clock(), title="犬只登记办理", answer="养犬人应当为犬只办理登记，领取犬牌。")
            published(session, Clock(), title="垃圾分类投放", answer="生活垃圾分为四类，请分类投放。")
            session.commit()
        try:
            yield engine
        finally:
            kb_search.wait_for_rebuilds(60)
            kb_search.forget_indexes()
            engine.dispose()


def test_a_synonym_change_is_served_by_the_old_copy_until_the_new_one_is_built(engine):
    assert titles(engine, "宠物狗") == []
    loads = dict(kb_search.loads)
    with Session(engine) as session:
        synonyms.add_group(session, SUPERVISOR, ["宠物狗", "犬只"], NOW)
        session.commit()

    # The search that finds the change starts the rebuild and is answered from the old copy at once.
    assert titles(engine, "宠物狗") == []
    kb_search.wait_for_rebuilds(60)

    assert titles(engine, "宠物狗") == ["犬只登记办理"]
    assert kb_search.loads["background"] == loads.get("background", 0) + 1
    assert kb_search.loads["full"] == loads.get("full", 0)


def test_a_copy_smaller_than_the_threshold_is_rebuilt_in_the_search_that_finds_the_change(engine, monkeypatch):
    monkeypatch.setattr(kb_search, "BACKGROUND_REBUILD_FROM", 3)
    assert titles(engine, "宠物狗") == []
    with Session(engine) as session:
        synonyms.add_group(session, SUPERVISOR, ["宠物狗", "犬只"], NOW)
        session.commit()

    assert titles(engine, "宠物狗") == ["犬只登记办理"]
    assert not kb_search._rebuilding
