"""Every main page of the staff web app in Chromium: it loads with its script and styles allowed
by the content security policy, without script errors, in Chinese and in English, with the
clock banner; a screenshot of each is kept under pytest's temporary directory (issue 6)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PAGES = {
    "supervisor": [("supervisor-board", "/supervisor"), ("supervisor-overdue", "/supervisor/overdue"),
                   ("order-search", "/orders?q=油烟")],
    "admin": [("admin-users", "/admin/users"), ("admin-departments", "/admin/departments"),
              ("admin-categories", "/admin/categories"), ("admin-policy", "/admin/policy"),
              ("admin-calendar", "/admin/calendar"), ("admin-jobs", "/admin/jobs")],
    "agent": [("desk-intake", "/desk/intake"), ("desk-callbacks", "/desk/callbacks")],
}


def test_the_main_pages_load_cleanly_with_the_clock_banner(site):
    number = site.dispatched_complaint()
    login = site.page()
    login.goto(f"{site.base}/login")
    site.shot(login, "login")
    for username, pages in PAGES.items():
        page = site.page()
        site.login(page, username)
        for name, path in pages:
            response = page.goto(f"{site.base}{path}")
            assert response.status == 200, path
            assert page.locator("#clock-banner").is_visible(), path  # the clock is frozen: say so
            assert page.evaluate("getComputedStyle(document.body).margin") == "0px", path  # styles applied
            site.shot(page, name)
        page.goto(f"{site.base}/orders/{number}")
        site.shot(page, f"order-as-{username}")


def test_the_switch_turns_the_pages_into_english_and_back(site):
    page = site.page()
    site.login(page, "agent")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "话务台" in page.locator(".main-nav").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.url.endswith("/desk")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Agent desk" in page.locator(".main-nav").inner_text()
    site.shot(page, "agent-desk-english")
    with page.expect_navigation():
        page.get_by_role("button", name="中文").click()
    assert "话务台" in page.locator(".main-nav").inner_text()
