"""Twilio's retries arriving at once: 50 concurrent copies of one webhook against a real server
and a committed database make one record and one order (issue 3: acceptance 1)."""
from __future__ import annotations

import re
import threading
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from hotline.db import database
from hotline.runtime import domain_context
from ivr.models import Call, CallOrder, Message
from ivr.recording_models import Recording
from tests.committed import committed_database
from tests.conftest import TZ, beijing
from tests.ivr_support import (
    AUTH_TOKEN,
    HOTLINE_NUMBER,
    call_params,
    committed_app,
    new_sid,
    serving,
    sms_params,
)
from workorders import actions
from workorders.clock import Clock
from workorders.context import Actor
from workorders.intake import create_order
from workorders.models import Department, WorkOrder

pytestmark = pytest.mark.committed
COPIES = 50


@pytest.fixture(scope="module")
def app(tmp_path_factory, reference_template):
    with committed_database(tmp_path_factory.mktemp("ivr-concurrency"), template=reference_template) as url:
        yield committed_app(url, Clock.frozen(beijing(2026, 3, 2, 9), TZ))


@pytest.fixture(scope="module")
def server(app):
    with serving(app) as base:
        yield base


def all_at_once(base: str, path: str, params: dict) -> list[tuple[int, str]]:
    """Post the same signed request from COPIES threads released together."""
    signature = RequestValidator(AUTH_TOKEN).compute_signature(base + path, params)
    body = urlencode(params).encode()
    barrier, results, lock = threading.Barrier(COPIES), [], threading.Lock()

    def send():
        request = Request(base + path, data=body, method="POST", headers={
            "X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})
        barrier.wait()
        try:
            with urlopen(request, timeout=120) as response:
                result = (response.status, response.read().decode())
        except HTTPError as exc:
            result = (exc.code, exc.read().decode())
        with lock:
            results.append(result)

    threads = [threading.Thread(target=send) for _ in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def count(app, query) -> int:
    with database(app).transaction() as session:
        return session.scalar(query)


def test_fifty_concurrent_copies_of_an_incoming_call_make_one_call_record(app, server):
    sid = new_sid()
    results = all_at_once(server, "/ivr/voice", call_params(sid, CallStatus="ringing"))
    assert [status for status, _ in results] == [200] * COPIES
    assert len({body for _, body in results}) == 1
    assert count(app, select(func.count(Call.id)).where(Call.call_sid == sid)) == 1


def test_fifty_concurrent_copies_of_a_recording_make_one_call_and_one_order(app, server):
    sid = new_sid()  # never announced on /ivr/voice: the call record is raced for too
    orders_before = count(app, select(func.count(WorkOrder.id)))
    results = all_at_once(server, "/ivr/recording", call_params(
        sid, RecordingUrl=f"https://api.twilio.com/r/{sid}", RecordingSid="RE" + sid[2:], RecordingDuration="33"))
    assert [status for status, _ in results] == [200] * COPIES
    assert count(app, select(func.count(Call.id)).where(Call.call_sid == sid)) == 1
    assert count(app, select(func.count(CallOrder.id)).join(Call).where(Call.call_sid == sid)) == 1
    assert count(app, select(func.count(WorkOrder.id))) == orders_before + 1
    # One recording, played through the app (the order's text carries no Twilio URL).
    assert count(app, select(func.count(Recording.id)).where(Recording.recording_sid == "RE" + sid[2:])) == 1
    with_code = [body for _, body in results if "查询码" in body]
    assert len(with_code) == 1  # the access code went to the one request that created the order


def test_fifty_concurrent_copies_of_an_sms_make_one_message_and_one_order(app, server):
    sid = new_sid("SM")
    orders_before = count(app, select(func.count(WorkOrder.id)))
    results = all_at_once(server, "/ivr/sms", sms_params(sid, "小区电梯又坏了，老人上下楼很困难。"))
    assert [status for status, _ in results] == [200] * COPIES
    assert count(app, select(func.count(Message.id)).where(Message.message_sid == sid)) == 1
    assert count(app, select(func.count(WorkOrder.id))) == orders_before + 1
    numbers = {re.search(r"工单编号(\d{8}-\d{5})", body).group(1) for _, body in results}
    assert len(numbers) == 1
    assert sum("查询码" in body and "首次回复" not in body for _, body in results) == 1


def test_fifty_concurrent_no_answer_callbacks_count_one_attempt(app, server):
    with database(app).transaction() as session:
        ctx = domain_context(session, app)
        order = create_order(ctx, Actor.system("test"), {"type": "complaint", "content": "井盖缺失",
                                                         "caller_phone": "13812345678"}, channel="phone").order
        housing = session.scalar(select(Department).where(Department.code == "housing"))
        actions.perform(ctx, Actor(None, "agent", "agent"), order, "dispatch", {"department": "housing"})
        clerk = Actor(None, "clerk", "department", housing.id)
        actions.perform(ctx, clerk, order, "sign", {})
        actions.perform(ctx, clerk, order, "reply", {"text": "已补装井盖。", "resolved": True})
        number = order.number
        app.extensions["hotline.callback_placer"].place(session, order, ctx.now)  # console telephony
        sid = session.scalar(select(Call.call_sid).where(Call.survey_order_id == order.id))
    results = all_at_once(server, f"/ivr/status?order={number}", call_params(
        sid, frm=HOTLINE_NUMBER, To="+8613812345678", Direction="outbound-api", CallStatus="no-answer"))
    assert [status for status, _ in results] == [200] * COPIES
    with database(app).transaction() as session:
        order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
        assert (order.state, order.callback_attempts) == ("replied", 1)
        assert [e.action for e in order.events].count("callback") == 1
