"""Quality inspection and the assessment page in Chromium: a supervisor picks an order and scores it,
the agent appeals from their own list, the supervisor decides; a department is offered no inspection
and sees its own row of the assessment."""
from __future__ import annotations

import pytest

from tests.assessment_support import assessed_march
from tests.stats_support import TZ, Office
from workorders.stats import rollup

pytestmark = pytest.mark.browser


def test_an_inspection_from_choice_to_decided_appeal(site):
    number = site.dispatched_complaint()
    boss = site.page()
    site.login(boss, "supervisor")
    boss.get_by_role("link", name="质检").click()
    boss.locator("#choose-order input[name=number]").fill(number)
    with boss.expect_navigation():
        boss.locator("#choose-order button").click()
    assert boss.locator("#order-link").get_attribute("href") == f"/orders/{number}"
    boss.locator("#score-form input[name=classification]").fill("15")
    boss.locator("#score-form textarea[name=comment]").fill("类别选择不够准确。")
    with boss.expect_navigation():
        boss.locator("#score-form button").click()
    assert boss.locator("#score").inner_text() == "95.0"
    site.shot(boss, "quality-scored")
    inspection_url = boss.url

    agent = site.page()
    site.login(agent, "agent")
    agent.goto(f"{site.base}/quality/")
    assert agent.locator("h1").inner_text() == "我的质检"
    agent.get_by_role("link", name=number).click()
    agent.locator("#appeal-form textarea").fill("来电人反映的是油烟扰民，类别无误。")
    with agent.expect_navigation():
        agent.locator("#appeal-form button").click()
    assert agent.locator("#appeal-form").count() == 0  # once only

    boss.goto(inspection_url)
    boss.locator("#decide-form input[name=final_score]").fill("100")
    boss.locator("#decide-form textarea[name=note]").fill("复核后认可申诉。")
    with boss.expect_navigation():
        boss.locator("#decide-form button").click()
    agent.reload()
    assert agent.locator("#final-score").inner_text() == "100.0"
    site.shot(agent, "quality-decided-as-agent")

    department = site.page()
    site.login(department, "housing")
    assert "质检" not in department.locator(".main-nav").inner_text()  # the 403 itself: test_quality_inspection.py


def test_a_department_sees_its_own_assessment_row(site):
    with site.app.app_context(), site.transaction() as session:
        assessed_march(Office(session, site.clock))
        rollup.refresh(session, site.clock.now(), TZ)
    page = site.page()
    site.login(page, "urban")
    page.get_by_role("link", name="考核").click()
    page.goto(f"{site.base}/stats/assessment?month=2026-03")
    rows = page.locator("#assessment tbody tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-department") == "urban"
    assert rows.first.locator("[data-figure=rank]").inner_text() == "2 / 3"
    site.shot(page, "assessment-as-department")
