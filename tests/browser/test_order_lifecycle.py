"""A complaint from call to archive in Chromium, and the department's limits (issue 6, acceptance 1):
dispatched at the desk, signed and replied in the department inbox, a satisfied callback by the
agent, archived; a return after the window shows the refusal; another department's order by
URL is a 403 page."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from workorders.models import OrderEvent, WorkOrder

pytestmark = pytest.mark.browser


def open_action(page, action: str) -> None:
    """Unfold an action's form (short lists of actions are unfolded already)."""
    details = page.locator(f"#action-{action}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def state_and_actions(site, number: str) -> tuple[str, list[str]]:
    with site.app.app_context(), site.transaction() as session:
        order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
        return order.state, list(session.scalars(
            select(OrderEvent.action).where(OrderEvent.order_id == order.id).order_by(OrderEvent.seq)))


def test_a_complaint_is_dispatched_signed_replied_called_back_and_archived(site):
    agent = site.page()
    site.login(agent, "agent")
    agent.fill("#f-phone", "13700005678")
    agent.fill("#f-content", "小区健身器材损坏，存在安全隐患，请尽快维修。")
    agent.check('input[name="disposition"][value="dispatch"]')
    agent.fill("#f-department", "housing")
    with agent.expect_navigation():
        agent.click("#f-submit")
    number = agent.locator("#last-saved a").inner_text()

    housing = site.page()
    site.login(housing, "housing")
    assert housing.url.endswith("/inbox")
    row = housing.locator(f'tr[data-order="{number}"]')
    assert "待签收" in row.inner_text()
    assert housing.locator("#tab-to_sign .count").inner_text() == "1"
    site.shot(housing, "department-inbox")
    with housing.expect_navigation():
        row.locator(".sign-button").click()
    assert housing.locator(f'tr[data-order="{number}"]').count() == 0  # signed: no longer to sign
    housing.click("#tab-in_progress")
    housing.locator(f'tr[data-order="{number}"] a.order-number').click()
    assert "办理中" in housing.locator(".order-head").inner_text()
    assert "13700005678" in housing.locator("#caller").inner_text()  # not confidential, not a report
    open_action(housing, "reply")
    housing.fill('#action-reply textarea[name="text"]', "已安排物业更换损坏器材，并设置警示标志。")
    housing.check('#action-reply input[name="resolved"][value="1"]')
    with housing.expect_navigation():
        housing.click("#action-reply button[type=submit]")
    assert "已回复" in housing.locator(".order-head").inner_text()
    site.shot(housing, "order-replied")

    agent.goto(f"{site.base}/desk/callbacks")
    agent.locator(f'tr[data-order="{number}"] a.order-number').click()
    agent.check('#action-callback input[name="satisfaction"][value="satisfied"]')
    agent.check('#action-callback input[name="resolved"][value="1"]')
    with agent.expect_navigation():
        agent.click("#action-callback button[type=submit]")
    assert "已归档" in agent.locator(".order-head").inner_text()
    assert "满意" in agent.locator("#satisfaction").inner_text()
    timeline = agent.locator("#timeline").inner_text()
    for step in ("登记", "交办", "签收", "回复", "回访"):
        assert step in timeline
    site.shot(agent, "order-archived")
    assert state_and_actions(site, number) == ("archived", ["create", "dispatch", "sign", "reply", "callback"])


def test_a_return_after_the_window_shows_the_refusal(site):
    number = site.dispatched_complaint()
    housing = site.page()
    site.login(housing, "housing")
    housing.goto(f"{site.base}/orders/{number}")
    open_action(housing, "return")
    assert "2026-03-02 23:59" in housing.locator("#action-return .window").inner_text()
    housing.fill('#action-return input[name="reason"]', "不属于本单位职责")
    site.clock.advance(timedelta(days=1))  # the clerk sends it the next morning: Karamay's window has closed
    with housing.expect_navigation():
        housing.click("#action-return button[type=submit]")
    refusal = housing.locator("#action-error")
    assert "退件时限已于 2026-03-02 23:59 截止" in refusal.inner_text()
    assert "closed at" not in refusal.inner_text()  # the Chinese alone (issue 13)
    assert housing.locator("#action-return").count() == 0  # the form is gone now that the window is closed
    site.shot(housing, "return-refused")
    site.problems[:] = [p for p in site.problems if "status of 409" not in p]  # the refusal page's status
    assert state_and_actions(site, number) == ("dispatched", ["create", "dispatch"])


def test_a_department_cannot_open_another_departments_order_by_url(site):
    number = site.dispatched_complaint("housing")
    urban = site.page()
    site.login(urban, "urban")
    response = urban.goto(f"{site.base}/orders/{number}")
    assert response.status == 403
    assert "无权操作" in urban.locator("h1").inner_text()
    assert "油烟" not in urban.content() and "13700001234" not in urban.content()
    site.shot(urban, "forbidden-order")
    site.problems[:] = [p for p in site.problems if "status of 403" not in p]
