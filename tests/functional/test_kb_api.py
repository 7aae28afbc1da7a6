"""The knowledge base through the JSON API (issue 5, acceptance 2): search, suggest, articles."""
from __future__ import annotations

from sqlalchemy import select

from knowledge_base.models import Article, SearchLog
from tests.integration.kb_helpers import published
from workorders.models import WorkOrder


def _patch(api, path, body):
    return api.client.patch(f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {api.token}"})


def test_search_returns_ranked_highlighted_results(desk, session, clock):
    published(session, clock, title="生活垃圾分为哪几类", answer="生活垃圾分为可回收物、有害垃圾、厨余垃圾和其他垃圾，请分类投放。")
    published(session, clock, title="小区环境", answer="保持楼道整洁，垃圾请入桶。")
    session.commit()
    r = desk["agent"].get("/kb/search", q="垃圾分类", limit=5)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    results = body["results"]
    assert [x["title"] for x in results] == ["生活垃圾分为哪几类", "小区环境"]
    assert set(results[0]) >= {"id", "title", "snippet", "score"}
    assert results[0]["score"] > results[1]["score"]
    assert "<mark>垃圾</mark>" in results[0]["snippet"] and "<mark>分类</mark>" in results[0]["snippet"]
    assert isinstance(body["search_id"], int)
    assert desk["agent"].get("/kb/search", q="垃圾分类", limit=1).get_json()["results"][0]["title"] == "生活垃圾分为哪几类"


def test_empty_queries_unknown_parameters_and_bad_limits_get_422(desk):
    for params in ({}, {"q": "   "}, {"q": "垃圾", "colour": "red"}, {"q": "垃圾", "limit": "0"},
                   {"q": "垃圾", "limit": "abc"}, {"q": "x" * 501}, {"q": "垃圾", "status": "weird"},
                   {"q": "垃圾", "category": "nope"}):
        r = desk["agent"].get("/kb/search", **params)
        assert r.status_code == 422, (params, r.get_json())
        assert r.get_json()["error"]
    assert "colour" in desk["agent"].get("/kb/search", q="垃圾", colour="red").get_json()["error"]
    assert desk["agent"].get("/kb/suggest").status_code == 422
    assert desk["agent"].get("/kb/suggest", order="x", page="2").status_code == 422
    assert desk["agent"].get("/kb/suggest", order="20990101-00001").status_code == 404


def test_search_needs_a_token(client):
    assert client.get("/api/v1/kb/search?q=垃圾").status_code == 401


def test_agents_never_see_drafts_or_expired_articles_and_cannot_ask_for_them(desk, session, clock):
    published(session, clock, title="过期的停水通知", answer="停水。", expires_on="2026-03-01")
    article = published(session, clock, title="现行停水通知", answer="停水。")
    session.commit()
    assert [x["title"] for x in desk["agent"].get("/kb/search", q="停水").get_json()["results"]] == ["现行停水通知"]
    assert desk["agent"].get("/kb/search", q="停水", status="any").status_code == 403
    r = desk["supervisor"].get("/kb/search", q="停水", status="published")
    assert {x["title"] for x in r.get_json()["results"]} == {"过期的停水通知", "现行停水通知"}
    expired = session.scalar(select(Article).where(Article.title == "过期的停水通知"))
    assert desk["agent"].get(f"/kb/articles/{expired.id}").status_code == 404
    assert desk["agent"].get(f"/kb/articles/{article.id}").get_json()["title"] == "现行停水通知"


def test_suggestions_for_an_order_come_from_its_content(desk, session, clock):
    published(session, clock, title="身份证丢了怎么补办", answer="居民身份证丢失后可到任一户政窗口补领。")
    published(session, clock, title="公交线路调整", answer="关注公交集团公告。")
    session.commit()
    number = desk["agent"].create(type="consultation", content="我的身份证丢了，想问在哪里补办")["number"]
    r = desk["agent"].get("/kb/suggest", order=number)
    assert r.status_code == 200
    assert [x["title"] for x in r.get_json()["results"]][0] == "身份证丢了怎么补办"
    log = session.get(SearchLog, r.get_json()["search_id"])
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    assert (log.kind, log.order_id, log.query) == ("suggest", order.id, "我的身份证丢了，想问在哪里补办")


def test_a_department_proposes_a_supervisor_publishes_and_history_is_kept(desk, session):
    r = desk["housing"].post("/kb/articles", {"title": "公积金租房提取", "answer": "网上办理。", "keywords": "公积金,租房"})
    assert r.status_code == 201, r.get_json()
    article = r.get_json()
    assert article["status"] == "draft" and article["department"] == "housing" and article["keywords"] == ["公积金", "租房"]
    assert desk["agent"].get("/kb/search", q="公积金").get_json()["results"] == []
    assert desk["housing"].post(f"/kb/articles/{article['id']}/publish").status_code == 403
    r = _patch(desk["housing"], f"/kb/articles/{article['id']}", {"answer": "可通过公积金网上服务大厅办理。", "version": 1})
    assert r.status_code == 200 and r.get_json()["version"] == 2
    r = desk["supervisor"].post(f"/kb/articles/{article['id']}/publish", {"version": 2})
    assert r.status_code == 200 and r.get_json()["status"] == "published"
    assert [x["id"] for x in desk["agent"].get("/kb/search", q="公积金").get_json()["results"]] == [article["id"]]
    assert _patch(desk["housing"], f"/kb/articles/{article['id']}", {"answer": "改"}).status_code == 403
    assert _patch(desk["supervisor"], f"/kb/articles/{article['id']}", {"answer": "改", "version": 1}).status_code == 409
    versions = desk["supervisor"].get(f"/kb/articles/{article['id']}/versions").get_json()["versions"]
    assert [(v["version"], v["change"], v["editor_role"]) for v in versions] == [
        (1, "created", "department"), (2, "edited", "department"), (3, "published", "supervisor")]
    assert versions[0]["answer"] == "网上办理。"
    assert desk["supervisor"].post(f"/kb/articles/{article['id']}/publish").status_code == 409
    assert desk["agent"].post("/kb/articles", {"title": "x", "answer": "y"}).status_code == 403


def test_a_departments_reply_becomes_a_draft_article(desk):
    number = desk["agent"].create(type="consultation", content="楼道里能给电动车充电吗")["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    desk["housing"].act(number, "sign")
    desk["housing"].act(number, "reply", {"text": "严禁在楼道内为电动自行车充电。", "resolved": True})
    assert desk["urban"].post(f"/kb/articles/from-order/{number}").status_code == 403
    r = desk["housing"].post(f"/kb/articles/from-order/{number}", {"title": "楼道充电规定"})
    assert r.status_code == 201, r.get_json()
    article = r.get_json()
    assert (article["title"], article["answer"], article["status"], article["department"]) == (
        "楼道充电规定", "严禁在楼道内为电动自行车充电。", "draft", "housing")
    assert article["question"] == "楼道里能给电动车充电吗"
    fresh = desk["agent"].create()["number"]
    assert desk["supervisor"].post(f"/kb/articles/from-order/{fresh}").status_code == 409
    assert desk["supervisor"].post("/kb/articles/from-order/20990101-00001").status_code == 404


def test_answers_and_clicks_leave_only_the_real_gaps_in_not_found(desk, session, clock):
    article = published(session, clock, title="社保卡补办", answer="到社保卡服务网点补办。")
    session.commit()
    clicked = desk["agent"].get("/kb/search", q="社保卡").get_json()
    r = desk["agent"].post(f"/kb/searches/{clicked['search_id']}/click", {"article_id": article.id})
    assert r.status_code == 200
    answered = desk["agent"].get("/kb/search", q="社保卡丢了").get_json()
    number = desk["agent"].create(type="consultation", content="社保卡丢了")["number"]
    r = desk["agent"].act(number, "answer", {"text": "到社保卡服务网点补办。", "article_id": article.id})
    assert r.status_code == 200 and r.get_json()["state"] in ("answered", "archived")
    for _ in range(2):
        desk["agent"].get("/kb/search", q="养犬登记")
    desk["agent"].get("/kb/search", q="社保卡")  # found, but nobody opened it
    gaps = desk["supervisor"].get("/kb/reports/not-found").get_json()["queries"]
    assert [(g["query"], g["searches"], g["without_results"]) for g in gaps] == [("养犬登记", 2, 2), ("社保卡", 1, 0)]
    assert session.get(SearchLog, answered["search_id"]).used_article_id == article.id
    used = desk["supervisor"].get("/kb/reports/most-used").get_json()["articles"]
    assert [(u["id"], u["uses"]) for u in used] == [(article.id, 1)]
    assert desk["supervisor"].get("/kb/reports/most-used", since="2026-03-03").get_json()["articles"] == []
    assert desk["agent"].get("/kb/reports/not-found").status_code == 403
    assert desk["supervisor"].get("/kb/reports/not-found", since="yesterday").status_code == 422
    assert desk["agent"].post(f"/kb/searches/{clicked['search_id']}/click", {"article_id": 999}).status_code == 422


def test_supervisors_add_synonyms_that_widen_searches(desk, session, clock):
    published(session, clock, title="犬只登记办理", answer="养犬人应当为犬只办理登记。")
    session.commit()
    assert desk["agent"].get("/kb/search", q="狗证").get_json()["results"] == []
    assert desk["agent"].post("/kb/synonyms", {"terms": ["狗证", "犬只登记"]}).status_code == 403
    r = desk["supervisor"].post("/kb/synonyms", {"terms": ["狗证", "犬只登记"]})
    assert r.status_code == 201
    assert [x["title"] for x in desk["agent"].get("/kb/search", q="狗证").get_json()["results"]] == ["犬只登记办理"]
    assert desk["supervisor"].post("/kb/synonyms", {"terms": ["狗证"]}).status_code == 422


def test_the_openapi_document_describes_the_knowledge_base(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    search = paths["/kb/search"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {"q", "limit"}
    assert "422" in search["responses"]
    item = search["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["results"]["items"]
    assert set(item["required"]) == {"id", "title", "snippet", "score"}
    assert {"/kb/suggest", "/kb/articles", "/kb/articles/{article_id}/publish",
            "/kb/articles/from-order/{number}", "/kb/reports/not-found", "/kb/reports/most-used"} <= set(paths)
