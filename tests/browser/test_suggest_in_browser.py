"""Learned classification at the desk in Chromium (issue 15, acceptance 2): trained on seeded
orders, the desk suggests the category and preselects the department while the agent types; after
the agents re-dispatch those orders elsewhere, the next version suggests their final department."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hotline.runtime import domain_context
from hotline.suggest.retraining import train_now
from tests.suggest_support import NEW_STREET_LIGHT, PLACES, TOPICS
from workorders import actions
from workorders.context import Actor
from workorders.intake import create_order
from workorders.models import User, WorkOrder
from workorders.people import create_user

pytestmark = pytest.mark.browser


def seed_orders(site) -> list[int]:
    """The seeded orders, created and dispatched through the operations; the street-light ones' ids."""
    municipal = []
    with site.app.app_context(), site.transaction() as session:
        agent = Actor.of(session.scalar(select(User).where(User.username == "agent")))
        ctx = domain_context(session, site.app)
        for category, (department, sayings) in TOPICS.items():
            for place in PLACES:
                for saying in sayings:
                    order = create_order(ctx, agent, {"type": "complaint", "channel": "phone",
                                                      "caller_phone": "13812345678", "content": saying.format(place),
                                                      "category": category}).order
                    actions.perform(ctx, agent, order, "dispatch", {"department": department})
                    if category == "municipal":
                        session.flush()
                        municipal.append(order.id)
    return municipal


def redispatch(site, order_ids: list[int], department: str) -> None:
    """The district returns the orders; the agent sends them to `department` instead."""
    with site.app.app_context(), site.transaction() as session:
        district = create_user(session, username="dongcheng", password_hash="x", role="department",
                               department_code="dongcheng", now=site.clock.now())
        agent = Actor.of(session.scalar(select(User).where(User.username == "agent")))
        ctx = domain_context(session, site.app)
        for order in session.scalars(select(WorkOrder).where(WorkOrder.id.in_(order_ids))):
            actions.perform(ctx, Actor.of(district), order, "return", {"reason": "不属于本单位职责"})
            actions.perform(ctx, agent, order, "dispatch", {"department": department})


def type_request(page) -> None:
    page.locator("#f-phone").press_sequentially("13812345678")
    page.keyboard.press("Alt+N")
    page.keyboard.type(NEW_STREET_LIGHT)
    page.locator("#classify-list .classify-item").first.wait_for()


def test_the_desk_suggests_and_preselects_the_learned_department_and_learns_the_final_one(site):
    street_lights = seed_orders(site)
    first = train_now(site.app, "test")
    assert first.version is not None, first.note
    site.app.extensions["hotline.suggest_cache"].refresh_seconds = 0

    page = site.page()
    site.login(page, "agent")
    type_request(page)

    items = page.locator("#classify-list .classify-item")
    assert items.count() == 3
    top = items.first.inner_text()
    assert "市政建设" in top and "东城区人民政府" in top and "投诉" in top and "%" in top
    assert page.locator("#f-department").input_value() == "dongcheng"  # preselected: confident enough
    assert page.locator("#suggest-hint").is_visible()
    assert page.locator("#f-category").input_value() == ""  # the category waits for the agent's key
    site.shot(page, "desk-suggestions")

    page.keyboard.press("Alt+G")  # take the first suggestion
    assert page.locator("#f-category").input_value() == "municipal"
    assert page.locator("#f-type").input_value() == "complaint"
    page.keyboard.press("Alt+J")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert page.locator(".flash-success").is_visible()
    with site.app.app_context(), site.transaction() as session:
        order = session.scalar(select(WorkOrder).order_by(WorkOrder.id.desc()).limit(1))
        assert (order.category.code, order.department.code, order.state) == ("municipal", "dongcheng", "dispatched")
        street_lights.append(order.id)

    redispatch(site, street_lights, "urban")
    second = train_now(site.app, "test")
    assert second.version > first.version

    page.reload()
    type_request(page)
    expect(page.locator("#classify-list .classify-item").first).to_contain_text("市城市管理局")
    expect(page.locator("#f-department")).to_have_value("urban")


def test_an_empty_request_shows_no_suggestion(site):
    seed_orders(site)
    train_now(site.app, "test")
    page = site.page()
    site.login(page, "agent")
    page.keyboard.press("Alt+N")
    page.keyboard.type("路灯")
    page.locator("#classify-list .classify-item").first.wait_for()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.locator("#classify-empty").wait_for()
    assert page.locator("#classify-list .classify-item").count() == 0
    assert page.locator("#f-department").input_value() == ""
