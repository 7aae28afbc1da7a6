"""Articles over their life: versions, use in direct answers, drafts from replies, import/export."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from knowledge_base import operations
from knowledge_base.models import Article, ArticleUse, ArticleVersion
from knowledge_base.seed import seed_demo_articles
from tests.integration.kb_helpers import SUPERVISOR, draft, published
from workorders.context import Actor
from workorders.errors import Conflict, Forbidden, Invalid


def test_every_edit_is_kept_with_who_and_when(session, clock):
    article = draft(session, clock, title="社保卡补办", answer="到银行网点补办。")
    clock.advance(timedelta(hours=1))
    housing_clerk = Actor(None, "住建局 张三", "supervisor")
    operations.edit(session, housing_clerk, article, {"answer": "到社保卡服务网点或合作银行补办。", "version": 1},
                    clock.now())
    clock.advance(timedelta(hours=1))
    operations.publish(session, SUPERVISOR, article, clock.now())
    history = operations.versions(session, article)
    assert [(v.version, v.change, v.status) for v in history] == [
        (1, "created", "draft"), (2, "edited", "draft"), (3, "published", "published")]
    assert history[0].answer == "到银行网点补办。" and history[1].answer == "到社保卡服务网点或合作银行补办。"
    assert history[1].editor_name == "住建局 张三"
    assert history[2].at - history[0].at == timedelta(hours=2)
    assert article.version == 3


def test_an_edit_from_a_stale_version_is_refused_and_changes_nothing(session, clock):
    article = draft(session, clock, title="停水查询", answer="拨打供水热线。")
    operations.edit(session, SUPERVISOR, article, {"answer": "拨打供水服务热线。", "version": 1}, clock.now())
    with pytest.raises(Conflict, match="changed since you loaded it"):
        operations.edit(session, SUPERVISOR, article, {"answer": "别的答案", "version": 1}, clock.now())
    assert article.answer == "拨打供水服务热线。"
    assert session.scalar(select(func.count(ArticleVersion.id)).where(ArticleVersion.article_id == article.id)) == 2


def test_departments_propose_drafts_for_themselves_but_cannot_publish(session, clock, make_user):
    user, _ = make_user("department", "housing")
    clerk = Actor.of(user)
    article = operations.create_draft(session, clerk, {"title": "公积金提取", "answer": "网上办理。"}, clock.now())
    assert article.status == "draft" and article.department.code == "housing"
    with pytest.raises(Forbidden, match="own department"):
        operations.create_draft(session, clerk, {"title": "x", "answer": "y", "department": "urban"}, clock.now())
    with pytest.raises(Forbidden, match="supervisor"):
        operations.publish(session, clerk, article, clock.now())
    operations.publish(session, SUPERVISOR, article, clock.now())
    with pytest.raises(Forbidden, match="only a supervisor edits it now"):
        operations.edit(session, clerk, article, {"answer": "改"}, clock.now())


def test_bad_article_input_is_refused_naming_the_field(session, clock):
    with pytest.raises(Invalid, match="'answer' is required"):
        operations.create_draft(session, SUPERVISOR, {"title": "x"}, clock.now())
    with pytest.raises(Invalid, match="unknown category"):
        operations.create_draft(session, SUPERVISOR, {"title": "x", "answer": "y", "category": "nope"}, clock.now())
    with pytest.raises(Invalid, match="before 'effective_on'"):
        operations.create_draft(session, SUPERVISOR, {"title": "x", "answer": "y", "effective_on": "2026-05-01",
                                                      "expires_on": "2026-04-01"}, clock.now())
    with pytest.raises(Invalid, match="unknown field"):
        operations.create_draft(session, SUPERVISOR, {"title": "x", "answer": "y", "colour": "red"}, clock.now())
    assert session.scalar(select(func.count(Article.id))) == 0


def test_a_direct_answer_counts_the_use_of_its_article(desk, session, clock):
    article = published(session, clock, title="身份证补办", answer="到户政窗口补领。")
    session.commit()
    for _ in range(2):
        number = desk["agent"].create(type="consultation", content="身份证丢了怎么办")["number"]
        r = desk["agent"].act(number, "answer", {"text": "到户政窗口补领。", "article_id": article.id})
        assert r.status_code == 200, r.get_json()
    session.refresh(article)
    assert article.usage_count == 2
    assert session.scalar(select(func.count(ArticleUse.id)).where(ArticleUse.article_id == article.id)) == 2


@pytest.mark.parametrize("state", ["draft", "retired", "expired", "missing"])
def test_an_answer_citing_an_unusable_article_is_refused_and_writes_nothing(desk, session, clock, state):
    article = published(session, clock, title="旧政策", answer="旧答案。",
                        **({"expires_on": "2026-03-01"} if state == "expired" else {}))
    if state == "draft":
        article = draft(session, clock, title="草稿", answer="草稿答案。")
    if state == "retired":
        operations.retire(session, SUPERVISOR, article, clock.now())
    session.commit()
    number = desk["agent"].create(type="consultation")["number"]
    article_id = 999999 if state == "missing" else article.id
    r = desk["agent"].act(number, "answer", {"text": "答复", "article_id": article_id})
    assert r.status_code == 422 and "article_id" in r.get_json()["error"]
    assert desk["agent"].get(f"/orders/{number}").get_json()["state"] == "new"
    assert session.scalar(select(func.count(ArticleUse.id))) == 0


def test_a_department_reply_becomes_a_draft_in_one_action(desk, session, clock, make_user):
    number = desk["agent"].create(type="consultation", content="请问电动车能在楼道充电吗？我的电话13812345678")["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    desk["housing"].act(number, "sign")
    desk["housing"].act(number, "reply", {"text": "严禁在楼道内为电动自行车充电，请使用小区充电桩。", "resolved": True})
    from workorders.actions import get_order

    order = get_order(session, number)
    clerk = Actor.of(make_user("department", "housing")[0])
    article = operations.draft_from_order(session, clerk, order, {"keywords": ["电动车", "充电"]}, clock.now())
    assert article.status == "draft"
    assert article.answer == "严禁在楼道内为电动自行车充电，请使用小区充电桩。"
    assert article.title == "请问电动车能在楼道充电吗？我的电话138****5678"[:60].split("？")[0]
    assert "13812345678" not in article.question and "138****5678" in article.question
    assert article.department.code == "housing" and article.source_order_id == order.id
    assert operations.versions(session, article)[0].change == "from_order"
    urban = Actor.of(make_user("department", "urban")[0])
    with pytest.raises(Forbidden):
        operations.draft_from_order(session, urban, order, {}, clock.now())


def test_an_order_without_a_reply_cannot_become_an_article(desk, session, clock):
    number = desk["agent"].create()["number"]
    from workorders.actions import get_order

    with pytest.raises(Conflict, match="no department reply"):
        operations.draft_from_order(session, SUPERVISOR, get_order(session, number), {}, clock.now())


def test_the_demo_seed_publishes_over_sixty_articles_once(session, clock):
    first = seed_demo_articles(session, clock.now())
    count = session.scalar(select(func.count(Article.id)).where(Article.status == "published"))
    assert count >= 60 and f"{count} articles added" in first
    assert "0 articles added, 0 updated" in seed_demo_articles(session, clock.now())
    topics = " ".join(session.scalars(select(Article.title)))
    for topic in ("社保", "公积金", "落户", "垃圾", "燃气", "入学"):
        assert topic in topics


# --- import and export through the CLI -------------------------------------------------------

CSV = (
    "title,question,answer,category,keywords\n"
    "垃圾分类指南,垃圾怎么分？,生活垃圾分为可回收物、有害垃圾、厨余垃圾和其他垃圾。,city_management,\"垃圾分类,厨余\"\n"
    "公积金租房提取,租房能取公积金吗？,无自有住房且租房自住的可以提取。,城乡住房,公积金\n"
)


def test_import_publishes_csv_articles_and_a_second_import_changes_nothing(runner, session, tmp_path):
    path = tmp_path / "kb.csv"
    path.write_text(CSV, encoding="utf-8")
    result = runner.invoke(args=["kb", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output
    rows = session.scalars(select(Article).order_by(Article.id)).all()
    assert [(a.title, a.status, a.category.code, a.keyword_list()) for a in rows] == [
        ("垃圾分类指南", "published", "city_management", ["垃圾分类", "厨余"]),
        ("公积金租房提取", "published", "housing", ["公积金"]),
    ]
    again = runner.invoke(args=["kb", "import", str(path)])
    assert "0 added, 0 updated, 2 unchanged" in again.output


def test_a_bad_row_stops_the_import_naming_its_line_and_nothing_is_written(runner, session, tmp_path):
    path = tmp_path / "kb.csv"
    path.write_text(CSV + "没有答案的标题,,,,\n", encoding="utf-8")
    result = runner.invoke(args=["kb", "import", str(path)])
    assert result.exit_code != 0
    assert "line 4" in result.output and "'answer' is required" in result.output
    assert session.scalar(select(func.count(Article.id))) == 0
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,text\nx,y\n", encoding="utf-8")
    result = runner.invoke(args=["kb", "import", str(wrong)])
    assert result.exit_code != 0 and "title,question,answer,category,keywords" in result.output


def test_export_then_import_gives_back_the_same_articles(runner, session, clock, tmp_path):
    published(session, clock, title="身份证补办", question="丢了怎么办", answer="到户政窗口补领，可跨省通办。",
              category="public_security", keywords="身份证,补办", expires_on="2026-12-31")
    draft(session, clock, title="草稿不导出", answer="x")
    session.commit()
    csv_path, json_path = tmp_path / "out.csv", tmp_path / "out.json"
    assert runner.invoke(args=["kb", "export", str(csv_path)]).exit_code == 0
    result = runner.invoke(args=["kb", "export", "--format", "json", str(json_path)])
    assert result.exit_code == 0 and "exported 1 articles" in result.output
    assert csv_path.read_text(encoding="utf-8").splitlines() == [
        "title,question,answer,category,keywords",
        "身份证补办,丢了怎么办,到户政窗口补领，可跨省通办。,public_security,\"身份证,补办\"",
    ]
    exported = json.loads(json_path.read_text(encoding="utf-8"))
    assert exported[0]["title"] == "身份证补办" and exported[0]["expires_on"] == "2026-12-31"
    session.query(ArticleVersion).delete()
    session.query(Article).filter(Article.title == "身份证补办").update({"title": "改了名"})
    session.commit()
    result = runner.invoke(args=["kb", "import", str(json_path)])
    assert "1 added" in result.output, result.output
    back = session.scalar(select(Article).where(Article.title == "身份证补办"))
    assert (back.answer, back.category.code, back.keyword_list(), str(back.expires_on)) == (
        "到户政窗口补领，可跨省通办。", "public_security", ["身份证", "补办"], "2026-12-31")


def test_export_to_standard_output(runner, session, clock):
    published(session, clock, title="路灯报修", answer="拨打12345。")
    session.commit()
    result = runner.invoke(args=["kb", "export"])
    assert result.exit_code == 0
    assert "title,question,answer,category,keywords" in result.output and "路灯报修,,拨打12345。,," in result.output


def test_reindex_rebuilds_the_postings_search_runs_on(runner, session, clock):
    from knowledge_base.models import IndexDocument
    from knowledge_base.search import Filters, search

    article = published(session, clock, title="路灯不亮怎么报修", answer="拨打12345热线反映路灯编号。")
    session.query(IndexDocument).delete()
    session.commit()
    assert search(session, "路灯", Filters.for_agents(clock.now().date())) == []
    result = runner.invoke(args=["kb", "reindex"])
    assert result.exit_code == 0 and "reindexed 1 articles" in result.output
    assert [h.article.id for h in search(session, "路灯", Filters.for_agents(clock.now().date()))] == [article.id]
