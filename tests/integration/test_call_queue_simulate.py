"""`hotline simulate call --press 1` waits in the agents' queue and `hotline simulate agent`
answers it: the whole path without Twilio, against a running app (issue 17)."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from hotline.auth import hash_password
from hotline.db import database
from ivr.agent_simulation import run_agent
from ivr.models import Call
from ivr.simulate import Caller, SimulatedCall
from tests.committed import committed_database
from tests.conftest import TZ, beijing
from tests.ivr_support import AUTH_TOKEN, HOTLINE_NUMBER, committed_app, serving
from workorders.callcenter.models import AgentPresence, QueueEntry
from workorders.clock import Clock
from workorders.people import create_user

pytestmark = pytest.mark.committed
SUNDAY = beijing(2026, 3, 8, 23, 0)
FROM = "+8613600000099"


@pytest.fixture
def app(tmp_path, reference_template):
    with committed_database(tmp_path, template=reference_template) as url:
        app = committed_app(url, Clock.frozen(SUNDAY, TZ), IVR_WORKING_HOURS=None,
                            CC_MAX_WAIT_SECONDS=100_000)  # the caller waits as long as the test needs
        with database(app).transaction() as session:
            create_user(session, username="zoe", password_hash=hash_password("password123"), role="agent",
                        department_code=None, now=SUNDAY)
        yield app
        database(app).dispose()


def entry(app) -> QueueEntry | None:
    with database(app).transaction() as session:
        return session.scalar(select(QueueEntry).join(Call, Call.id == QueueEntry.call_id)
                              .where(Call.from_number == FROM))


def test_a_simulated_caller_waits_in_the_queue_until_a_simulated_agent_answers(app, capsys):
    lines: list[str] = []
    with serving(app) as server:
        def caller():
            with app.app_context():
                call = SimulatedCall(server, None, AUTH_TOKEN, FROM, HOTLINE_NUMBER, echo=lines.append)
                call.play(Caller(["1"], [], 20, talk_seconds=1, poll_seconds=0.1))

        thread = threading.Thread(target=caller)
        thread.start()
        deadline = time.monotonic() + 30
        while not any("/ivr/queue/wait" in line for line in lines[-5:]) or entry(app) is None:
            assert time.monotonic() < deadline and thread.is_alive(), "\n".join(lines)
            time.sleep(0.05)
        assert entry(app).outcome == "waiting"
        time.sleep(0.5)  # a few polls: the caller hears the queue's wait TwiML again and again
        # What `hotline simulate agent --username zoe` runs (click's test runner would swap the
        # process's stdout under the server thread that is still serving the caller).
        with app.app_context():
            run_agent("zoe", server, None, AUTH_TOKEN, timeout_seconds=30, poll_seconds=0.1)
        thread.join(60)
    output = "\n".join(lines)
    agent_output = capsys.readouterr().out
    assert "answering" in agent_output and "now wrap_up" in agent_output
    assert sum(">>> POST /ivr/queue/wait" in line for line in lines) >= 2
    assert "您是下一位" in output
    assert ">>> POST /ivr/queue/connect?entry=" in output and "<Identity>agent_" in output
    assert "DialCallStatus=completed" in output and ">>> POST /ivr/status" in output
    done = entry(app)
    assert (done.outcome, done.answered_at is not None, done.talk_ended_at is not None) == ("answered", True, True)
    with database(app).transaction() as session:
        assert session.scalar(select(AgentPresence.state)) == "wrap_up"


def test_an_agent_with_no_caller_reports_it(app):
    with serving(app) as server:
        result = app.test_cli_runner().invoke(args=["simulate", "agent", "--username", "zoe", "--url", server,
                                                    "--poll-seconds", "0.05", "--timeout", "1"])
    assert result.exit_code != 0 and "no caller was given to zoe" in result.output


def test_an_unknown_agent_is_refused(app):
    result = app.test_cli_runner().invoke(args=["simulate", "agent", "--username", "nobody"])
    assert result.exit_code != 0 and "no active agent or supervisor called 'nobody'" in result.output
