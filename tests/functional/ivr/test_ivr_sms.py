"""SMS intake through signed webhooks (issue 3: acceptance 1, 2, 4)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from ivr.models import Message
from tests.conftest import TEST_SECRET
from tests.ivr_support import (
    CALLER,
    new_sid,
    sms_params,
    twiml,
)
from workorders.intake import access_code_matches
from workorders.models import OrderEvent, WorkOrder


def reply_of(response) -> str:
    root = twiml(response)
    messages = root.findall("Message")
    assert len(messages) == 1
    return messages[0].text


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_an_sms_becomes_a_new_order_and_the_reply_gives_its_number_and_access_code(twilio, session):
    text = "幸福小区东门的垃圾已经三天没人清运了，请尽快处理。"
    reply = reply_of(twilio.post("/ivr/sms", sms_params(sid := new_sid("SM"), text)))
    number, code = re.search(r"工单编号(\d{8}-\d{5})，查询码(\d{6})", reply).groups()
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    assert (order.state, order.channel, order.caller_phone, order.content) == ("new", "sms", CALLER, text)
    assert access_code_matches(TEST_SECRET.encode(), order, code)
    message = session.scalar(select(Message).where(Message.message_sid == sid))
    assert (message.direction, message.purpose, message.order_id, message.body) == ("inbound", "intake", order.id, text)


def test_the_same_message_sid_replayed_50_times_is_one_record_and_one_order(twilio, session):
    params = sms_params(sid := new_sid("SM"), "噪音扰民，晚上十一点后还在施工。")
    orders_before = count(session, WorkOrder)
    first = reply_of(twilio.post("/ivr/sms", params))
    repeats = {reply_of(twilio.post("/ivr/sms", params)) for _ in range(49)}
    assert count(session, WorkOrder) == orders_before + 1
    assert session.scalar(select(func.count(Message.id)).where(Message.message_sid == sid)) == 1
    number = re.search(r"工单编号(\d{8}-\d{5})", first).group(1)
    assert repeats == {f"【12345热线】您的短信已受理，工单编号{number}。查询码已在首次回复中发送。"}


def test_an_empty_sms_asks_for_the_request_and_creates_no_order(twilio, session):
    orders_before = count(session, WorkOrder)
    assert "请直接发送您的诉求内容" in reply_of(twilio.post("/ivr/sms", sms_params(new_sid("SM"), "  ")))
    assert count(session, WorkOrder) == orders_before


def test_a_10kb_sms_is_refused_politely_and_creates_no_order(twilio, session):
    orders_before = count(session, WorkOrder)
    sid = new_sid("SM")
    assert "过长" in reply_of(twilio.post("/ivr/sms", sms_params(sid, "投诉" * 5120)))
    assert count(session, WorkOrder) == orders_before
    assert session.scalar(select(Message.purpose).where(Message.message_sid == sid)) == "too_long"


def test_control_characters_are_dropped_from_the_text(twilio, session):
    reply = reply_of(twilio.post("/ivr/sms", sms_params(new_sid("SM"), "路灯\x01坏了\x07")))
    number = re.search(r"工单编号(\d{8}-\d{5})", reply).group(1)
    assert session.scalar(select(WorkOrder.content).where(WorkOrder.number == number)) == "路灯坏了"


def test_a_nul_no_database_can_store_is_a_clean_400_and_writes_nothing(twilio, session):
    # Refused as sent, before the signature check: the parameters are never altered (issue 12).
    before = count(session, Message), count(session, WorkOrder)
    assert twilio.post("/ivr/sms", sms_params(new_sid("SM"), "路灯\x00坏了")).status_code == 400
    assert (count(session, Message), count(session, WorkOrder)) == before


@pytest.mark.parametrize("missing", ["From", "MessageSid"])
def test_an_sms_without_from_or_message_sid_is_400_and_writes_nothing(twilio, session, missing):
    params = sms_params(new_sid("SM"), "路灯坏了")
    del params[missing]
    before = count(session, Message), count(session, WorkOrder)
    r = twilio.post("/ivr/sms", params)
    assert r.status_code == 400 and missing in r.get_data(as_text=True)
    assert (count(session, Message), count(session, WorkOrder)) == before


def test_a_sender_that_is_not_a_phone_number_gets_an_apology_and_nothing_is_written(twilio, session):
    before = count(session, Message), count(session, WorkOrder), count(session, OrderEvent)
    reply = reply_of(twilio.post("/ivr/sms", sms_params(new_sid("SM"), "你好", frm="ALPHA-SENDER")))
    assert "暂时无法受理" in reply
    assert (count(session, Message), count(session, WorkOrder), count(session, OrderEvent)) == before

