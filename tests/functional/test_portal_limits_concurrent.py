"""The query limit holds when one client guesses from many processes at once: its throttle row is
locked while a try is decided, so simultaneous wrong tries cannot slip past the limit (issues 8, 12)."""
from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.db import make_engine
from tests.committed import committed_database
from workorders.calendar_store import load_calendar
from workorders.citizen.query_limits import TooManyAttempts, verify_access
from workorders.context import Actor, Context
from workorders.intake import create_order
from workorders.throttle import FREE_FAILURES

pytestmark = pytest.mark.committed
SECRET = b"concurrency-secret"
NOW = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_simultaneous_wrong_tries_stop_exactly_at_the_limit(tmp_path, reference_template):
    with committed_database(tmp_path, template=reference_template) as url:
        engine = make_engine(url)
        from sqlalchemy.orm import Session

        with Session(engine) as session:
            ctx = Context(session, NOW, load_calendar(session), NOW.tzinfo, SECRET)
            created = create_order(ctx, Actor.system("test"), {"content": "路灯不亮"}, channel="web")
            number, code = created.order.number, created.access_code
            session.commit()
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        tries = 12
        barrier = threading.Barrier(tries)
        outcomes: list[str] = []
        lock = threading.Lock()

        def guess(i: int):
            with Session(engine) as s:
                barrier.wait()
                try:
                    found = verify_access(s, SECRET, number, wrong, source="web", client_key="ip:10.0.0.9",
                                          now=NOW)
                    s.commit()
                    outcome = "wrong" if found is None else "found"
                except TooManyAttempts:
                    s.rollback()
                    outcome = "refused"
            with lock:
                outcomes.append(outcome)

        threads = [threading.Thread(target=guess, args=(i,)) for i in range(tries)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        engine.dispose()
    # Five free failures, the sixth starts the client's wait: every other try is turned away.
    assert sorted(outcomes) == ["refused"] * (tries - FREE_FAILURES - 1) + ["wrong"] * (FREE_FAILURES + 1)
