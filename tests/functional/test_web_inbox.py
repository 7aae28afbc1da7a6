"""The department inbox: tabs with counts, sign, return within the window only (issue 6)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.web_support import action_forms, page_form, people, text_of
from workorders.models import OrderEvent, WorkOrder


@pytest.fixture
def web(app, make_user):
    return people(app, make_user)


def tab_counts(page: str) -> dict[str, int]:
    return {name: int(n) for name, n in
            re.findall(r'id="tab-([a-z_]+)">[^<]*<span class="count">(\d+)</span>', page)}


def state_of(session, number: str) -> str:
    session.expire_all()
    return session.scalar(select(WorkOrder.state).where(WorkOrder.number == number))


def test_the_inbox_counts_and_lists_the_departments_orders_by_tab(web, desk, clock):
    agent = desk["agent"]
    to_sign = agent.create()["number"]
    agent.act(to_sign, "dispatch", {"department": "housing"})
    working = agent.create()["number"]
    agent.act(working, "dispatch", {"department": "housing"})
    desk["housing"].act(working, "sign")
    elsewhere = agent.create()["number"]
    agent.act(elsewhere, "dispatch", {"department": "urban"})
    housing = web("department", "housing")
    page = housing.page("/inbox")
    assert tab_counts(page) == {"to_sign": 1, "in_progress": 1, "yellow": 0, "red": 0, "returned": 0}
    assert to_sign in page and working not in page and elsewhere not in page
    assert working in housing.page("/inbox?tab=in_progress")
    clock.advance(timedelta(days=5))  # Saturday 7 March: due Monday 9 March, yellow since Friday
    page = housing.page("/inbox?tab=yellow")
    assert tab_counts(page)["yellow"] == 2 and working in page and to_sign in page
    clock.advance(timedelta(days=3))  # Tuesday 10 March: both overdue
    assert tab_counts(housing.page("/inbox?tab=red"))["red"] == 2


def test_a_district_sees_its_streets_orders(web, desk):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "dongcheng.xinhe"})
    assert number in web("department", "dongcheng").page("/inbox")
    assert number not in web("department", "xicheng").page("/inbox")


def test_signing_from_the_inbox_returns_to_the_inbox(web, desk, session):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    housing = web("department", "housing")
    assert f'action="/orders/{number}/sign"' in housing.page("/inbox")
    response = housing.act(number, "sign", {"next": "/inbox?tab=to_sign"})
    assert response.location == "/inbox?tab=to_sign"
    assert state_of(session, number) == "in_progress"


def actions_panel(page: str) -> str:
    return text_of(page.split('id="actions"', 1)[1].split("</section>", 1)[0])


def test_sign_is_offered_once_and_done_once(web, desk, session):
    """Issue 13: 签收 showed twice on the order page (a heading and a button)."""
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    housing = web("department", "housing")
    page = housing.page(f"/orders/{number}")
    assert actions_panel(page).count("签收") == 1
    form = page_form(page, f"/orders/{number}/sign")
    assert housing.act_on_page(number, "sign").status_code == 302
    assert state_of(session, number) == "in_progress"
    # The same form sent again (a double click, a second tab) signs nothing more.
    assert housing.client.post(f"/orders/{number}/sign", data=form).status_code == 409
    signs = select(func.count(OrderEvent.id)).join(WorkOrder).where(WorkOrder.number == number,
                                                                    OrderEvent.action == "sign")
    assert session.scalar(signs) == 1
    assert "签收" not in actions_panel(housing.page(f"/orders/{number}"))


def test_the_return_link_leaves_the_inbox_when_the_window_closes(web, desk, clock):
    """Issue 13: after the return window closed, the inbox's 退件 link led to an order page with no
    return form (a dead end)."""
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    housing = web("department", "housing")
    link = f'href="/orders/{number}#action-return"'
    assert link in housing.page("/inbox")
    assert "return" in action_forms(housing.page(f"/orders/{number}"))
    clock.advance(timedelta(days=1))  # the window closed at the end of the dispatch day
    page = housing.page("/inbox")
    assert number in page and link not in page
    assert "return" not in action_forms(housing.page(f"/orders/{number}"))


def test_a_district_sees_its_streets_orders_to_sign_without_buttons_that_are_the_streets(web, desk, session):
    """A district reads its streets' new orders; signing and returning them is the street's."""
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "dongcheng.xinhe"})
    district, street = web("department", "dongcheng"), web("department", "dongcheng.xinhe")
    page = district.page("/inbox")
    assert number in page
    assert f'action="/orders/{number}/sign"' not in page and f"/orders/{number}#action-return" not in page
    page = street.page("/inbox")
    assert f'action="/orders/{number}/sign"' in page and f"/orders/{number}#action-return" in page
    assert street.act(number, "sign", {"next": "/inbox"}).status_code == 302
    assert state_of(session, number) == "in_progress"


def test_the_return_form_shows_when_the_window_closes(web, desk):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    page = web("department", "housing").page(f"/orders/{number}")
    assert "退件截止时间：2026-03-02 23:59" in text_of(page)


def test_a_return_after_the_window_is_refused_with_its_end_and_nothing_written(web, desk, session, clock):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    housing = web("department", "housing")
    housing.page(f"/orders/{number}")  # the clerk opened the order while the window was open
    clock.advance(timedelta(days=1))
    order_id = session.scalar(select(WorkOrder.id).where(WorkOrder.number == number))
    before = session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.order_id == order_id))
    response = housing.act(number, "return", {"reason": "不属于本单位"})
    assert response.status_code == 409
    page = text_of(response.get_data(as_text=True))
    assert "退件时限已于 2026-03-02 23:59 截止" in page  # in the clerk's language, and in it alone
    assert "closed at" not in page and "return window" not in page
    assert state_of(session, number) == "dispatched"
    housing.post("/locale", {"locale": "en"})
    page = text_of(housing.act(number, "return", {"reason": "不属于本单位"}).get_data(as_text=True))
    assert ("the return window of order " + number + " closed at 2026-03-02 23:59; reply or ask for an "
            "extension instead") in page
    assert session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.order_id == order_id)) == before


def test_a_return_in_time_lands_in_the_returned_by_us_tab_and_the_supervisors_queue(web, desk, session):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    housing = web("department", "housing")
    response = housing.act(number, "return", {"reason": "不属于本单位职责"})
    assert response.status_code == 302 and state_of(session, number) == "returned"
    page = housing.page("/inbox?tab=returned")
    assert tab_counts(page)["returned"] == 1 and number in page
    assert number in web("supervisor").page("/supervisor/returned")


def test_a_commitment_and_an_extension_request_go_through_the_order_page(web, desk, session):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    housing = web("department", "housing")
    housing.act(number, "sign")
    response = housing.act(number, "interim_reply", {"text": "已列入维修计划", "committed_date": "2026-03-06"})
    assert response.status_code == 302 and state_of(session, number) == "committed"
    assert housing.act(number, "request_extension", {"reason": "需要采购配件", "working_days": "3"}).status_code == 302
    assert number in web("supervisor").page("/supervisor/extensions")


def test_a_co_department_gives_its_opinion_and_the_lead_replies(web, desk, session):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing", "handling": "joint", "co_departments": ["urban"]})
    desk["housing"].act(number, "sign")
    urban = web("department", "urban")
    assert number in urban.page("/inbox?tab=in_progress")
    assert action_forms(urban.page(f"/orders/{number}")) == ["opinion"]
    assert urban.act(number, "opinion", {"text": "同意住建局意见"}).status_code == 302
    assert "同意住建局意见" in web("agent").page(f"/orders/{number}")
    housing = web("department", "housing")
    assert housing.act(number, "reply", {"text": "已办结", "resolved": "1"}).status_code == 302
    assert state_of(session, number) == "replied"


def test_departments_only_have_the_inbox(web):
    housing = web("department", "housing")
    assert housing.get("/supervisor").status_code == 403
    assert housing.get("/admin").status_code == 403
    assert web("agent").get("/inbox").status_code == 403
