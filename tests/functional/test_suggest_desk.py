"""Learned classification and routing at the desk (issue 15): trained on the hotline's own orders,
suggested while the agent types, retrained on the agents' final choices."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hotline.cli import main
from tests.suggest_support import NEW_STREET_LIGHT, seed_orders
from tests.web_support import people
from workorders.jobs.models import JobRun
from workorders.models import Category, Department, WorkOrder
from workorders.suggest.models import SuggestModel, SuggestRecord


@pytest.fixture
def web(app, make_user):
    app.extensions["hotline.suggest_cache"].refresh_seconds = 0  # see a new version at once
    return people(app, make_user)


def retrain(runner) -> str:
    result = runner.invoke(main, ["jobs", "run", "suggest_retrain"])
    assert result.exit_code == 0, result.output
    return result.output


def classify(agent, text: str) -> dict:
    response = agent.get("/suggest/classify", query_string={"q": text})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def versions(session) -> int:
    return session.scalar(select(func.count(SuggestModel.id)))


def test_the_desk_suggests_the_department_the_seeded_orders_of_its_category_went_to(web, desk, runner, session):
    agent = web("agent")
    assert classify(agent, NEW_STREET_LIGHT)["suggestions"] == []  # no model yet: nothing, not an error
    seed_orders(desk["agent"])

    output = retrain(runner)

    assert "suggest_retrain: 60 rows touched (version" in output
    run = session.scalar(select(JobRun).where(JobRun.job == "suggest_retrain"))
    assert run.error is None and run.rows == 60 and run.finished_at is not None
    found = classify(agent, NEW_STREET_LIGHT)
    top = found["suggestions"][0]
    assert (top["category"], top["category_name"]) == ("municipal", "市政建设")
    # Learned from the orders (the routing table would say housing), and confident enough to preselect.
    assert (top["department"], top["department_name"]) == ("dongcheng", "东城区人民政府")
    assert top["department_confidence"] >= found["threshold"] and found["preselect"] == "dongcheng"
    assert len(found["suggestions"]) == 3
    assert {s["category"] for s in found["suggestions"][1:]} <= {"environment", "education", "labour"}
    assert top["type"] == "complaint" and top["type_name"] == "投诉"
    assert 0 < top["confidence"] <= 1


def test_the_next_training_learns_the_agents_final_department_not_the_first(web, desk, runner, session, app,
                                                                             make_user):
    numbers = seed_orders(desk["agent"])
    retrain(runner)
    first = session.scalar(select(func.max(SuggestModel.id)))
    _, district = make_user("department", "dongcheng")
    for number in numbers["municipal"]:  # the district sends them back; the agents re-dispatch to urban
        assert district.act(number, "return", {"reason": "不属于本单位职责"}).status_code == 200
        assert desk["agent"].act(number, "dispatch", {"department": "urban"}).status_code == 200

    # 15 orders changed: below the nightly job's threshold, so the old version keeps serving.
    assert "15 new order(s) or import(s) since version" in retrain(runner)
    assert versions(session) == 1
    agent = web("agent")
    assert classify(agent, NEW_STREET_LIGHT)["suggestions"][0]["department"] == "dongcheng"

    app.config["SUGGEST_RETRAIN_MIN_NEW"] = 10
    retrain(runner)

    found = classify(agent, NEW_STREET_LIGHT)
    assert found["version"] > first
    assert found["suggestions"][0]["category"] == "municipal"
    assert found["suggestions"][0]["department"] == "urban" and found["preselect"] == "urban"


def test_an_empty_or_blank_text_gets_no_suggestion_and_no_error(web, desk, runner):
    seed_orders(desk["agent"])
    retrain(runner)
    agent = web("agent")
    for text in ("", "   ", "\n\t", "，。！"):
        found = classify(agent, text)
        assert found["suggestions"] == [] and found["preselect"] is None, text
    assert agent.get("/suggest/classify").get_json()["suggestions"] == []


def test_a_long_hostile_text_is_answered_not_refused(web, desk, runner):
    seed_orders(desk["agent"])
    retrain(runner)
    found = classify(web("agent"), "<script>alert(1)</script>" + "路灯" * 20_000)
    assert found["suggestions"][0]["category"] == "municipal"


def test_only_the_desk_roles_get_suggestions(web):
    assert web("department", "housing").get("/suggest/classify?q=路灯").status_code == 403
    assert web("leader").get("/suggest/classify?q=路灯").status_code == 403


def test_what_was_suggested_is_recorded_and_the_quality_api_counts_it(web, desk, runner, session):
    seed_orders(desk["agent"])
    retrain(runner)
    agent = web("agent")
    page = agent.page("/desk")
    assert 'id="classify"' in page and "Alt+G" in page
    # The agent takes the suggestion for one order and overrides it for another.
    for category, department in (("municipal", "dongcheng"), ("property", "housing")):
        response = agent.post("/desk/orders", {
            "type": "complaint", "channel": "phone", "caller_phone": "13812345678", "content": NEW_STREET_LIGHT,
            "category": category, "disposition": "dispatch", "department": department, "handling": "time_limited",
            "confidential": "0", "public_consent": "0", "urgent": "0"})
        assert response.status_code == 302, response.get_data(as_text=True)
    records = session.scalars(select(SuggestRecord).order_by(SuggestRecord.order_id)).all()
    municipal = session.scalar(select(Category.id).where(Category.code == "municipal"))
    dongcheng = session.scalar(select(Department.id).where(Department.code == "dongcheng"))
    assert [(r.category_id, r.department_id) for r in records] == [(municipal, dongcheng)] * 2
    assert [r.chosen_department_id == dongcheng for r in records] == [True, False]

    body = desk["supervisor"].get("/suggest/quality").get_json()

    assert body["suggested"] == 2
    assert body["category_acceptance"] == 0.5 and body["department_acceptance"] == 0.5
    assert {c["category"]: (c["orders"], c["accuracy"]) for c in body["categories"]} == {
        "municipal": (1, 1.0), "property": (1, 0.0)}
    assert body["model"]["version"] == records[0].model_id and body["model"]["examples"] == 60
    assert desk["agent"].get("/suggest/quality").status_code == 403
    assert "/suggest/quality" in desk["agent"].client.get("/api/v1/openapi.json").get_json()["paths"]
    page = web("supervisor").page("/suggest/quality")
    assert "建议质量" in page and "50.0%" in page and "市政建设" in page


def test_a_saved_order_dispatched_later_records_the_department_chosen_then(web, desk, runner, session):
    seed_orders(desk["agent"])
    retrain(runner)
    agent = web("agent")
    response = agent.post("/desk/orders", {
        "type": "complaint", "channel": "phone", "caller_phone": "13812345678", "content": NEW_STREET_LIGHT,
        "category": "municipal", "disposition": "save", "confidential": "0", "public_consent": "0", "urgent": "0"})
    assert response.status_code == 302
    order = session.scalar(select(WorkOrder).order_by(WorkOrder.id.desc()).limit(1))
    assert session.get(SuggestRecord, order.id).chosen_department_id is None
    response = agent.act(order.number, "dispatch", {"department": "dongcheng", "handling": "time_limited"})
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    record = session.get(SuggestRecord, order.id)
    assert record.chosen_department_id == record.department_id


def test_a_model_that_cannot_be_loaded_leaves_the_desk_working_without_suggestions(web, session, clock):
    session.add(SuggestModel(trained_at=clock.now(), trained_by="elsewhere", examples=1, last_event_id=0,
                             train_seconds=0.0, summary={}, payload=b"not a pickle"))
    session.commit()
    agent = web("agent")
    assert classify(agent, NEW_STREET_LIGHT)["suggestions"] == []
    response = agent.post("/desk/orders", {
        "type": "complaint", "channel": "phone", "caller_phone": "13812345678", "content": NEW_STREET_LIGHT,
        "category": "municipal", "disposition": "save", "confidential": "0", "public_consent": "0", "urgent": "0"})
    assert response.status_code == 302
    assert session.scalar(select(func.count(SuggestRecord.order_id))) == 0
