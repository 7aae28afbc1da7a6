"""Quality inspection (issue #16, acceptance 3): the weekly sample → a supervisor scores it → the
agent sees it → appeals once → the supervisor decides the final score; department users get 403."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.jobs import run_job
from tests.web_support import WebSession, text_of
from workorders.quality.models import Inspection


@pytest.fixture
def agent_week(app, make_user, clock):
    """An agent answers three orders on Monday 2 March; the clock then moves to Tuesday 10 March."""
    agent, api = make_user("agent")
    numbers = []
    for _ in range(3):
        number = api.create(type="consultation")["number"]
        assert api.act(number, "answer", {"text": "按标准答案答复。"}).status_code == 200
        numbers.append(number)
    clock.advance(timedelta(days=8))
    return agent, numbers


def test_the_job_draws_one_order_per_agent_and_week_and_is_safe_to_run_twice(app, session, agent_week):
    agent, numbers = agent_week
    for _ in range(2):
        assert run_job(app, "quality_sample", "test").error is None
    drawn = session.scalars(select(Inspection)).all()
    # 2% of 3 orders, at least one: one inspection, of one of this agent's orders, of the week of 2 March.
    assert len(drawn) == 1
    assert drawn[0].agent_id == agent.id and drawn[0].order.number in numbers
    assert (drawn[0].week.isoformat(), drawn[0].source, drawn[0].state) == ("2026-03-02", "sample", "pending")


def test_an_inspection_walks_from_sample_to_final_score(app, session, make_user, agent_week):
    agent, numbers = agent_week
    assert run_job(app, "quality_sample", "test").error is None
    inspection = session.scalars(select(Inspection)).one()
    supervisor_user, _ = make_user("supervisor")
    supervisor = WebSession(app, supervisor_user.username)
    me = WebSession(app, agent.username)
    path = f"/quality/{inspection.id}"

    listing = text_of(supervisor.page("/quality/"))
    assert inspection.order.number in listing and "待评分" in listing
    page = supervisor.page(path)
    assert f'href="/orders/{inspection.order.number}"' in page  # the order (and its recording) to judge by
    items = re.findall(r'name="([a-z_]+)" min="0" max="(\d+)"', page)
    assert [code for code, _ in items] == ["greeting", "listening", "classification", "content", "answer",
                                           "courtesy", "closing"]
    # Full marks but 10 off classification (20 → 10) and 5 off courtesy (10 → 5): 85 of 100.
    marks = {code: int(points) for code, points in items} | {"classification": 10, "courtesy": 5}
    r = supervisor.post(f"{path}/score", {**marks, "comment": "分类选错了类别。"})
    assert r.status_code == 302
    again = supervisor.post(f"{path}/score", marks)
    assert again.status_code == 409 and "已经评分" in text_of(again.get_data(as_text=True))

    # The agent sees their inspection and its score, and appeals once.
    mine = text_of(me.page("/quality/"))
    assert inspection.order.number in mine and "85.0" in mine
    assert "分类选错了类别。" in text_of(me.page(path))
    assert me.post(f"{path}/appeal", {"reason": "来电人描述的是物业问题，分类无误。"}).status_code == 302
    second = me.post(f"{path}/appeal", {"reason": "再申诉一次"})
    assert second.status_code == 409 and "只能申诉一次" in text_of(second.get_data(as_text=True))

    # The supervisor decides: 95 is the final score, and it is what the agent is judged on.
    r = supervisor.post(f"{path}/decide", {"final_score": "95", "note": "复核录音，分类无误，恢复10分。"})
    assert r.status_code == 302
    session.expire_all()
    decided = session.get(Inspection, inspection.id)
    assert (decided.state, decided.score, decided.final_score) == ("decided", 85.0, 95.0)
    page = me.page(path)
    assert 'id="final-score">95.0<' in page and "申诉已裁定" in text_of(page)
    trend = me.page("/quality/")
    assert 'data-figure="average">95.0<' in trend


def test_a_department_user_gets_403_and_an_agent_sees_only_their_own(app, session, make_user, agent_week):
    assert run_job(app, "quality_sample", "test").error is None
    inspection = session.scalars(select(Inspection)).one()
    department_user, _ = make_user("department", "housing")
    department = WebSession(app, department_user.username)
    assert department.get("/quality/").status_code == 403
    assert department.get(f"/quality/{inspection.id}").status_code == 403
    assert department.post(f"/quality/{inspection.id}/score", {"greeting": "10"}).status_code == 403
    other_user, _ = make_user("agent")
    other = WebSession(app, other_user.username)
    assert other.get(f"/quality/{inspection.id}").status_code == 404
    assert inspection.order.number not in other.page("/quality/")
    assert other.post(f"/quality/{inspection.id}/appeal", {"reason": "x"}).status_code == 404


def test_a_supervisor_picks_an_order_and_bad_scores_are_refused(app, session, make_user, agent_week):
    _, numbers = agent_week
    supervisor = WebSession(app, make_user("supervisor")[0].username)
    assert supervisor.post("/quality/choose", {"number": numbers[0]}).status_code == 302
    chosen = session.scalars(select(Inspection)).one()
    assert chosen.source == "chosen"
    assert supervisor.post("/quality/choose", {"number": numbers[0]}).status_code == 409
    assert supervisor.post("/quality/choose", {"number": "NOPE"}).status_code == 404
    r = supervisor.post(f"/quality/{chosen.id}/score", {"greeting": "99"})
    assert r.status_code == 422
    session.expire_all()
    assert session.get(Inspection, chosen.id).state == "pending"  # nothing half-written


def test_the_api_lists_an_agents_own_inspections_and_refuses_departments(app, session, make_user, agent_week, desk):
    agent, numbers = agent_week
    assert run_job(app, "quality_sample", "test").error is None
    other_agent, other_api = make_user("agent")
    supervisor = desk["supervisor"]
    body = supervisor.get("/quality/inspections").get_json()
    assert [(i["agent"], i["state"]) for i in body["inspections"]] == [(agent.username, "pending")]
    assert other_api.get("/quality/inspections").get_json() == {"inspections": [], "agents": []}
    assert desk["housing"].get("/quality/inspections").status_code == 403
    r = supervisor.get("/quality/inspections", state="lost")
    assert r.status_code == 422 and "unknown state" in r.get_json()["error"]
    assert "/quality/inspections" in supervisor.get("/openapi.json").get_json()["paths"]


def test_a_supervisor_keeps_the_checklist(app, session, make_user, agent_week):
    supervisor = WebSession(app, make_user("supervisor")[0].username)
    page = supervisor.page("/quality/checklist")
    assert "工单分类准确" in page
    added = supervisor.post("/quality/checklist", {"code": "empathy", "title": "共情安抚", "points": "5",
                                                   "guidance": "来电人情绪激动时先安抚。", "active": "on"})
    assert added.status_code == 302
    assert supervisor.post("/quality/choose", {"number": agent_week[1][0]}).status_code == 302
    inspection = session.scalars(select(Inspection)).one()
    assert 'name="empathy" min="0" max="5"' in supervisor.page(f"/quality/{inspection.id}")
    bad = supervisor.post("/quality/checklist", {"code": "empathy", "title": "共情安抚", "points": "500"})
    assert bad.status_code == 422 and "1 至 100" in text_of(bad.get_data(as_text=True))
    assert supervisor.post("/quality/checklist", {"code": "坏 code", "title": "x", "points": "5"}).status_code == 422
    department = WebSession(app, make_user("department", "urban")[0].username)
    assert department.get("/quality/checklist").status_code == 403
