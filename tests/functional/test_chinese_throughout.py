"""Acceptance 1 of issue 13: the UI speaks Chinese throughout, and English throughout.

Each role signs in on the demo city plus orders in every state, after every action and every
scheduled job; the crawl follows the menu and the links on the pages it reaches (two levels), and
reads what a person reads: the text and the placeholder, title, label and button attributes.
- zh_CN: no Latin word outside a short allow-list (product names; numbers are not words);
- en: no Chinese character outside user content.
User content is whatever people typed and the database holds (order texts, names of departments,
users, categories …), never the stable codes (states, types, actions …), which must be named.
The failure lists each offending page with its words, so whoever adds a page can fix it at once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import JSON, String, Text, select
from sqlalchemy.engine import Connection

from hotline import demo
from hotline.cli import main
from hotline.db import database
from hotline.i18n import LABELS
from hotline.jobs import jobs
from tests.builders import Cast
from tests.conftest import TZ, app_on, beijing, rolled_back, savepoint
from tests.web_support import WebSession
from workorders import actions, lifecycle
from workorders.assessment.store import install_schemes
from workorders.clock import Clock
from workorders.context import Actor
from workorders.jobs.models import JobRun
from workorders.models import Base, OrderEvent, User, WorkOrder
from workorders.people import create_user
from workorders.quality.operations import checklist as quality_checklist
from workorders.vocabulary import State

ROLES = ["agent", "supervisor", "leader", "admin", "housing"]
# Names that stay as they are in Chinese text: products, formats, the language switch.
LATIN_ALLOWED = {"Twilio", "Excel", "API", "JSON", "CSV", "ECharts", "English", "GeoReport", "SMS",
                 # keys, as printed on the keyboard (the desk's shortcuts)
                 "Alt", "Ctrl", "Shift", "Tab", "Enter"}
# Names with digits, removed before looking for words.
NAMES_WITH_DIGITS = re.compile(r"open311|wgs84|bm25f?", re.I)
# Paths and addresses are not words (an API path in a hint).
PATHS = re.compile(r"https?://\S+|(?<![\w/])/[\w./{}-]+")
PAGES_PER_ROLE = 150
ORDER_PAGES_PER_ROLE = 25
SKIP = re.compile(r"^/(static|api|logout|locale|ivr|open311)\b|\.xlsx|\.json|\.csv|/export|/download|/report")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
VISIBLE_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


class Reader(HTMLParser):
    """What a person reads on a page, and where its links go."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # <code> marks an identifier shown as such (an admin's department code beside its name).
        if tag in ("script", "style", "template", "code"):
            self._hidden += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in VISIBLE_ATTRIBUTES:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template", "code") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def _codes() -> set[str]:
    codes = {str(code) for kind in LABELS.values() for code in kind}
    return codes | set(lifecycle.RULES) | {s.value for s in State}


def user_content(session) -> list[str]:
    """Every text the database holds that people typed, longest first (so it is removed whole)."""
    codes, found = _codes(), set()

    def collect(value):
        if isinstance(value, str):
            if value.strip() and value not in codes:
                found.add(value.strip())
        elif isinstance(value, dict):
            for k, v in value.items():
                collect(k)
                collect(v)
        elif isinstance(value, list):
            for v in value:
                collect(v)

    for table in Base.metadata.sorted_tables:
        # Codes are never content: a page names them (a department's code shown raw is a defect).
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))
                   and not c.name.endswith(("hash", "token", "secret")) and c.name != "code"]
        if not columns:
            continue
        for row in session.execute(select(*columns)):
            for value in row:
                collect(value)
    return sorted(found, key=len, reverse=True)


def seed_everything(app, session, clock, runner) -> None:
    """The demo city, every action on orders, every scheduled job run (some days apart), then an
    order in every state, so that every state, action and job has something on the pages."""
    demo.seed(session, app)
    cast = Cast(session)
    for user in session.scalars(select(User).where(User.username.like("cast_%"))):
        user.display_name = "测试" + {"agent": "话务员", "supervisor": "督办员", "leader": "领导", "admin": "管理员"}.get(
            user.role, "承办人")
    district = Actor.of(create_user(session, username="cast_district", password_hash="x", role="department",
                                    department_code="dongcheng", now=clock.now()))
    for state in State:
        cast.order_in(state.value)
    do_every_action(cast, district)
    session.flush()
    for days in (1, 3, 12, 30):  # yellow, red, severe, intake and instruction urges, callbacks, a new month
        clock.advance(timedelta(days=days))
        for job in jobs(app):
            result = runner.invoke(main, ["jobs", "run", job], catch_exceptions=False)
            assert result.exit_code == 0, result.output
    for state in State:  # the jobs moved the first ones on (callbacks, archiving): every state again
        cast.order_in(state.value)
    session.flush()


def do_every_action(cast: Cast, district: Actor) -> None:
    """Each action of the transition table at least once, through the real operations."""
    order = cast.order_in("in_progress")
    cast.do(order, "supervisor", "decide_extension", {"approve": True, "note": "同意延期"})
    cast.do(order, "co_department", "opinion", {"text": "同意牵头单位意见"})
    cast.do(order, "supervisor", "urge", {"message": "请加快办理"})
    cast.do(order, "supervisor", "supervise", {"note": "列入督办"})
    cast.do(order, "department", "note", {"text": "已联系物业"})
    cast.do(order, "agent", "called_again", {"text": "市民再次来电"})
    cast.do(cast.order_in("in_progress"), "supervisor", "reassign", {"department": "ecology", "reason": "属生态环境职责"})
    cast.do(cast.new_order(), "agent", "classify", {"district": "东城区", "urgent": True})
    review = cast.order_in("under_review")
    cast.do(review, "supervisor", "review", {"decision": "redispatch", "reason": "答复不清", "department": "housing"})
    archived = cast.order_in("archived")
    cast.do(cast.new_order(), "agent", "link_original", {"original": archived.number})
    waiting = cast.order_in("awaiting_instruction")
    cast.do(waiting, "leader", "instruct", {"text": "请住建局牵头", "department": "housing"})
    cast.do(cast.order_in("reply_review"), "supervisor", "approve_reply", {"note": "答复完整"})
    cast.do(cast.order_in("reply_review"), "supervisor", "send_back", {"reason": "答复未写明结果"})
    # Down the tree and back: the district forwards to its street and takes the order back.
    forwarded = cast.new_order()
    cast.do(forwarded, "agent", "dispatch", {"department": "dongcheng"})
    actions.perform(cast.ctx(), district, forwarded, "sign", {})
    actions.perform(cast.ctx(), district, forwarded, "forward", {"department": "dongcheng.xinhe", "note": "请街道办理"})
    actions.perform(cast.ctx(), district, forwarded, "take_back", {"note": "由区里直接办理"})
    # The scheduler counts a deadline again once the calendar covers it (here: asked directly).
    cast.do(cast.order_in("dispatched"), "system", "recompute_deadline", {"reason": "日历已更新"})


def crawl(app, username: str, locale: str) -> dict[str, str]:
    """Path → text of every page reachable from the start page and its menu, two levels deep."""
    person = WebSession(app, username, password=demo.DEMO_PASSWORD)
    person.post("/locale", {"locale": locale})
    seen: dict[str, str] = {}
    frontier = ["/"]
    order_pages = 0
    for _level in range(3):  # the start page, the menu's pages, the pages they link to
        following = []
        for path in frontier:
            if path in seen or len(seen) >= PAGES_PER_ROLE:
                continue
            if path.startswith("/orders/"):
                if order_pages >= ORDER_PAGES_PER_ROLE:
                    continue
                order_pages += 1
            response = person.get(path, follow_redirects=True)
            if response.status_code != 200 or response.mimetype != "text/html":
                seen[path] = ""
                continue
            reader = Reader()
            reader.feed(response.get_data(as_text=True))
            seen[path] = " ".join(reader.parts)
            for href in reader.links:
                parts = urlsplit(href)
                if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
                    continue
                following.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        frontier = following
    return seen


def offending(text: str, content: dict, locale: str) -> list[str]:
    """The words of the wrong script on a page, less what people typed (whole or cut short)."""
    if locale == "zh_CN":
        text = NAMES_WITH_DIGITS.sub(" ", PATHS.sub(" ", text))
        words = {w for w in LATIN_WORD.findall(text) if w not in LATIN_ALLOWED and w not in content["words"]
                 and not any(typed.startswith(w) for typed in content["words"])}
    else:
        # The language switch names Chinese in Chinese.
        words = {run for run in CJK.findall(text) if run not in content["blob"] and run != "中文"}
    return sorted(words)


@dataclass(frozen=True)
class Seeded:
    connection: Connection
    clock_moved: timedelta  # how far the jobs' days moved the clock
    content: dict


@pytest.fixture(scope="module")
def seeded_module(engine, tmp_path_factory):
    """Everything seeded once, in a transaction that lasts the module (seeding takes 8-15 s);
    each test runs in a savepoint of it, rolled back (`connection` below), so every test starts
    from the same data, as if it had seeded it itself."""
    instance = tmp_path_factory.mktemp("seeded")
    clock = Clock.frozen(beijing(2026, 3, 2, 9), TZ)
    with rolled_back(engine) as conn:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("HOTLINE_INSTANCE", str(instance))
            app = app_on(conn, clock, instance)
        session = database(app).sessions()
        with app.app_context():
            seed_everything(app, session, clock, app.test_cli_runner())
            # Kept in the database and edited by people (admins, supervisors): content, like an order's text.
            install_schemes(session)
            quality_checklist(session)
            typed = user_content(session)
        session.commit()  # into the module's transaction
        session.close()
        content = {"words": {w for item in typed for w in LATIN_WORD.findall(item)}, "blob": "\n".join(typed)}
        yield Seeded(conn, clock.offset, content)


@pytest.fixture
def connection(seeded_module):
    with savepoint(seeded_module.connection) as conn:
        yield conn


@pytest.fixture
def clock(clock, seeded_module):
    """The fixtures' clock, on the day the seeding left it."""
    clock.advance(seeded_module.clock_moved)
    return clock


@pytest.fixture
def seeded(seeded_module):
    return seeded_module.content


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_page_speaks_the_users_language(app, seeded, locale):
    problems, pages, first_seen = [], 0, {}
    for username in ROLES:
        for path, text in crawl(app, username, locale).items():
            pages += 1
            words = offending(text, seeded, locale)
            if words:
                problems.append(f"  {username} {path}: {' '.join(words[:25])}")
            for word in words:
                first_seen.setdefault(word, f"{username} {path}")
    assert pages > 60
    assert not problems, (
        f"{'Latin' if locale == 'zh_CN' else 'Chinese'} words on {len(problems)} page(s).\n"
        "Each word, with the first page showing it:\n"
        + "\n".join(f"  {word!r}: {where}" for word, where in sorted(first_seen.items()))
        + "\nEvery page:\n" + "\n".join(problems[:200]))


def test_the_crawl_is_seeded_with_every_state_action_and_job(app, seeded, session):
    """What the crawl reads covers the whole lifecycle table and every scheduled job."""
    assert set(session.scalars(select(WorkOrder.state).distinct())) == set(State)
    assert set(session.scalars(select(OrderEvent.action).distinct())) == set(lifecycle.RULES)
    with app.app_context():
        every_job = set(jobs(app))
    finished = select(JobRun.job).where(JobRun.finished_at.is_not(None), JobRun.error.is_(None)).distinct()
    assert set(session.scalars(finished)) == every_job


def test_every_jobs_runs_are_on_the_admins_job_page(app, seeded):
    from hotline.i18n import JOB_LABELS

    person = WebSession(app, "admin", password=demo.DEMO_PASSWORD)
    page = person.page("/admin/jobs")
    with app.app_context():
        names = list(jobs(app))
    for name in names:
        assert 'id="job-runs"' in page and f'<td data-job="{name}">' in person.page(f"/admin/jobs?job={name}"), name
        assert name in JOB_LABELS, f"job {name} has no name in the user's language"
