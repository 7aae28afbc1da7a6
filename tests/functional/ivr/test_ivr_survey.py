"""The satisfaction callback survey end to end against a local fake Twilio REST API (issue 3: acceptance 5)."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from ivr.models import Call, Message
from tests.ivr_support import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    HOTLINE_NUMBER,
    FakeTwilioApi,
    Twilio,
    action_of,
    bound_app,
    call_params,
    new_sid,
    sms_params,
    spoken,
    twiml,
)
from workorders.models import OrderEvent, WorkOrder
from workorders.policy_store import active_policy, save_rules

PUBLIC = "https://hotline.example.gov.cn"
CITIZEN = "+8613812345678"  # the desk's orders are for 13812345678


@pytest.fixture
def fake_twilio():
    with FakeTwilioApi() as api:
        yield api


@pytest.fixture
def app(connection, clock, fake_twilio):
    return bound_app(connection, clock, IVR_TELEPHONY="twilio", TWILIO_API_BASE_URL=fake_twilio.url,
                     PUBLIC_URL=PUBLIC)


@pytest.fixture
def twilio(client):
    return Twilio(client, base=PUBLIC)


def replied_order(desk) -> str:
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    desk["housing"].act(number, "sign")
    assert desk["housing"].act(number, "reply", {"text": "已清运。", "resolved": True}).get_json()["state"] == "replied"
    return number


def order_of(session, number) -> WorkOrder:
    session.expire_all()
    return session.scalar(select(WorkOrder).where(WorkOrder.number == number))


def survey_calls(session, number) -> list[Call]:
    return list(session.scalars(select(Call).join(WorkOrder, WorkOrder.id == Call.survey_order_id)
                                .where(WorkOrder.number == number).order_by(Call.id)))


def answered_call(twilio, sid, path, **params):
    return twiml(twilio.post(path.removeprefix(PUBLIC), call_params(
        sid, frm=HOTLINE_NUMBER, To=CITIZEN, Direction="outbound-api", **params)))


def test_the_survey_call_is_created_through_the_rest_client_with_the_right_urls(desk, fake_twilio, session):
    number = replied_order(desk)
    r = desk["agent"].post("/surveys", {"order": number})
    assert r.status_code == 202 and r.get_json() == {"order": number, "channel": "call"}
    [request] = fake_twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"
    assert request["auth"] == f"{ACCOUNT_SID}:{AUTH_TOKEN}"
    form = request["form"]
    assert (form["To"], form["From"], form["Method"]) == (CITIZEN, HOTLINE_NUMBER, "POST")
    assert form["Url"] == f"{PUBLIC}/ivr/survey?order={number}"
    assert form["StatusCallback"] == f"{PUBLIC}/ivr/status?order={number}"
    [call] = survey_calls(session, number)
    assert (call.direction, call.purpose, call.to_number, call.status) == ("outbound", "survey", CITIZEN, "queued")


def test_dissatisfied_answers_land_as_a_callback_event_and_the_order_goes_under_review(desk, fake_twilio, twilio, session):
    number = replied_order(desk)
    desk["agent"].post("/surveys", {"order": number})
    sid = survey_calls(session, number)[0].call_sid
    url = fake_twilio.requests[0]["form"]["Url"]

    intro = answered_call(twilio, sid, url)
    assert "回访" in spoken(intro)
    satisfaction = answered_call(twilio, sid, action_of(intro, "Gather"), Digits="3")
    assert action_of(satisfaction, "Gather") == f"{PUBLIC}/ivr/survey?order={number}&step=resolved"
    thanks = answered_call(twilio, sid, action_of(satisfaction, "Gather"), Digits="2")
    assert "感谢您的评价" in spoken(thanks) and thanks.find("Hangup") is not None

    order = order_of(session, number)
    assert (order.state, order.satisfaction, order.resolved) == ("under_review", "dissatisfied", False)
    event = session.scalar(select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.seq.desc()))
    assert (event.action, event.actor_name, event.from_state, event.to_state) == ("callback", "ivr-survey", "replied", "under_review")
    assert (event.inputs["satisfaction"], event.inputs["resolved"]) == ("dissatisfied", False)

    # The call then ends: its status callback counts no extra attempt, and a replayed answer adds nothing.
    twiml(twilio.post(f"/ivr/status?order={number}", call_params(sid, CallStatus="completed", CallDuration="40")))
    answered_call(twilio, sid, action_of(satisfaction, "Gather"), Digits="2")
    assert [e.action for e in order_of(session, number).events].count("callback") == 1


def test_satisfied_and_resolved_archives_the_order(desk, fake_twilio, twilio, session):
    number = replied_order(desk)
    desk["agent"].post("/surveys", {"order": number})
    sid = survey_calls(session, number)[0].call_sid
    answered_call(twilio, sid, f"/ivr/survey?order={number}&step=satisfaction", Digits="1")
    answered_call(twilio, sid, f"/ivr/survey?order={number}&step=resolved", Digits="1")
    order = order_of(session, number)
    assert (order.state, order.satisfaction, order.resolved) == ("archived", "satisfied", True)


def test_a_wrong_key_repeats_the_question(desk, fake_twilio, twilio, session):
    number = replied_order(desk)
    desk["agent"].post("/surveys", {"order": number})
    sid = survey_calls(session, number)[0].call_sid
    again = answered_call(twilio, sid, f"/ivr/survey?order={number}&step=satisfaction", Digits="7")
    assert "输入有误" in spoken(again) and action_of(again, "Gather").endswith("step=satisfaction")
    answered_call(twilio, sid, f"/ivr/survey?order={number}&step=satisfaction", Digits="2")
    again = answered_call(twilio, sid, f"/ivr/survey?order={number}&step=resolved", Digits="abc")
    assert "输入有误" in spoken(again) and action_of(again, "Gather").endswith("step=resolved")
    assert order_of(session, number).state == "replied"


def test_no_answer_counts_an_attempt_once_and_the_third_unreachable_call_archives(desk, fake_twilio, twilio, session):
    number = replied_order(desk)
    for attempt, status in enumerate(["no-answer", "busy", "failed"], start=1):
        assert desk["agent"].post("/surveys", {"order": number}).status_code == 202
        sid = survey_calls(session, number)[-1].call_sid
        for _ in range(3):  # Twilio may deliver the status callback more than once
            twiml(twilio.post(f"/ivr/status?order={number}", call_params(sid, CallStatus=status, CallDuration="0")))
        order = order_of(session, number)
        assert order.callback_attempts == attempt
        assert order.state == ("archived" if attempt == 3 else "replied")
    assert order.satisfaction == "unreachable"
    unreachable = [e for e in order.events if e.action == "callback"]
    assert [e.inputs["satisfaction"] for e in unreachable] == ["unreachable"] * 3
    assert len(fake_twilio.requests) == 3


def test_a_status_callback_that_outruns_the_placement_still_counts(fake_twilio, desk, twilio, session):
    """The webhook's order reference lets a survey call be recorded by whichever side comes first."""
    number = replied_order(desk)
    sid = new_sid()
    twiml(twilio.post(f"/ivr/status?order={number}", call_params(sid, CallStatus="no-answer")))
    assert order_of(session, number).callback_attempts == 1
    assert survey_calls(session, number)[0].call_sid == sid


def test_the_policy_can_send_the_survey_by_sms_and_the_texted_answer_is_recorded(desk, fake_twilio, twilio, session):
    policy = active_policy(session)
    save_rules(session, policy.name, {**policy.rules, "callback_channel": "sms"})
    session.commit()
    number = replied_order(desk)
    assert desk["agent"].post("/surveys", {"order": number}).get_json()["channel"] == "sms"
    [request] = fake_twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert (request["form"]["To"], request["form"]["From"]) == (CITIZEN, HOTLINE_NUMBER)
    assert number in request["form"]["Body"] and "1 1" in request["form"]["Body"]

    answer = sms_params(sid := new_sid("SM"), "3 2", frm=CITIZEN)
    for _ in range(3):
        reply = twiml(twilio.post("/ivr/sms", answer)).find("Message").text
        assert "感谢您的评价" in reply
    order = order_of(session, number)
    assert (order.state, order.satisfaction, order.resolved) == ("under_review", "dissatisfied", False)
    assert [e.action for e in order.events].count("callback") == 1
    message = session.scalar(select(Message).where(Message.message_sid == sid))
    assert (message.purpose, message.order_id) == ("survey_answer", order.id)


def test_a_text_that_is_no_survey_answer_becomes_a_new_order(desk, fake_twilio, twilio, session):
    policy = active_policy(session)
    save_rules(session, policy.name, {**policy.rules, "callback_channel": "sms"})
    session.commit()
    number = replied_order(desk)
    desk["agent"].post("/surveys", {"order": number})
    reply = twiml(twilio.post("/ivr/sms", sms_params(new_sid("SM"), "还有一件事：路灯也坏了", frm=CITIZEN)))
    assert "您的诉求已受理" in reply.find("Message").text
    assert order_of(session, number).state == "replied"


def test_twilio_refusing_the_call_is_reported_and_nothing_is_recorded(desk, fake_twilio, session):
    number = replied_order(desk)
    fake_twilio.fail_with = (400, {"code": 21211, "message": "The 'To' number is not a valid phone number.",
                                   "status": 400, "more_info": "https://www.twilio.com/docs/errors/21211"})
    r = desk["agent"].post("/surveys", {"order": number})
    assert r.status_code == 502 and "not a valid phone number" in r.get_json()["error"]
    assert survey_calls(session, number) == []


def test_hotline_survey_call_places_the_call_from_the_command_line(app, desk, fake_twilio, session):
    number = replied_order(desk)
    result = app.test_cli_runner().invoke(args=["survey", "call", number])
    assert result.exit_code == 0, result.output
    assert f"survey of order {number} started by call" in result.output
    assert fake_twilio.requests[0]["form"]["Url"] == f"{PUBLIC}/ivr/survey?order={number}"
    assert len(survey_calls(session, number)) == 1


def test_hotline_survey_call_refuses_an_order_that_is_not_awaiting_a_callback(app, desk, fake_twilio):
    number = desk["agent"].create()["number"]
    result = app.test_cli_runner().invoke(args=["survey", "call", number])
    assert result.exit_code == 1 and "allowed from: answered, replied" in result.output
    assert fake_twilio.requests == []


def test_only_agents_and_supervisors_start_a_survey(desk):
    number = replied_order(desk)
    r = desk["housing"].post("/surveys", {"order": number})
    assert r.status_code == 403
    assert desk["agent"].post("/surveys", {}).status_code == 422
    assert desk["agent"].post("/surveys", {"order": "20990101-00001"}).status_code == 404
    assert desk["agent"].post("/surveys", {"order": desk["agent"].create()["number"]}).status_code == 409


def test_without_an_account_the_console_telephony_logs_the_call(connection, clock, desk, caplog, session):
    app = bound_app(connection, clock, IVR_TELEPHONY=None, TWILIO_ACCOUNT_SID=None, PUBLIC_URL=PUBLIC)
    number = replied_order(desk)
    with caplog.at_level(logging.WARNING):
        result = app.test_cli_runner().invoke(args=["survey", "call", number])
    assert result.exit_code == 0, result.output
    assert f"[console telephony] would call {CITIZEN}" in caplog.text
    assert len(survey_calls(session, number)) == 1


def test_an_on_demand_survey_is_recorded_so_the_scheduler_does_not_call_again(desk, fake_twilio, session, app, clock):
    from datetime import timedelta

    from hotline.runtime import domain_context
    from workorders.jobs.callbacks import claim_calls
    from workorders.models import OrderEvent

    number = replied_order(desk)
    assert desk["agent"].post("/surveys", {"order": number}).status_code == 202
    order = order_of(session, number)
    placed = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                      OrderEvent.action == "place_callback")).all()
    assert [(e.inputs["channel"], e.inputs["attempt"]) for e in placed] == [("call", 1)]
    assert placed[0].actor_name.startswith("survey requested by")
    clock.advance(timedelta(hours=30))
    with app.app_context():
        assert claim_calls(domain_context(session), 100) == []
    assert len(fake_twilio.requests) == 1
