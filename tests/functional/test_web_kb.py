"""The knowledge-base pages (SPEC §6): departments propose, supervisors edit, publish and retire,
agents find what is in effect, a reply becomes a draft from the order page, reports, synonyms."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from hotline.web import kb_pages
from knowledge_base import operations, usage
from knowledge_base.models import Article, ArticleVersion, SearchLog, SynonymGroup
from tests.integration.kb_helpers import draft, published
from tests.web_support import WebSession, people, text_of
from workorders.context import Actor
from workorders.models import Department, WorkOrder

HOSTILE = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


@pytest.fixture
def web(app, make_user):
    return people(app, make_user)


def article(session, article_id: int) -> Article:
    session.expire_all()
    return session.get(Article, article_id)


def newest_article(session) -> Article:
    session.expire_all()
    return session.scalar(select(Article).order_by(Article.id.desc()).limit(1))


def article_id_of(response) -> int:
    found = re.fullmatch(r"/kb/(\d+)", response.location or "")
    assert found, (response.status_code, response.location, response.get_data(as_text=True)[:1500])
    return int(found.group(1))


def listed(page: str) -> list[int]:
    """The articles a list or search page shows, in order."""
    return [int(i) for i in re.findall(r'<tr data-article="(\d+)"', page)]


def department_actor(session, code: str) -> Actor:
    dept_id = session.scalar(select(Department.id).where(Department.code == code))
    return Actor(None, f"{code} clerk", "department", dept_id)


def replied_order(desk, reply: str = "严禁在楼道内为电动自行车充电，请到小区集中充电点充电。") -> str:
    number = desk["agent"].create(type="consultation", content="楼道里能给电动车充电吗？我电话13812345678")["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    desk["housing"].act(number, "sign")
    desk["housing"].act(number, "reply", {"text": reply, "resolved": True})
    return number


def test_a_department_proposes_a_supervisor_edits_and_publishes_and_the_desk_then_suggests_it(web, session):
    housing, supervisor, agent = web("department", "housing"), web("supervisor"), web("agent")
    assert 'id="kb-form"' in housing.page("/kb/new")
    response = housing.post("/kb/new", {"title": "公积金租房提取怎么办理", "question": "租房能提取公积金吗",
                                        "answer": "可在网上服务大厅申请。", "keywords": "公积金, 租房提取",
                                        "category": "", "effective_on": "", "expires_on": ""})
    assert response.status_code == 302
    proposed = article(session, article_id_of(response))
    assert (proposed.status, proposed.department.code, proposed.version) == ("draft", "housing", 1)
    assert proposed.keyword_list() == ["公积金", "租房提取"]
    assert agent.get("/desk/suggest?q=租房提取公积金").get_json()["articles"] == []
    assert proposed.id not in listed(agent.page("/kb?q=公积金"))

    page = supervisor.page(f"/kb/{proposed.id}")
    assert 'id="kb-publish"' in page and 'id="kb-edit"' in page
    form = supervisor.page(f"/kb/{proposed.id}/edit")
    assert 'name="version" value="1"' in form
    response = supervisor.post(f"/kb/{proposed.id}/edit", {
        "version": "1", "title": "公积金租房提取怎么办理", "question": "租房能提取公积金吗",
        "answer": "可在公积金网上服务大厅申请，每年可提取一次。", "keywords": "公积金, 租房提取", "category": "",
        "department": "housing", "effective_on": "2026-03-01", "expires_on": ""})
    assert response.status_code == 302 and response.location == f"/kb/{proposed.id}"
    assert article(session, proposed.id).version == 2
    response = supervisor.post(f"/kb/{proposed.id}/publish", {"version": "2"})
    assert response.status_code == 302
    done = article(session, proposed.id)
    assert (done.status, done.version, done.answer) == ("published", 3, "可在公积金网上服务大厅申请，每年可提取一次。")
    assert str(done.effective_on) == "2026-03-01" and done.department.code == "housing"

    suggested = agent.get("/desk/suggest?q=租房提取公积金").get_json()["articles"]
    assert [s["id"] for s in suggested][:1] == [done.id]
    assert listed(agent.page("/kb?q=公积金")) == [done.id]
    history = text_of(supervisor.page(f"/kb/{done.id}"))
    assert "版本记录" in history and "已发布" in history and "标准答案" in history and "2026-03-01" in history
    roles = [v.editor_role for v in session.scalars(select(ArticleVersion).where(ArticleVersion.article_id == done.id)
                                                    .order_by(ArticleVersion.version))]
    assert roles == ["department", "supervisor", "supervisor"]
    assert 'id="kb-edit"' not in housing.page(f"/kb/{done.id}")  # published: the supervisors' now


def test_a_retired_article_disappears_from_the_agents_list(web, session, clock):
    kept = published(session, clock, title="居住证办理流程", answer="到社区服务中心申请。")
    old = published(session, clock, title="居住证旧办理流程", answer="到派出所申请。")
    session.commit()
    agent, leader, supervisor = web("agent"), web("leader"), web("supervisor")
    assert set(listed(agent.page("/kb"))) >= {kept.id, old.id}
    response = supervisor.post(f"/kb/{old.id}/retire", {"version": str(old.version)})
    assert response.status_code == 302 and article(session, old.id).status == "retired"
    for person in (agent, leader):
        assert old.id not in listed(person.page("/kb")) and kept.id in listed(person.page("/kb"))
        assert listed(person.page("/kb?q=居住证")) == [kept.id]
        assert person.get(f"/kb/{old.id}").status_code == 403
    assert listed(supervisor.page("/kb?status=retired")) == [old.id]
    assert old.id in listed(supervisor.page("/kb?q=居住证&status=retired"))
    assert "已停用" in text_of(supervisor.page(f"/kb/{old.id}"))


def test_expired_and_not_yet_effective_articles_are_not_listed_for_agents(web, session, clock):
    expired = published(session, clock, title="春节停车免费", answer="春节期间免费。", expires_on="2026-02-28")
    later = published(session, clock, title="夏季用电高峰", answer="错峰用电。", effective_on="2026-06-01")
    session.commit()
    agent, supervisor = web("agent"), web("supervisor")
    assert not {expired.id, later.id} & set(listed(agent.page("/kb")))
    page = supervisor.page("/kb?status=published")
    assert {expired.id, later.id} <= set(listed(page)) and "今日不在有效期内" in text_of(page)


def test_a_department_cannot_open_edit_or_publish_another_departments_draft(web, session, clock):
    theirs = operations.create_draft(session, department_actor(session, "housing"),
                                     {"title": "住房保障内部口径", "answer": "保障房申请的内部答复口径。"}, clock.now())
    session.commit()
    urban, housing = web("department", "urban"), web("department", "housing")
    for url in (f"/kb/{theirs.id}", f"/kb/{theirs.id}/edit"):
        response = urban.get(url)
        assert response.status_code == 403, url
        assert "无权操作" in text_of(response.get_data(as_text=True))
        assert "住房保障" not in response.get_data(as_text=True) and "内部答复口径" not in response.get_data(as_text=True)
    for url, data in ((f"/kb/{theirs.id}/edit", {"version": "1", "answer": "改掉"}),
                      (f"/kb/{theirs.id}/publish", {"version": "1"}), (f"/kb/{theirs.id}/retire", {"version": "1"})):
        response = urban.post(url, data)
        assert response.status_code == 403, url
        assert "内部答复口径" not in response.get_data(as_text=True)
    for url in ("/kb", "/kb?status=draft", "/kb?q=住房保障", "/kb?q=住房保障&status=draft&department=housing"):
        assert theirs.id not in listed(urban.page(url)), url
    # Their own department: they read and edit the draft, but only a supervisor publishes it.
    assert listed(housing.page("/kb?status=draft")) == [theirs.id]
    response = housing.post(f"/kb/{theirs.id}/publish", {"version": "1"})
    assert response.status_code == 403
    assert "只有督办员可以发布知识库文章" in text_of(response.get_data(as_text=True))
    fresh = article(session, theirs.id)
    assert (fresh.status, fresh.version, fresh.answer) == ("draft", 1, "保障房申请的内部答复口径。")


def test_a_department_proposes_only_for_its_own_department_and_agents_propose_nothing(web, session):
    housing, agent = web("department", "housing"), web("agent")
    response = housing.post("/kb/new", {"title": "燃气报修", "answer": "拨打燃气公司电话。", "department": "urban"})
    assert article(session, article_id_of(response)).department.code == "housing"  # the field is not theirs
    page = housing.page("/kb/new")
    assert 'name="department"' not in page and 'id="kb-f-own-department"' in page
    assert agent.get("/kb/new").status_code == 403
    before = session.scalar(select(func.count(Article.id)))
    assert agent.post("/kb/new", {"title": "x", "answer": "y"}).status_code == 403
    assert session.scalar(select(func.count(Article.id))) == before


def test_a_reply_becomes_a_draft_article_from_the_order_page_in_one_post(web, desk, session):
    number = replied_order(desk)
    housing = web("department", "housing")
    page = housing.page(f"/orders/{number}")
    assert 'id="kb-draft-from-reply"' in page
    response = housing.post(f"/kb/from-order/{number}")
    assert response.status_code == 302
    made = article(session, article_id_of(response))
    assert (made.status, made.department.code, made.answer) == ("draft", "housing",
                                                                 "严禁在楼道内为电动自行车充电，请到小区集中充电点充电。")
    assert "138****5678" in made.question and "13812345678" not in made.question
    assert made.source_order_id == session.scalar(select(WorkOrder.id).where(WorkOrder.number == number))
    landing = housing.page(response.location)
    assert "草稿" in text_of(landing) and f'href="/orders/{number}"' in landing
    assert "已转为知识库草稿" in text_of(landing)
    assert f'data-article="{made.id}"' in housing.page(f"/orders/{number}")  # the order page links it
    # Others: the agent is not offered it, another department is refused.
    assert 'id="kb-draft-from-reply"' not in web("agent").page(f"/orders/{number}")
    assert 'id="kb-draft-from-reply"' in web("supervisor").page(f"/orders/{number}")
    count = session.scalar(select(func.count(Article.id)))
    assert web("department", "urban").post(f"/kb/from-order/{number}").status_code == 403
    assert web("agent").post(f"/kb/from-order/{number}").status_code == 403
    assert session.scalar(select(func.count(Article.id))) == count


def test_an_order_without_a_reply_is_refused_with_the_reason_on_the_order_page(web, desk, session):
    number = desk["agent"].create()["number"]
    supervisor = web("supervisor")
    assert 'id="kb-draft-from-reply"' not in supervisor.page(f"/orders/{number}")
    before = session.scalar(select(func.count(Article.id)))
    response = supervisor.post(f"/kb/from-order/{number}")
    assert response.status_code == 409
    page = text_of(response.get_data(as_text=True))
    assert "未执行：将答复转为知识库草稿。" in " ".join(page.split())
    assert f"工单 {number} 还没有承办单位的答复（当前状态：待受理）" in page
    assert session.scalar(select(func.count(Article.id))) == before
    assert supervisor.post("/kb/from-order/20990101-00001").status_code == 404


def test_a_stale_version_is_refused_with_the_reason_shown(web, session, clock):
    target = draft(session, clock, title="充电桩安装", answer="向物业申请。")
    session.commit()
    first, second = web("supervisor"), web("supervisor")
    assert 'name="version" value="1"' in first.page(f"/kb/{target.id}/edit")
    assert second.post(f"/kb/{target.id}/edit", {"version": "1", "title": "充电桩安装", "answer": "向物业和供电公司申请。"}
                       ).status_code == 302
    response = first.post(f"/kb/{target.id}/edit", {"version": "1", "title": "充电桩安装", "answer": "我的改动"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "在您打开后已被他人修改（版本 1，现为 2）" in text_of(page)
    assert "我的改动" in page and 'name="version" value="2"' in page  # what was typed, against the version now
    assert article(session, target.id).answer == "向物业和供电公司申请。"
    response = first.post(f"/kb/{target.id}/publish", {"version": "1"})
    assert response.status_code == 409 and "已被他人修改" in text_of(response.get_data(as_text=True))
    assert article(session, target.id).status == "draft"


def test_an_invalid_form_shows_the_rule_and_keeps_what_was_typed(web, session):
    supervisor = web("supervisor")
    before = session.scalar(select(func.count(Article.id)))
    response = supervisor.post("/kb/new", {"title": "", "answer": "答复正文", "keywords": "甲"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请填写“标题”" in text_of(page) and "答复正文" in page
    response = supervisor.post("/kb/new", {"title": "有效期", "answer": "答复", "effective_on": "2026-05-01",
                                           "expires_on": "2026-04-01"})
    assert response.status_code == 422 and "expires_on" in response.get_data(as_text=True)
    assert session.scalar(select(func.count(Article.id))) == before
    supervisor.post("/locale", {"locale": "en"})
    response = supervisor.post("/kb/new", {"title": "", "answer": "x"})
    assert "'Title' is required" in text_of(response.get_data(as_text=True))


def test_supervisors_add_and_remove_synonym_groups(web, session, clock):
    dogs = published(session, clock, title="犬只登记办理", answer="养犬人应当为犬只办理登记。")
    session.commit()
    supervisor, agent = web("supervisor"), web("agent")
    assert listed(agent.page("/kb?q=狗证")) == []
    groups = session.scalar(select(func.count(SynonymGroup.id)))
    response = supervisor.post("/kb/synonyms", {"terms": "狗证、犬只登记"})
    assert response.status_code == 302
    group = session.scalar(select(SynonymGroup).order_by(SynonymGroup.id.desc()).limit(1))
    group_id = group.id
    assert group.terms == "狗证 犬只登记"
    assert f'data-group="{group_id}"' in supervisor.page("/kb/synonyms")
    assert listed(agent.page("/kb?q=狗证")) == [dogs.id]
    refused = supervisor.post("/kb/synonyms", {"terms": "狗证"})
    assert refused.status_code == 422 and "至少" in text_of(refused.get_data(as_text=True))
    assert agent.get("/kb/synonyms").status_code == 403
    assert agent.post(f"/kb/synonyms/{group_id}/delete").status_code == 403
    assert supervisor.post(f"/kb/synonyms/{group_id}/delete").status_code == 302
    session.expire_all()
    assert session.scalar(select(func.count(SynonymGroup.id))) == groups
    assert listed(agent.page("/kb?q=狗证")) == []
    assert supervisor.post(f"/kb/synonyms/{group_id}/delete").status_code == 404


def test_the_reports_show_the_most_used_articles_and_the_searches_nobody_found(web, session, clock):
    card = published(session, clock, title="社保卡补办", answer="到社保卡服务网点补办。")
    session.commit()
    for _ in range(2):
        usage.record_use(session, card.id, order_id=None, user_id=None, now=clock.now(), today=clock.now().date())
    session.commit()
    agent, supervisor = web("agent"), web("supervisor")
    agent.page("/kb?q=养犬登记")
    found = agent.page("/kb?q=社保卡")
    link = re.search(rf'href="(/kb/{card.id}\?search=\d+)"', found).group(1)
    agent.page(link)  # opened: that search found what it looked for
    assert session.scalar(select(SearchLog).where(SearchLog.query == "社保卡")).clicked_article_id == card.id
    page = supervisor.page("/kb/reports")
    used = page[page.index('id="kb-most-used"'):page.index('id="kb-not-found"')]
    gaps = page[page.index('id="kb-not-found"'):]
    assert f'data-article="{card.id}"' in used and '<td class="uses">2</td>' in used
    assert "养犬登记" in gaps and "社保卡" not in gaps
    assert "/kb/new?title=" in gaps
    assert "养犬登记" not in supervisor.page("/kb/reports?since=2026-03-03")
    assert agent.get("/kb/reports").status_code == 403
    assert web("department", "housing").get("/kb/reports").status_code == 403


def test_the_list_pages_through_many_articles(web, session, clock, monkeypatch):
    monkeypatch.setattr(kb_pages, "PAGE_SIZE", 2)
    ids = [published(session, clock, title=f"通知{i}", answer="内容。").id for i in range(5)]
    session.commit()
    agent = web("agent")
    first, last = agent.page("/kb"), agent.page("/kb?page=3")
    assert len(listed(first)) == 2 and listed(last) == [min(ids)]
    assert "第 1 / 3 页" in text_of(first) and 'rel="next"' in first and 'rel="prev"' in last


def test_every_knowledge_base_page_renders_in_each_language(app, web, desk, session, clock):
    card = published(session, clock, title="社保卡补办", answer="到社保卡服务网点补办。")
    session.commit()
    usage.log_search(session, kind="search", query="养犬登记", user_id=None, order_id=None, article_ids=[],
                     now=clock.now())
    session.commit()
    pages = {
        "agent": ["/kb", "/kb?q=社保卡", f"/kb/{card.id}"],
        "leader": ["/kb", f"/kb/{card.id}"],
        "department": ["/kb", "/kb?status=draft", "/kb/new", f"/kb/{card.id}"],
        "supervisor": ["/kb", "/kb?q=社保卡&status=published", "/kb/new", f"/kb/{card.id}", f"/kb/{card.id}/edit",
                       "/kb/reports", "/kb/synonyms"],
    }
    for locale, lang, words in (("zh_CN", "zh-CN", "知识库"), ("en", "en", "Knowledge base")):
        for role, urls in pages.items():
            person = web(role, "housing" if role == "department" else None)
            person.post("/locale", {"locale": locale})
            for url in urls:
                page = person.page(url)
                assert f'<html lang="{lang}">' in page and words in page, (role, url)
                assert 'id="nav-kb"' in page, (role, url)
    assert 'id="nav-kb"' not in web("admin").page("/admin")
    assert web("admin").get("/kb").status_code == 403


def test_hostile_text_is_escaped_on_the_knowledge_base_pages(web, desk, session, clock):
    bad = published(session, clock, title=f"垃圾分类{HOSTILE}", question=f"问{HOSTILE}", answer=f"答复{HOSTILE}",
                    keywords=f"垃圾,{HOSTILE}")
    session.commit()
    supervisor = web("supervisor")
    supervisor.post(f"/kb/{bad.id}/edit", {"version": str(bad.version), "title": f"垃圾分类新{HOSTILE}",
                                           "answer": f"新答复{HOSTILE}"})
    supervisor.post("/kb/synonyms", {"terms": f"垃圾 {HOSTILE}"})
    agent = web("agent")
    agent.page(f"/kb?q={HOSTILE}")
    pages = [(agent, "/kb"), (agent, f"/kb/{bad.id}"), (supervisor, f"/kb/{bad.id}"), (supervisor, f"/kb/{bad.id}/edit"),
             (supervisor, "/kb/reports")]
    for person, url in pages:
        page = person.page(url)
        assert "<script>alert" not in page, url
        assert ESCAPED in page, url  # shown, as text
    # Highlighted titles and snippets: the matched words in <mark>, everything else as text.
    for person, url in ((agent, "/kb?q=垃圾分类"), (supervisor, f"/kb?q={HOSTILE}"), (supervisor, "/kb/synonyms")):
        page = person.page(url)
        assert "<script>alert" not in page and "&lt;" in page, url
    assert ESCAPED in supervisor.page(f"/kb/{bad.id}")
    refused = supervisor.post("/kb/new", {"title": HOSTILE, "answer": ""})
    assert refused.status_code == 422 and "<script>alert" not in refused.get_data(as_text=True)
    refused = supervisor.post("/kb/synonyms", {"terms": HOSTILE})
    assert "<script>alert" not in refused.get_data(as_text=True)


def test_the_pages_are_for_signed_in_staff(app):
    anonymous = WebSession(app)
    for url in ("/kb", "/kb/1", "/kb/new", "/kb/reports", "/kb/synonyms"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login" in response.location, url


def test_the_number_of_results_reads_in_each_language_whatever_the_count(web, session, clock):
    for title in ("医保报销比例", "医保异地报销"):
        published(session, clock, title=title, answer="医保报销按规定比例结算。")
    session.commit()
    supervisor = web("supervisor")
    assert "“医保报销”找到 2 篇文章，最相关的在前" in supervisor.page("/kb?q=医保报销")
    assert "“异地”找到 1 篇文章，最相关的在前" in supervisor.page("/kb?q=异地")
    supervisor.post("/locale", {"locale": "en"})
    assert "2 articles found for “医保报销”, best first" in supervisor.page("/kb?q=医保报销")
    assert "1 article found for “异地”, best first" in supervisor.page("/kb?q=异地")
