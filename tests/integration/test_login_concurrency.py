"""Thirty-two wrong passwords at once are all counted, so the right one afterwards is refused
(issue 12, acceptance 3; committed database, real threads, on SQLite and PostgreSQL)."""
from __future__ import annotations

import re
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hotline import create_app
from hotline.auth import hash_password
from hotline.db import database
from tests.committed import committed_database
from workorders.clock import Clock
from workorders.people import create_user
from workorders.throttle import ClientThrottle, client_key

TZ = ZoneInfo("Asia/Shanghai")
PASSWORD = "river-lantern-42"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

pytestmark = pytest.mark.committed


@pytest.fixture
def live_app(tmp_path, reference_template):
    with committed_database(tmp_path, template=reference_template) as url:
        now = datetime(2026, 3, 2, 9, tzinfo=TZ)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "s", "SCHEDULER": "off", "TESTING": True,
                          "CLOCK": Clock.frozen(now, TZ)})
        with app.app_context(), database(app).transaction() as session:
            create_user(session, username="clerk", password_hash=hash_password(PASSWORD), role="agent", now=now)
        yield app
        database(app).dispose()


def _attempt(app, password: str) -> int:
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    return client.post("/login", data={"username": "clerk", "password": password, "csrf_token": token}).status_code


def test_thirty_two_concurrent_wrong_passwords_are_all_counted_and_the_right_one_is_refused(live_app):
    start = threading.Barrier(32)
    statuses, lock = [], threading.Lock()

    def guess(n: int) -> None:
        start.wait()
        status = _attempt(live_app, f"wrong-guess-{n:02d}")
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(set(statuses)) <= [401, 429] and len(statuses) == 32
    with database(live_app).transaction() as session:
        row = session.scalar(select(ClientThrottle).where(ClientThrottle.key == client_key("login", "127.0.0.1")))
        # Every attempt that reached a password check was counted; the others were turned away.
        assert row.failures == statuses.count(401) and row.failures >= 6
    assert _attempt(live_app, PASSWORD) == 429
