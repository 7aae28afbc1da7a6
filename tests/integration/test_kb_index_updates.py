"""An article change reaches the next search without rebuilding the in-process index.

Each process keeps its copy of the index and, after a change, applies only the changed articles
(`search.loads` counts full builds and applied changes, so a test sees which path a search took).
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, insert

from knowledge_base import index as kb_index
from knowledge_base import operations, synonyms
from knowledge_base import search as kb_search
from knowledge_base.models import IndexChange
from knowledge_base.search import Filters, load_index, search
from tests.integration.kb_helpers import SUPERVISOR, draft, published

TODAY = date(2026, 3, 2)  # the frozen clock's day


def titles(session, query, filters=None):
    return [hit.article.title for hit in search(session, query, filters or Filters.for_agents(TODAY))]


@pytest.fixture
def indexed(session, clock):
    """A few published articles, and the process's copy of the index built from them."""
    for title, answer in [("路灯报修", "路灯不亮请报修。"), ("物业费收费标准", "物业服务收费实行政府指导价。"),
                          ("停水通知", "计划停水会提前公告。")]:
        published(session, clock, title=title, answer=answer)
    kb_search.forget_indexes()
    assert titles(session, "路灯") == ["路灯报修"]
    copy = load_index(session)
    assert copy.base.size == 3 and copy.delta is None
    return copy


class Paths:
    """Which way the searches since `__init__` got their index."""

    def __init__(self):
        self.before = dict(kb_search.loads)

    def count(self, kind):
        return kb_search.loads[kind] - self.before.get(kind, 0)


def test_an_edit_is_found_by_its_new_words_and_not_its_old_ones_without_a_rebuild(session, clock, indexed):
    [hit] = search(session, "停水", Filters.for_agents(TODAY))
    paths = Paths()
    operations.edit(session, SUPERVISOR, hit.article, {"title": "停电通知", "answer": "计划停电会提前公告。"},
                    clock.now())
    assert titles(session, "停水") == []
    assert titles(session, "停电") == ["停电通知"]
    assert paths.count("full") == 0 and paths.count("delta") == 1
    assert load_index(session).base is indexed.base


def test_an_article_edited_twice_is_found_by_its_latest_words(session, clock, indexed):
    article = published(session, clock, title="犬只登记办理", answer="养犬人应当为犬只办理登记。")
    assert titles(session, "犬只") == ["犬只登记办理"]
    operations.edit(session, SUPERVISOR, article, {"title": "宠物登记办理", "answer": "养宠物应当办理登记。"}, clock.now())
    paths = Paths()
    assert titles(session, "犬只") == []
    assert titles(session, "宠物") == ["宠物登记办理"]
    assert paths.count("full") == 0


def test_publishing_after_a_search_makes_the_draft_searchable_without_a_rebuild(session, clock, indexed):
    article = draft(session, clock, title="身份证补办", answer="到任一户政窗口补领。")
    assert titles(session, "身份证") == []
    paths = Paths()
    operations.publish(session, SUPERVISOR, article, clock.now())
    assert titles(session, "身份证") == ["身份证补办"]
    assert paths.count("full") == 0


def test_a_retired_article_is_never_suggested_after_the_change(session, clock, indexed):
    [hit] = search(session, "路灯", Filters.for_agents(TODAY))
    paths = Paths()
    operations.retire(session, SUPERVISOR, hit.article, clock.now())
    assert titles(session, "路灯") == []
    assert titles(session, "路灯", Filters(statuses=("retired",))) == ["路灯报修"]
    assert paths.count("full") == 0


def test_an_article_made_to_expire_stops_being_suggested(session, clock, indexed):
    [hit] = search(session, "物业费", Filters.for_agents(TODAY))
    operations.edit(session, SUPERVISOR, hit.article, {"expires_on": (TODAY - timedelta(days=1)).isoformat()},
                    clock.now())
    paths = Paths()
    assert titles(session, "物业费") == []
    assert paths.count("full") == 0 and paths.count("delta") == 1


def test_words_no_other_article_has_find_a_new_article_without_a_rebuild(session, clock, indexed):
    paths = Paths()
    published(session, clock, title="犬只登记办理", answer="养犬人应当为犬只办理登记并按时免疫。")
    assert titles(session, "犬只登记") == ["犬只登记办理"]
    assert titles(session, "养犬") == ["犬只登记办理"]
    assert paths.count("full") == 0


def test_changes_since_the_last_search_are_all_applied_together(session, clock, indexed):
    paths = Paths()
    first = published(session, clock, title="燃气开户办理", answer="请携带身份证到燃气公司营业厅办理开户。")
    published(session, clock, title="自来水开户办理", answer="请携带身份证到供水公司营业厅办理开户。")
    operations.edit(session, SUPERVISOR, first, {"title": "燃气过户办理"}, clock.now())
    assert titles(session, "开户办理") == ["自来水开户办理", "燃气过户办理"]
    assert titles(session, "燃气过户") == ["燃气过户办理"]
    assert paths.count("full") == 0 and paths.count("delta") == 1


def test_many_changed_articles_rebuild_the_copy(session, clock, indexed, monkeypatch):
    monkeypatch.setattr(kb_search, "DELTA_SLACK", 1)
    monkeypatch.setattr(kb_search, "DELTA_FRACTION", 0.0)
    paths = Paths()
    published(session, clock, title="犬只登记办理", answer="养犬人应当为犬只办理登记。")
    assert titles(session, "犬只") == ["犬只登记办理"]
    published(session, clock, title="犬只免疫", answer="犬只应当按时免疫。")
    assert titles(session, "犬只") == ["犬只免疫", "犬只登记办理"]
    assert paths.count("delta") == 1 and paths.count("full") == 1
    assert load_index(session).base is not indexed.base and load_index(session).delta is None


def test_a_synonym_change_rebuilds_the_copy_and_takes_effect(session, clock, indexed):
    published(session, clock, title="出租车拒载怎么投诉", answer="请记下车牌号，拨打服务监督电话投诉。")
    assert titles(session, "计程车") == []
    paths = Paths()
    synonyms.add_group(session, SUPERVISOR, ["出租车", "计程车"], clock.now())
    assert titles(session, "计程车") == ["出租车拒载怎么投诉"]
    assert paths.count("full") == 1


def test_a_change_seen_and_then_rolled_back_is_forgotten(session, clock, indexed):
    savepoint = session.begin_nested()
    published(session, clock, title="犬只登记办理", answer="养犬人应当为犬只办理登记。")
    assert titles(session, "犬只") == ["犬只登记办理"]
    savepoint.rollback()
    paths = Paths()
    assert titles(session, "犬只") == []
    assert paths.count("full") == 1


def test_a_change_rolled_back_after_a_search_is_forgotten_when_its_id_is_taken_again(session, clock, indexed):
    savepoint = session.begin_nested()
    published(session, clock, title="犬只登记办理", answer="养犬人应当为犬只办理登记。")
    assert titles(session, "犬只") == ["犬只登记办理"]
    savepoint.rollback()
    # As many changes again: SQLite hands out the rolled-back ids (and the article's) once more.
    published(session, clock, title="身份证补办", answer="到任一户政窗口补领。")
    assert titles(session, "犬只") == []
    assert titles(session, "身份证") == ["身份证补办"]


def test_more_changes_than_a_copy_remembers_are_all_applied_and_only_the_newest_remembered(
        session, clock, indexed, monkeypatch):
    monkeypatch.setattr(kb_search, "TRACKED", 2)
    paths = Paths()
    for title in ("犬只登记", "犬只免疫", "犬只收容"):
        published(session, clock, title=title, answer="养犬管理规定。")
    assert titles(session, "犬只") == ["犬只登记", "犬只免疫", "犬只收容"]
    assert paths.count("full") == 0 and paths.count("delta") == 1
    copy = load_index(session)
    assert len(copy.applied) == 2 and copy.floor == min(copy.applied) - 1 == kb_index.revision(session) - 2
    assert load_index(session) is copy


def hold_back(session, change_id):
    """Take a change row out as if its transaction had not committed yet; the function returned
    puts it back, with the same id, as that commit would make it visible."""
    change = session.get(IndexChange, change_id)
    row = {"id": change.id, "token": change.token, "article_id": change.article_id, "at": change.at}
    session.execute(delete(IndexChange).where(IndexChange.id == change_id))
    session.expunge(change)
    return lambda: session.execute(insert(IndexChange), [row])


def test_a_change_committed_after_many_later_ones_still_reaches_the_copy(session, clock, indexed):
    # A long transaction (an import) took its change id first; busy editing then commits more
    # changes than the 16 newest a search used to read, each applied by a search, and only then
    # does the long one commit.
    [lamp] = search(session, "路灯", Filters.for_agents(TODAY))
    [water] = search(session, "停水", Filters.for_agents(TODAY))
    operations.retire(session, SUPERVISOR, lamp.article, clock.now())
    retirement = kb_index.revision(session)
    for n in range(1, 22):
        operations.edit(session, SUPERVISOR, water.article, {"answer": f"计划停水会提前{n}天公告。"}, clock.now())
        if n == 1:  # held back once a later id is taken, so that SQLite does not hand out its id again
            commit_retirement = hold_back(session, retirement)
        assert titles(session, "停水") == ["停水通知"]
    assert titles(session, "路灯") == ["路灯报修"]  # the retirement is not visible yet
    paths = Paths()
    commit_retirement()
    assert titles(session, "路灯") == []
    assert titles(session, "路灯", Filters(statuses=("retired",))) == ["路灯报修"]
    assert paths.count("full") == 0 and paths.count("delta") == 1
