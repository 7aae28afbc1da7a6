"""Real Chromium against the app in a real HTTP server over a committed database.

The database is `tests.committed.committed_database`: a fresh SQLite file, or on PostgreSQL a
fresh database beside HOTLINE_TEST_DATABASE_URL, dropped afterwards; so the rolled-back test
database of the other tests is never touched. Without /usr/bin/chromium the browser tests are
skipped, unless HOTLINE_REQUIRE_BROWSER=1 (CI), which makes them fail instead.
"""
from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from hotline import create_app
from hotline.auth import hash_password
from hotline.db import database
from hotline.demo import _seed_categories
from hotline.runtime import domain_context
from tests.committed import committed_database, seed_reference
from tests.conftest import LONG_SESSIONS
from workorders import actions
from workorders.clock import Clock
from workorders.context import Actor
from workorders.intake import create_order
from workorders.models import User
from workorders.people import create_user

CHROMIUM = os.environ.get("HOTLINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TZ = ZoneInfo("Asia/Shanghai")
PASSWORD = "password123"
TWILIO_TOKEN = "browser-twilio-token"
HOTLINE_NUMBER = "+8675512345"
NOW = datetime(2026, 3, 2, 9, tzinfo=TZ)  # a Monday morning, within working hours
# username, role, department
STAFF = [("agent", "agent", None), ("supervisor", "supervisor", None), ("admin", "admin", None),
         ("housing", "department", "housing"), ("urban", "department", "urban")]


def _require_chromium() -> None:
    if os.path.exists(CHROMIUM) or shutil.which(CHROMIUM):
        return
    message = f"no Chromium at {CHROMIUM}: install Debian's chromium to run the browser tests"
    if os.environ.get("HOTLINE_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (HOTLINE_REQUIRE_BROWSER=1)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def chromium():
    """One Chromium per test module (a module-wide Playwright ends before the next module starts its own)."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Screenshots of the main pages, kept under pytest's temporary directory."""
    return tmp_path_factory.mktemp("screenshots")


@dataclass
class Site:
    base: str
    app: object
    clock: Clock
    shots: Path
    browser: object
    problems: list[str] = field(default_factory=list)
    contexts: list = field(default_factory=list)

    def transaction(self):
        return database(self.app).transaction()

    def page(self, locale: str = "zh-CN"):
        """A fresh browser context (its own cookies): one person at one computer."""
        context = self.browser.new_context(locale=locale, viewport={"width": 1400, "height": 1000})
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        # Any script error, CSP violation or dialog (an injected alert) is a problem of the page.
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        page.on("console", lambda msg: msg.type == "error" and self.problems.append(f"console: {msg.text}"))
        page.on("dialog", lambda dialog: (self.problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        return page

    def login(self, page, username: str) -> None:
        """Signing in with the keyboard alone, as a clerk does."""
        page.goto(f"{self.base}/login")
        page.locator("input[name=username]:focus").wait_for()  # the page puts the cursor there
        page.keyboard.type(username)
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        with page.expect_navigation():
            page.keyboard.press("Enter")

    def dispatched_complaint(self, department: str = "housing") -> str:
        """An order the agent already dispatched (set up through the operations, committed)."""
        with self.app.app_context(), self.transaction() as session:
            agent = Actor.of(session.scalar(select(User).where(User.username == "agent")))
            ctx = domain_context(session, self.app)
            order = create_order(ctx, agent, {
                "type": "complaint", "channel": "phone", "caller_phone": "13700001234", "caller_name": "赵先生",
                "content": "楼下餐馆油烟直排，窗户都不敢开。"}).order
            actions.perform(ctx, agent, order, "dispatch", {"department": department})
            return order.number

    def shot(self, page, name: str) -> Path:
        path = self.shots / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def site_config() -> dict:
    """Extra app configuration; a test module overrides this fixture to add its own."""
    return {}


def _app(url: str, clock: Clock, **config):
    return create_app({
        "DATABASE_URL": url, "SECRET_KEY": "browser-secret", "SCHEDULER": "off", "CLOCK": clock,
        "TWILIO_ACCOUNT_SID": "AC" + "2" * 32, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_NUMBER": HOTLINE_NUMBER, "IVR_TELEPHONY": "console", "PUBLIC_URL": None,
        "PERMANENT_SESSION_LIFETIME": LONG_SESSIONS,  # tests move the clock by days in one session
        **config,
    })


@pytest.fixture(scope="session")
def site_template(tmp_path_factory):
    """A committed database with what every site starts from: demo departments and categories,
    one user per role. Made once (the calendar alone takes a second); each site is a copy."""
    instance = tmp_path_factory.mktemp("site-template")
    with committed_database(instance) as url:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("HOTLINE_INSTANCE", str(instance))
            app = _app(url, Clock.frozen(NOW, TZ))
        with app.app_context(), database(app).transaction() as session:
            seed_reference(session, NOW)
            _seed_categories(session)
            for username, role, dept in STAFF:
                create_user(session, username=username, password_hash=hash_password(PASSWORD), role=role,
                            department_code=dept, display_name=username, now=NOW)
        database(app).dispose()  # a template takes no connections
        yield url


@pytest.fixture
def site(tmp_path, monkeypatch, chromium, screenshots, site_config, site_template):
    """The hotline on 127.0.0.1: demo departments and categories, one user per role, a frozen clock."""
    monkeypatch.setenv("HOTLINE_INSTANCE", str(tmp_path))
    clock = Clock.frozen(NOW, TZ)
    with committed_database(tmp_path, template=site_template) as url:
        app = _app(url, clock, **site_config)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        site = Site(f"http://127.0.0.1:{server.server_port}", app, clock, screenshots, chromium)
        try:
            yield site
        finally:
            for context in site.contexts:
                context.close()
            server.shutdown()
            thread.join(timeout=10)
            database(app).dispose()
        assert not site.problems, site.problems
