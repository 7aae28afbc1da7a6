"""A supervisor in Chromium opens the statistics dashboard: ECharts draws the four charts under the
pages' Content-Security-Policy, with no script error; the public notice board needs no login."""
from __future__ import annotations

import pytest

from tests.stats_support import TZ, Office, march_2026
from workorders.stats import rollup

pytestmark = pytest.mark.browser


@pytest.fixture
def march_site(site):
    with site.app.app_context(), site.transaction() as session:
        march_2026(Office(session, site.clock))
        rollup.refresh(session, site.clock.now(), TZ)
    return site


def browser_page(site):
    page = site.page()
    # The app has no favicon (not this feature's): Chromium's automatic request would count as a 404.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    return page


def test_the_dashboard_draws_its_charts(march_site):
    site = march_site
    page = browser_page(site)
    site.login(page, "supervisor")
    page.goto(f"{site.base}/stats/?from=2026-03-01&to=2026-03-31")
    for chart in ("chart-trend", "chart-types", "chart-categories", "chart-ranking"):
        page.wait_for_selector(f"#{chart}[data-drawn='true'] canvas")
        box = page.locator(f"#{chart} canvas").first.bounding_box()
        assert box["width"] > 200 and box["height"] > 200
    assert page.locator("[data-figure='received'] .tile-value").inner_text() == "12"
    assert page.locator("#ranking tbody tr").count() == 3
    site.shot(page, "stats-dashboard")
    with page.expect_download() as download:
        page.click("#download")
    assert download.value.suggested_filename == "hotline-report-2026-03.xlsx"


def test_the_notice_board_opens_without_signing_in(march_site):
    site = march_site
    page = browser_page(site)
    page.goto(f"{site.base}/notice")
    assert page.locator("h1").inner_text().startswith("公开通报")
    assert page.locator("#notice tbody tr[data-department='housing'] td[data-figure='dispatched']").inner_text() == "5"
    site.shot(page, "notice-board")
