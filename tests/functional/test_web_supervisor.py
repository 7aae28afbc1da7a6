"""The hotline office's boards: queues, lights by department, urge and supervise (issue 6)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.web_support import action_forms, people, text_of
from workorders.models import OrderEvent, WorkOrder


@pytest.fixture
def web(app, make_user):
    return people(app, make_user)


def order_of(session, number: str) -> WorkOrder:
    session.expire_all()
    return session.scalar(select(WorkOrder).where(WorkOrder.number == number))


def board_row(page: str, code: str) -> list[int]:
    row = re.search(rf'<tr data-department="{re.escape(code)}">(.*?)</tr>', page, re.S).group(1)
    return [int(n) for n in re.findall(r'class="figure[^"]*">(\d+)</a>', row)]


def test_the_board_counts_open_orders_by_light_and_department(web, desk, clock):
    agent = desk["agent"]
    late = agent.create()["number"]
    agent.act(late, "dispatch", {"department": "housing"})
    clock.advance(timedelta(days=8))  # Tuesday 10 March: the first order is overdue
    fresh = agent.create()["number"]
    agent.act(fresh, "dispatch", {"department": "housing"})
    other = agent.create(type="report")["number"]
    agent.act(other, "dispatch", {"department": "urban"})
    page = web("supervisor").page("/supervisor")
    # green, yellow, red, severe, supervised, open
    assert board_row(page, "housing") == [1, 0, 1, 0, 0, 2]
    assert board_row(page, "urban") == [1, 0, 0, 0, 0, 1]
    clock.advance(timedelta(days=7))  # Tuesday 17 March: past the 5th working day after due
    assert board_row(web("supervisor").page("/supervisor"), "housing")[3] == 1


def test_urge_and_supervise_from_the_overdue_queue(web, desk, session, clock):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    clock.advance(timedelta(days=8))
    supervisor = web("supervisor")
    page = supervisor.page("/supervisor/overdue")
    assert number in page and "urge-button" in page and "supervise-button" in page
    assert supervisor.act(number, "urge", {"message": "请加快办理", "next": "/supervisor/overdue"}).location \
        == "/supervisor/overdue"
    supervisor.act(number, "supervise", {"note": "超期督办"})
    order = order_of(session, number)
    assert order.supervised and order.urged_at is not None
    assert number in supervisor.page("/supervisor/supervised")
    assert "urge-button" not in web("leader").page("/supervisor/overdue")  # leaders do not urge


def test_a_leader_instructs_an_order_awaiting_instruction(web, desk, session):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "request_instruction", {"note": "涉及多个部门"})
    leader = web("leader")
    assert number in leader.page("/supervisor/instruction")
    response = leader.act(number, "instruct", {"text": "请住建局牵头办理", "department": "housing"})
    assert response.status_code == 302
    order = order_of(session, number)
    assert order.state == "dispatched" and order.department.code == "housing"


def test_a_supervisor_decides_an_extension_from_the_queue(web, desk, session):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    desk["housing"].act(number, "sign")
    desk["housing"].act(number, "request_extension", {"reason": "需要现场勘查", "working_days": 3})
    supervisor = web("supervisor")
    assert number in supervisor.page("/supervisor/extensions")
    assert supervisor.act(number, "decide_extension", {"approve": "1"}).status_code == 302
    order = order_of(session, number)
    assert order.extension_days == 3 and order.pending_extension_days is None
    assert order.due_at.isoformat().startswith("2026-03-12")


def test_the_extension_buttons_are_offered_only_while_they_can_be_used(web, desk, session):
    """Issue 13: 审批延期 stayed on the page after the decision, and a click then met a 409."""
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    housing, supervisor = web("department", "housing"), web("supervisor")
    housing.act(number, "sign")
    assert "decide_extension" not in action_forms(supervisor.page(f"/orders/{number}"))  # nothing asked yet
    assert "request_extension" in action_forms(housing.page(f"/orders/{number}"))
    housing.act(number, "request_extension", {"reason": "需要现场勘查", "working_days": "3"})
    # Asked once: the clerk cannot ask again while the request waits, the supervisor may decide it.
    assert "request_extension" not in action_forms(housing.page(f"/orders/{number}"))
    assert "decide_extension" in action_forms(supervisor.page(f"/orders/{number}"))
    assert supervisor.act(number, "decide_extension", {"approve": "1"}).status_code == 302
    page = supervisor.page(f"/orders/{number}")
    assert "decide_extension" not in action_forms(page) and 'id="action-decide_extension"' not in page
    assert number not in supervisor.page("/supervisor/extensions")
    # The clerk may ask for more again, now that the first request is decided.
    assert "request_extension" in action_forms(housing.page(f"/orders/{number}"))


def test_no_extension_is_offered_past_the_due_time(web, desk, clock):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    housing = web("department", "housing")
    housing.act(number, "sign")
    clock.advance(timedelta(days=8))  # past due: an extension must be asked before it
    assert "request_extension" not in action_forms(housing.page(f"/orders/{number}"))


def test_returned_and_reviewed_orders_are_dispatched_again(web, desk, session):
    agent = desk["agent"]
    returned = agent.create()["number"]
    agent.act(returned, "dispatch", {"department": "urban"})
    desk["urban"].act(returned, "return", {"reason": "不属于本单位"})
    reviewed = agent.create()["number"]
    agent.act(reviewed, "dispatch", {"department": "housing"})
    desk["housing"].act(reviewed, "sign")
    desk["housing"].act(reviewed, "reply", {"text": "已处理", "resolved": True})
    agent.act(reviewed, "callback", {"satisfaction": "dissatisfied", "resolved": False})
    supervisor = web("supervisor")
    assert returned in supervisor.page("/supervisor/returned")
    assert reviewed in supervisor.page("/supervisor/review")
    supervisor.act(returned, "dispatch", {"department": "housing"})
    supervisor.act(reviewed, "review", {"decision": "redispatch", "reason": "未解决", "department": "housing"})
    assert order_of(session, returned).state == "dispatched"
    assert order_of(session, reviewed).state == "dispatched"
    actions = session.scalars(select(OrderEvent.action).where(OrderEvent.order_id == order_of(session, reviewed).id)
                              .order_by(OrderEvent.seq)).all()
    assert actions[-1] == "review"


def test_the_board_is_for_the_hotline_office(web):
    assert web("agent").get("/supervisor").status_code == 403
    assert "督办看板" in text_of(web("leader").page("/supervisor"))
