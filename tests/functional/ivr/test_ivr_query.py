"""Order query by keypad: number, access code, spoken state, limited attempts (issue 3)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline.runtime import domain_context
from ivr.models import QueryAttempt
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
from workorders.context import Actor
from workorders.intake import create_order


def keypad(number: str) -> str:
    return number.replace("-", "")


def wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


class Caller:
    def __init__(self, twilio, phone: str = CALLER):
        self.twilio, self.sid, self.phone = twilio, new_sid(), phone
        twiml(twilio.post("/ivr/voice", call_params(self.sid, phone)))

    def query(self, number_digits: str, code: str):
        asked = twiml(self.twilio.post("/ivr/query?step=number",
                                       call_params(self.sid, self.phone, Digits=number_digits)))
        if asked.find("Gather") is None or "step=code" not in action_of(asked, "Gather"):
            return asked
        return twiml(self.twilio.post("/ivr/query?step=code", call_params(self.sid, self.phone, Digits=code)))


def test_the_caller_hears_the_state_after_number_and_code_and_nothing_personal(twilio, desk):
    order = desk["agent"].create(content="幸福小区3栋漏水", caller_name="李女士", address="幸福路8号")
    desk["agent"].act(order["number"], "dispatch", {"department": "housing"})
    root = Caller(twilio).query(keypad(order["number"]), order["access_code"])
    said = spoken(root)
    assert "已交办，待承办单位签收" in said
    assert "已有答复" not in said
    for personal in ("李", "13812345678", "幸福", "漏水", order["number"]):
        assert personal not in said
    assert action_of(root, "Gather") == "/ivr/menu"


def test_a_replied_order_says_that_a_reply_exists_without_reading_it(twilio, desk):
    order = desk["agent"].create()
    number = order["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    desk["housing"].act(number, "sign")
    desk["housing"].act(number, "reply", {"text": "已安排清运车辆。", "resolved": True})
    said = spoken(Caller(twilio).query(keypad(number), order["access_code"]))
    assert "承办单位已回复" in said and "已有答复" in said and "清运" not in said


def test_the_code_prompt_comes_after_a_well_formed_number(twilio, desk):
    order = desk["agent"].create()
    caller = Caller(twilio)
    root = twiml(twilio.post("/ivr/query?step=number", call_params(caller.sid, Digits=keypad(order["number"]))))
    assert action_of(root, "Gather") == "/ivr/query?step=code"
    assert root.find("Gather").get("numDigits") == "6"


@pytest.mark.parametrize("digits", ["abc", "", "123", "2026030200001999", "２０２６０３０２０００01"])
def test_a_malformed_number_is_refused_politely_and_asked_again(twilio, digits):
    caller = Caller(twilio)
    root = twiml(twilio.post("/ivr/query?step=number", call_params(caller.sid, Digits=digits)))
    assert "不正确" in spoken(root)
    assert action_of(root, "Gather") == "/ivr/query?step=number"


def test_a_wrong_code_and_an_unknown_number_get_the_same_polite_refusal(twilio, desk, session):
    order = desk["agent"].create()
    caller = Caller(twilio)
    wrong = spoken(caller.query(keypad(order["number"]), wrong_code(order["access_code"])))
    unknown = spoken(caller.query("2026030299999", order["access_code"]))
    assert wrong == unknown and "工单编号或查询码不正确" in wrong
    assert session.scalar(select(func.count(QueryAttempt.id)).where(QueryAttempt.succeeded.is_(False))) == 2


def test_letters_for_a_code_count_as_a_wrong_code(twilio, desk):
    order = desk["agent"].create()
    assert "不正确" in spoken(Caller(twilio).query(keypad(order["number"]), "abcdef"))


def test_after_three_failures_in_a_call_even_the_right_code_is_refused(twilio, desk):
    order = desk["agent"].create()
    caller = Caller(twilio)
    for _ in range(2):
        assert "请输入13位工单编号" in spoken(caller.query(keypad(order["number"]), wrong_code(order["access_code"])))
    third = caller.query(keypad(order["number"]), wrong_code(order["access_code"]))
    assert "次数过多" in spoken(third) and action_of(third, "Gather") == "/ivr/menu"
    locked = caller.query(keypad(order["number"]), order["access_code"])
    assert "次数过多" in spoken(locked) and "目前的状态" not in spoken(locked)


def test_failures_from_one_calling_number_are_limited_across_calls_not_the_order(twilio, desk, clock):
    order = desk["agent"].create()
    number, code = keypad(order["number"]), order["access_code"]
    for _ in range(3):  # six failures over three calls, each under the per-call limit of three
        caller = Caller(twilio)
        caller.query(number, wrong_code(code))
        caller.query(number, wrong_code(code))
    refused = Caller(twilio).query(number, code)
    assert "次数过多" in spoken(refused) and "目前的状态" not in spoken(refused)
    # The citizen, calling from their own phone, is not locked out of their order.
    assert "目前的状态" in spoken(Caller(twilio, "+8613700000001").query(number, code))
    clock.advance(timedelta(seconds=31))
    assert "目前的状态" in spoken(Caller(twilio).query(number, code))


def test_the_limits_come_from_configuration(connection, clock, session):
    app = bound_app(connection, clock, IVR_QUERY_ATTEMPTS_PER_CALL=1)
    created = create_order(domain_context(session, app), Actor.system("test"),
                           {"content": "路灯不亮", "caller_phone": "13800000000"}, channel="phone")
    session.commit()
    caller = Caller(Twilio(app.test_client()))
    first = caller.query(keypad(created.order.number), wrong_code(created.access_code))
    assert "次数过多" in spoken(first)


def test_a_code_without_a_number_first_asks_for_the_number(twilio):
    caller = Caller(twilio)
    root = twiml(twilio.post("/ivr/query?step=code", call_params(caller.sid, Digits="123456")))
    assert action_of(root, "Gather") == "/ivr/query?step=number"
