"""The voice IVR through signed Twilio webhooks (issue 3: acceptance 2, 3, 4)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from ivr.models import Call, CallOrder
from tests.conftest import TZ, beijing
from tests.ivr_support import (
    CALLER,
    Twilio,
    action_of,
    bound_app,
    call_params,
    new_sid,
    spoken,
    twiml,
)
from workorders.clock import Clock
from workorders.models import OrderEvent, WorkOrder


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def start_call(twilio, frm=CALLER):
    sid = new_sid()
    return sid, twiml(twilio.post("/ivr/voice", call_params(sid, frm, CallStatus="ringing")))


def test_an_incoming_call_is_logged_and_the_caller_hears_the_menu_in_mandarin(twilio, session, clock):
    sid, root = start_call(twilio)
    assert "欢迎致电12345" in spoken(root)
    assert "留言请按3" in root.find("Gather/Say").text
    assert root.find("Gather").get("numDigits") == "1"
    call = session.scalar(select(Call).where(Call.call_sid == sid))
    assert (call.from_number, call.to_number, call.direction, call.after_hours) == (CALLER, "+8675512345", "inbound", False)
    assert call.started_at == clock.now() and call.ended_at is None


def test_after_working_hours_the_caller_goes_straight_to_the_message(twilio, session, clock):
    clock.advance(timedelta(hours=9))  # Monday 18:00
    sid, root = start_call(twilio)
    assert root.find("Gather") is None
    assert action_of(root, "Record") == "/ivr/recording"
    assert "非工作时间" in spoken(root)
    assert session.scalar(select(Call.after_hours).where(Call.call_sid == sid)) is True


def test_on_a_rest_day_the_caller_goes_straight_to_the_message(twilio, clock):
    clock.advance(timedelta(days=5, hours=1))  # Saturday 7 March 2026, 10:00
    _, root = start_call(twilio)
    assert root.find("Record") is not None and root.find("Gather") is None


def test_an_adjusted_working_saturday_has_the_menu(connection):
    app = bound_app(connection, Clock.frozen(beijing(2026, 2, 14, 10), TZ))  # 调休: Saturday worked
    _, root = start_call(Twilio(app.test_client()))
    assert root.find("Gather") is not None and root.find("Record") is None


def test_a_spring_festival_weekday_goes_straight_to_the_message(connection):
    app = bound_app(connection, Clock.frozen(beijing(2026, 2, 17, 10), TZ))  # Tuesday, 春节
    _, root = start_call(Twilio(app.test_client()))
    assert root.find("Record") is not None


def test_working_hours_come_from_configuration(connection, clock):
    app = bound_app(connection, clock, IVR_WORKING_HOURS="09:30-12:00,13:30-17:00")  # it is 09:00
    _, root = start_call(Twilio(app.test_client()))
    assert root.find("Record") is not None


@pytest.mark.parametrize("digits, expect", [
    ("1", "Enqueue"), ("2", "Gather"), ("3", "Record"), ("4", "Gather"), ("9", "Gather"),
])
def test_each_menu_choice_leads_where_the_menu_says(twilio, digits, expect):
    sid, _ = start_call(twilio)
    root = twiml(twilio.post("/ivr/menu", call_params(sid, Digits=digits)))
    assert root.find(expect) is not None
    if digits == "2":
        assert action_of(root, "Gather") == "/ivr/query?step=number"
    if digits == "4":
        gather = root.find("Gather")
        assert gather.get("input") == "speech" and gather.get("language") == "cmn-Hans-CN"
        assert gather.get("action") == "/ivr/speech"


def test_an_agent_number_in_the_configuration_is_dialled(connection, clock):
    app = bound_app(connection, clock, IVR_AGENT_NUMBER="+8675588880000")
    twilio = Twilio(app.test_client())
    sid, _ = start_call(twilio)
    root = twiml(twilio.post("/ivr/menu", call_params(sid, Digits="1")))
    assert root.find("Dial").text == "+8675588880000"


@pytest.mark.parametrize("digits", ["7", "abc", "#", "12", "１"])
def test_an_unknown_choice_is_apologised_for_and_the_menu_repeats(twilio, digits):
    sid, _ = start_call(twilio)
    root = twiml(twilio.post("/ivr/menu", call_params(sid, Digits=digits)))
    assert "输入有误" in spoken(root)
    assert action_of(root, "Gather") == "/ivr/menu"


def test_a_silent_caller_hears_the_menu_three_times_then_is_let_go(twilio):
    sid, _ = start_call(twilio)
    first = twiml(twilio.post("/ivr/menu", call_params(sid)))
    second = twiml(twilio.post("/ivr/menu", call_params(sid)))
    third = twiml(twilio.post("/ivr/menu", call_params(sid)))
    assert first.find("Gather") is not None and second.find("Gather") is not None
    assert third.find("Hangup") is not None and "没有收到您的选择" in spoken(third)


def test_a_voicemail_becomes_a_new_voicemail_order_with_the_number_and_the_recording(twilio, session):
    sid, _ = start_call(twilio)
    twiml(twilio.post("/ivr/menu", call_params(sid, Digits="3")))
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE123"
    root = twiml(twilio.post("/ivr/recording", call_params(
        sid, RecordingUrl=url, RecordingSid="RE123", RecordingDuration="42", Digits="#")))
    link = session.scalar(select(CallOrder).join(Call).where(Call.call_sid == sid))
    order = link.order
    assert (order.state, order.channel, order.caller_phone, link.kind) == ("new", "voicemail", CALLER, "voicemail")
    assert "42秒" in order.content and "http" not in order.content  # played through the app, not by URL
    call = link.call
    assert (call.recording_url, call.recording_sid, call.recording_duration) == (url, "RE123", 42)
    assert " ".join(order.number.replace("-", "")) in spoken(root)  # the number, digit by digit
    assert "查询码" in spoken(root) and root.find("Hangup") is not None
    event = session.scalar(select(OrderEvent).where(OrderEvent.order_id == order.id))
    assert (event.action, event.actor_name, event.to_state) == ("create", "ivr", "new")


def test_a_spoken_request_becomes_a_new_phone_order_with_the_text(twilio, session):
    sid, _ = start_call(twilio)
    text = "我家楼下的路灯坏了一个星期了，晚上很黑，希望尽快修理。"
    root = twiml(twilio.post("/ivr/speech", call_params(sid, SpeechResult=text, Confidence="0.91")))
    order = session.scalar(select(CallOrder).join(Call).where(Call.call_sid == sid)).order
    assert (order.state, order.channel, order.caller_phone) == ("new", "phone", CALLER)
    assert text in order.content and "0.91" in order.content
    assert "工单编号" in spoken(root)


def test_a_10kb_speech_result_is_refused_politely_and_nothing_is_written(twilio, session):
    sid, _ = start_call(twilio)
    orders_before = count(session, WorkOrder)
    root = twiml(twilio.post("/ivr/speech", call_params(sid, SpeechResult="路灯坏了" * 2560, Confidence="0.5")))
    assert "过长" in spoken(root) and action_of(root, "Record") == "/ivr/recording"
    assert count(session, WorkOrder) == orders_before


def test_speech_that_was_not_heard_goes_back_to_the_menu(twilio, session):
    sid, _ = start_call(twilio)
    orders_before = count(session, WorkOrder)
    root = twiml(twilio.post("/ivr/speech", call_params(sid, SpeechResult="", Confidence="abc")))
    assert "没有听清" in spoken(root) and action_of(root, "Gather") == "/ivr/menu"
    assert count(session, WorkOrder) == orders_before


def test_a_recording_callback_without_a_recording_apologises_and_creates_nothing(twilio, session):
    sid, _ = start_call(twilio)
    orders_before = count(session, WorkOrder)
    root = twiml(twilio.post("/ivr/recording", call_params(sid, RecordingUrl="", RecordingDuration="x")))
    assert "没有录到" in spoken(root) and root.find("Hangup") is not None
    assert count(session, WorkOrder) == orders_before


def test_a_caller_without_a_usable_number_hears_an_apology_and_no_order_is_half_made(twilio, session, caplog):
    sid, _ = start_call(twilio, frm="anonymous")
    orders_before, events_before = count(session, WorkOrder), count(session, OrderEvent)
    root = twiml(twilio.post("/ivr/recording", call_params(
        sid, "anonymous", RecordingUrl="https://api.twilio.com/r/RE9", RecordingDuration="5")))
    assert "对不起" in spoken(root) and root.find("Hangup") is not None
    assert "is not a phone number" in caplog.text
    assert (count(session, WorkOrder), count(session, OrderEvent)) == (orders_before, events_before)


def test_an_unexpected_failure_is_logged_and_the_caller_hears_an_apology_not_a_500(twilio, connection, caplog):
    sid, _ = start_call(twilio)
    connection.execute(text("DROP TABLE ivr_query_attempts"))  # rolled back with the test
    r = twilio.post("/ivr/query?step=number", call_params(sid, Digits="1234567890123"))
    root = twiml(r)
    assert "系统暂时无法处理" in spoken(root) and root.find("Hangup") is not None
    assert "IVR webhook /ivr/query failed" in caplog.text
    caplog.clear()  # this crash was the point of the test


def test_the_status_callback_records_the_final_status_and_duration(twilio, session, clock):
    sid, _ = start_call(twilio)
    clock.advance(timedelta(minutes=3))
    root = twiml(twilio.post("/ivr/status", call_params(sid, CallStatus="completed", CallDuration="180")))
    assert list(root) == []
    call = session.scalar(select(Call).where(Call.call_sid == sid))
    assert (call.status, call.duration, call.ended_at) == ("completed", 180, clock.now())


def test_a_status_callback_for_an_unknown_call_is_400_and_writes_nothing(twilio, session):
    calls_before = count(session, Call)
    r = twilio.post("/ivr/status", call_params(new_sid(), CallStatus="completed", CallDuration="10"))
    assert r.status_code == 400 and "unknown CallSid" in r.get_data(as_text=True)
    assert count(session, Call) == calls_before


@pytest.mark.parametrize("path", ["/ivr/voice", "/ivr/menu", "/ivr/recording", "/ivr/speech", "/ivr/status"])
def test_a_webhook_without_a_callsid_is_400(twilio, path):
    params = call_params("x")
    del params["CallSid"]
    r = twilio.post(path, params)
    assert r.status_code == 400 and "CallSid" in r.get_data(as_text=True)


def test_an_incoming_call_without_from_is_400_and_not_logged(twilio, session):
    calls_before = count(session, Call)
    r = twilio.post("/ivr/voice", call_params(new_sid(), frm=None))
    assert r.status_code == 400 and "From" in r.get_data(as_text=True)
    assert count(session, Call) == calls_before


def test_a_malformed_callsid_is_400(twilio):
    r = twilio.post("/ivr/voice", call_params("CA<script>"))
    assert r.status_code == 400


def test_a_get_on_a_webhook_is_refused_without_a_500(client):
    assert client.get("/ivr/voice").status_code == 405


def test_the_same_callsid_replayed_50_times_is_one_call_record(twilio, session):
    sid = new_sid()
    params = call_params(sid, CallStatus="ringing")
    bodies = {twilio.post("/ivr/voice", params).get_data(as_text=True) for _ in range(50)}
    assert len(bodies) == 1
    assert session.scalar(select(func.count(Call.id)).where(Call.call_sid == sid)) == 1


def test_the_same_recording_replayed_50_times_is_one_order(twilio, session):
    sid, _ = start_call(twilio)
    orders_before = count(session, WorkOrder)
    params = call_params(sid, RecordingUrl="https://api.twilio.com/r/RE1", RecordingSid="RE1", RecordingDuration="9")
    first = spoken(twiml(twilio.post("/ivr/recording", params)))
    repeats = {spoken(twiml(twilio.post("/ivr/recording", params))) for _ in range(49)}
    assert count(session, WorkOrder) == orders_before + 1
    order = session.scalar(select(WorkOrder).order_by(WorkOrder.id.desc()).limit(1))
    assert "查询码" in first
    assert repeats == {f"您的诉求已登记，工单编号是 {' '.join(order.number.replace('-', ''))}。感谢您的来电，再见。"}


def test_the_same_speech_replayed_is_one_order(twilio, session):
    sid, _ = start_call(twilio)
    orders_before = count(session, WorkOrder)
    params = call_params(sid, SpeechResult="噪音扰民", Confidence="0.8")
    for _ in range(5):
        twiml(twilio.post("/ivr/speech", params))
    assert count(session, WorkOrder) == orders_before + 1


def test_prompts_voice_and_languages_come_from_configuration(connection, clock):
    app = bound_app(connection, clock, IVR_VOICE="Polly.Zhiyu", IVR_LANGUAGE="zh-CN",
                    IVR_SPEECH_LANGUAGE="yue-Hant-HK", IVR_PROMPTS={"welcome": "你好，这里是测试热线。"})
    twilio = Twilio(app.test_client())
    sid, root = start_call(twilio)
    assert root.find("Say").text == "你好，这里是测试热线。"
    assert {(s.get("voice"), s.get("language")) for s in root.iter("Say")} == {("Polly.Zhiyu", "zh-CN")}
    speech = twiml(twilio.post("/ivr/menu", call_params(sid, Digits="4")))
    assert speech.find("Gather").get("language") == "yue-Hant-HK"


def test_an_unknown_prompt_name_in_the_configuration_stops_the_app(connection, clock):
    with pytest.raises(ValueError, match="unknown IVR prompt"):
        bound_app(connection, clock, IVR_PROMPTS={"welcom": "typo"})
