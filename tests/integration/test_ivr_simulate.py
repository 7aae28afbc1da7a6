"""`hotline simulate call` against a running app with signatures checked (issue 3: acceptance 6)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hotline.db import database
from ivr.models import Call
from tests.committed import committed_database
from tests.conftest import TZ, beijing
from tests.ivr_support import committed_app, serving
from workorders.clock import Clock
from workorders.models import WorkOrder

pytestmark = pytest.mark.committed


@pytest.fixture(scope="module")
def app(tmp_path_factory, reference_template):
    with committed_database(tmp_path_factory.mktemp("ivr-simulate"), template=reference_template) as url:
        yield committed_app(url, Clock.frozen(beijing(2026, 3, 2, 10), TZ))


@pytest.fixture(scope="module")
def server(app):
    with serving(app) as base:
        yield base


def simulate(app, *args):
    result = app.test_cli_runner().invoke(args=["simulate", "call", *args])
    assert result.exit_code == 0, result.output
    return result.output


def order_from(app, phone: str) -> WorkOrder:
    with database(app).transaction() as session:
        return session.scalar(select(WorkOrder).where(WorkOrder.caller_phone == phone)
                              .order_by(WorkOrder.id.desc()).limit(1))


def test_a_simulated_caller_walks_menu_message_to_a_new_order(app, server):
    output = simulate(app, "--url", server, "--from", "+8613600000001", "--press", "3", "--recording-seconds", "25")
    assert ">>> POST /ivr/voice" in output and ">>> POST /ivr/menu  Digits=3" in output
    assert ">>> POST /ivr/recording" in output and ">>> POST /ivr/status" in output
    assert "<<< 403" not in output
    order = order_from(app, "+8613600000001")
    assert (order.state, order.channel) == ("new", "voicemail") and "25秒" in order.content
    assert " ".join(order.number.replace("-", "")) in output
    sid = re.search(r"simulated call (CA[0-9a-f]{32})", output).group(1)
    with database(app).transaction() as session:
        call = session.scalar(select(Call).where(Call.call_sid == sid))
        assert (call.status, call.duration, call.recording_duration) == ("completed", 35, 25)


def test_a_simulated_caller_can_say_the_request(app, server):
    simulate(app, "--url", server, "--from", "+8613600000002", "--press", "4", "--say", "公园的健身器材坏了")
    order = order_from(app, "+8613600000002")
    assert (order.channel, order.state) == ("phone", "new") and "公园的健身器材坏了" in order.content


def test_a_simulated_caller_queries_the_order_it_left(app, server):
    output = simulate(app, "--url", server, "--from", "+8613600000003", "--press", "4", "--say", "路面塌陷")
    digits = re.search(r"工单编号是 ([0-9 ]+)，查询码是 ([0-9 ]+)。", output)
    number, code = (group.replace(" ", "") for group in digits.groups())
    output = simulate(app, "--url", server, "--press", "2", "--press", number, "--press", code)
    assert "您查询的工单目前的状态是：待受理。" in output


def test_requests_signed_with_the_wrong_token_are_refused(app, server):
    output = simulate(app, "--url", server, "--token", "wrong-token", "--press", "3")
    assert "<<< 403" in output and "invalid or missing X-Twilio-Signature" in output


def test_an_app_that_is_not_running_is_reported_clearly(app):
    result = app.test_cli_runner().invoke(args=["simulate", "call", "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 1 and "cannot reach the app" in result.output
