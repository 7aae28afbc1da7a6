"""The agent desk in Chromium (issue 6, acceptance 1 and 3): a call rings through the signed
Twilio webhook, the agent takes it, types the caller's request, answers from a suggested
article; and a complaint is created and dispatched with the keyboard alone in two page loads."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ivr.models import CallOrder
from ivr.simulate import SimulatedCall
from tests.browser.conftest import HOTLINE_NUMBER, TWILIO_TOKEN
from workorders.context import Actor
from workorders.models import OrderEvent, User, WorkOrder

pytestmark = pytest.mark.browser


def ring(site, caller: str) -> str:
    """A caller phones the hotline and presses 1 for an agent: Twilio's signed webhooks, for real."""
    call = SimulatedCall(site.base, None, TWILIO_TOKEN, caller, HOTLINE_NUMBER, echo=lambda *a, **k: None)
    status, body = call.post("/ivr/voice", {"CallStatus": "ringing"})
    assert status == 200, body
    status, body = call.post("/ivr/menu", {"Digits": "1"})
    assert status == 200, body
    return call.sid


def publish_article(site) -> int:
    from knowledge_base import operations

    with site.app.app_context(), site.transaction() as session:
        supervisor = session.scalar(select(User).where(User.username == "supervisor"))
        now = site.clock.now()
        article = operations.create_draft(session, Actor.of(supervisor), {
            "title": "生活垃圾分类投放时间",
            "question": "小区的垃圾分类什么时候投放？",
            "answer": "居民应在每天7:00—9:00和18:00—20:00，将分好类的生活垃圾投放到小区定时定点投放点。",
            "keywords": ["垃圾分类", "投放时间"],
            "category": "environment",
        }, now)
        operations.publish(session, Actor.of(supervisor), article, now)
        return article.id


def order_by_number(site, number: str) -> tuple[WorkOrder, list[str], int]:
    with site.app.app_context(), site.transaction() as session:
        order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
        actions = list(session.scalars(select(OrderEvent.action).where(OrderEvent.order_id == order.id)
                                       .order_by(OrderEvent.seq)))
        links = len(session.scalars(select(CallOrder).where(CallOrder.order_id == order.id)).all())
        session.expunge(order)
        return order, actions, links


def saved_number(page) -> str:
    flash = page.locator(".flash-success").inner_text()
    return re.search(r"\d{8}-\d{5}", flash).group(0)


def test_an_agent_takes_a_call_and_answers_it_from_a_suggested_article(site):
    article_id = publish_article(site)
    sid = ring(site, "+8613912345678")
    page = site.page()
    site.login(page, "agent")
    assert page.url.endswith("/desk")

    call = page.locator("#calls-list .call")  # the desk polls for ringing calls
    call.wait_for()
    assert "+8613912345678" in call.inner_text()
    assert "该号码首次来电" in call.inner_text()

    page.keyboard.press("Alt+C")  # new order from this call
    assert page.locator("#f-phone").input_value() == "+8613912345678"
    page.keyboard.type("请问我们小区垃圾分类什么时候投放？")
    first = page.locator("#kb-suggestions .kb-item").first
    first.wait_for()
    assert "生活垃圾分类投放时间" in first.inner_text()
    assert page.locator("#kb-suggestions mark").count() > 0  # the matched words are highlighted

    page.keyboard.press("Alt+K")  # to the suggested articles
    page.keyboard.press("Enter")  # answer with the first one
    assert page.locator('input[name="disposition"][value="answer"]').is_checked()
    assert "7:00—9:00" in page.locator("#f-answer").input_value()
    site.shot(page, "agent-desk")

    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    number = saved_number(page)
    order, actions, links = order_by_number(site, number)
    assert order.state == "answered" and order.article_id == article_id
    assert order.channel == "phone" and order.caller_phone == "+8613912345678"
    assert actions == ["create", "answer"] and links == 1

    page.locator("#last-saved a").click()
    assert "已直办" in page.locator(".order-head").inner_text()
    assert "7:00—9:00" in page.locator("#answer-text").inner_text()
    site.shot(page, "order-answered")
    assert sid


def test_a_caller_who_hung_up_seconds_ago_is_not_announced_as_a_first_caller(site):
    """Issue 13: the desk said "该号码首次来电" for a number that had called seconds before."""
    first = SimulatedCall(site.base, None, TWILIO_TOKEN, "+8613812340000", HOTLINE_NUMBER, echo=lambda *a, **k: None)
    status, body = first.post("/ivr/voice", {"CallStatus": "ringing"})
    assert status == 200, body
    status, body = first.post("/ivr/status", {"CallStatus": "completed", "CallDuration": "6"})
    assert status in (200, 204), body
    ring(site, "+8613812340000")
    page = site.page()
    site.login(page, "agent")
    call = page.locator("#calls-list .call")
    call.wait_for()
    assert "此前来电1次" in call.inner_text()
    assert "该号码首次来电" not in call.inner_text()


def test_a_complaint_is_created_and_dispatched_with_the_keyboard_alone_in_two_page_loads(site):
    ring(site, "+8613800001111")
    page = site.page()
    loads = []
    page.on("load", lambda p: loads.append(p.url))
    site.login(page, "agent")  # page load 1: the desk, after signing in
    page.locator("#calls-list .call").wait_for()

    # From here on only keys: no clicks, no filling of fields by the test.
    page.keyboard.press("Alt+C")
    page.keyboard.type("幸福小区门口的路灯坏了一个月，晚上很黑，老人出门不安全。")
    page.keyboard.press("Alt+J")  # dispatch: the cursor goes to the department
    page.keyboard.type("housing")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")  # page load 2: the desk again, ready for the next call

    desk_loads = [url for url in loads if "/login" not in url]
    assert len(desk_loads) == 2, loads
    number = saved_number(page)
    order, actions, links = order_by_number(site, number)
    assert order.state == "dispatched" and order.type == "complaint"
    assert actions == ["create", "dispatch"] and links == 1
    assert "查询码" in page.locator(".flash-success").inner_text()
