"""Calibration: an article that matches every question on its topic is discounted by its pull,
measured over past queries, so the article written for the question comes first (issue 5)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from knowledge_base import calibration, operations
from knowledge_base.models import ArticlePull
from knowledge_base.search import Filters, search
from tests.integration.kb_helpers import SUPERVISOR, published
from workorders.errors import Invalid

TODAY = date(2026, 3, 2)

TOPICS = {
    "公积金": "住房公积金提取须持身份证和购房合同，符合条件的当日到账。",
    "医保": "职工医保门诊费用超过起付线的部分，按规定比例由统筹基金报销。",
    "户口": "子女随父母户口迁移，凭出生证明和户口簿到派出所申报。",
    "燃气": "燃气开户凭房产证明向燃气公司申请，安装后由专业人员通气。",
    "停车": "小区停车收费标准由物业公示，业主有异议可向价格主管部门反映。",
    "噪音": "夜间施工噪音扰民的，城管执法人员接报后到现场查处。",
}
# One long article that says a little about everything: BM25 ranks it high for many questions,
# whatever their topic, through the words every question has (办理, 时限, 地点 …). The bare filler
# words (咨询, 材料 …) count little in a query since issue 13; these generic words still count.
DIGEST = "市民办事咨询汇编：" + "".join(
    f"{topic}业务的办理材料、办理地点和办理时限，请咨询{topic}窗口，以{topic}部门公布为准。" for topic in TOPICS)
PLACES = ["东城区", "西城区", "高新区", "开发区", "南湖街道", "北山镇", "幸福小区", "花园小区", "新河社区", "城南"]
ASKS = ["怎么办理", "咨询", "办理材料", "办理时限", "办理地点", "窗口在哪", "找哪个部门", "业务咨询", "材料清单", "办理流程"]


def past_queries(count=600):
    queries = [f"{place}{topic}{ask}" for place in PLACES for topic in TOPICS for ask in ASKS]
    return queries[:count]


def titles(session, query):
    return [hit.article.title for hit in search(session, query, Filters.for_agents(TODAY), 5)]


@pytest.fixture
def articles(session, clock):
    made = {topic: published(session, clock, title=f"{topic}业务", answer=answer) for topic, answer in TOPICS.items()}
    made["digest"] = published(session, clock, title="办事咨询汇编", answer=DIGEST)
    return made


def test_the_article_written_for_the_question_outranks_the_digest_once_calibrated(session, clock, articles):
    query = "公积金提取办理时限"
    assert titles(session, query)[0] == "办事咨询汇编"

    done = calibration.calibrate(session, past_queries(), clock.now())

    assert done.queries == 600 and done.articles == len(articles)
    assert titles(session, query)[0] == "公积金业务"
    pulls = dict(session.execute(select(ArticlePull.article_id, ArticlePull.pull)).all())
    assert pulls[articles["digest"].id] == max(pulls.values())


def test_a_calibration_on_too_few_past_queries_is_refused_and_writes_nothing(session, clock, articles):
    before = titles(session, "公积金提取办理时限")
    # 499 different queries: the rest are repeats and blanks, which do not count.
    queries = past_queries(499) + past_queries(100) + ["", "   "]

    with pytest.raises(Invalid, match="at least 500 different past queries, got 499"):
        calibration.calibrate(session, queries, clock.now())

    assert session.scalar(select(func.count()).select_from(ArticlePull)) == 0
    assert titles(session, "公积金提取办理时限") == before


def test_calibrating_twice_gives_the_same_pulls_and_an_edit_keeps_the_articles_pull(session, clock, articles):
    calibration.calibrate(session, past_queries(), clock.now())
    first = dict(session.execute(select(ArticlePull.article_id, ArticlePull.pull)).all())
    calibration.calibrate(session, past_queries(), clock.now())
    second = dict(session.execute(select(ArticlePull.article_id, ArticlePull.pull)).all())
    assert second == pytest.approx(first)

    digest = articles["digest"]
    operations.edit(session, SUPERVISOR, digest, {"answer": DIGEST + "本汇编每季度更新。"}, clock.now())

    assert session.get(ArticlePull, digest.id).pull == pytest.approx(first[digest.id])
    assert titles(session, "公积金提取办理时限")[0] == "公积金业务"
