"""Acceptance 2 of issue 13 in Chromium: from the board's red count to an exported, filtered list."""
from __future__ import annotations

from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from hotline.runtime import domain_context
from workorders import actions
from workorders.context import Actor
from workorders.intake import create_order
from workorders.models import User

pytestmark = pytest.mark.browser


def _dispatched(site, order_type: str, department: str) -> str:
    with site.app.app_context(), site.transaction() as session:
        agent = Actor.of(session.scalar(select(User).where(User.username == "agent")))
        ctx = domain_context(session, site.app)
        order = create_order(ctx, agent, {"type": order_type, "channel": "phone", "caller_phone": "13700001234",
                                          "content": f"{order_type} 测试诉求"}).order
        actions.perform(ctx, agent, order, "dispatch", {"department": department})
        return order.number


def test_a_supervisor_drills_down_from_the_red_count_filters_and_exports(site, tmp_path):
    # Monday 2 March: two complaints and a consultation for housing, one complaint for urban.
    wanted = [_dispatched(site, "complaint", "housing"), _dispatched(site, "complaint", "housing")]
    _dispatched(site, "consultation", "housing")
    _dispatched(site, "complaint", "urban")
    site.clock.advance(timedelta(days=1))  # Tuesday: another housing complaint, received a day later
    _dispatched(site, "complaint", "housing")
    site.clock.advance(timedelta(days=9))  # Thursday 12 March: all of them overdue

    page = site.page()
    site.login(page, "supervisor")
    page.goto(f"{site.base}/supervisor")
    red = page.locator('#light-board tr[data-department="housing"] td[data-light="red"] a')
    assert red.inner_text() == "4"
    with page.expect_navigation():
        red.click()
    assert page.locator("#order-list tr[data-order]").count() == 4
    page.select_option("#filter-type", "complaint")
    page.fill("#filter-from", "2026-03-02")
    page.fill("#filter-to", "2026-03-02")
    with page.expect_navigation():
        page.click("#filter-submit")
    shown = page.locator("#order-list tr[data-order]").evaluate_all("rows => rows.map(r => r.dataset.order)")
    assert sorted(shown) == sorted(wanted)
    assert all(int(d) >= 1 for d in page.locator("#order-list td.days-overdue").all_inner_texts())
    site.shot(page, "worklist-filtered")
    with page.expect_download() as download:
        page.click("#export-xlsx")
    path = tmp_path / "orders.xlsx"
    download.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][0] == "工单号"  # headed in the supervisor's language
    assert sorted(r[0] for r in rows[1:]) == sorted(wanted)
    assert {r[2] for r in rows[1:]} == {"投诉"} and {r[5] for r in rows[1:]} == {"市住房和城乡建设局"}
    assert not site.problems, site.problems
