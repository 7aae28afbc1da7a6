"""Wrong tries on the web portal and on the IVR keypad count against one limit (issue #8, 3)."""
from __future__ import annotations

from tests.functional.portal_support import Citizen
from tests.ivr_support import (
    Twilio,
    action_of,
    call_params,
    new_sid,
    spoken,
    twiml,
)


def keypad_query(twilio, number: str, code: str):
    sid = new_sid()
    twiml(twilio.post("/ivr/voice", call_params(sid)))
    asked = twiml(twilio.post("/ivr/query?step=number", call_params(sid, Digits=number.replace("-", ""))))
    assert "step=code" in action_of(asked, "Gather")
    return spoken(twiml(twilio.post("/ivr/query?step=code", call_params(sid, Digits=code))))


def test_web_and_keypad_failures_on_one_order_add_up(client, desk):
    order = desk["agent"].create()
    number, code = order["number"], order["access_code"]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    citizen, twilio = Citizen(client), Twilio(client)
    for _ in range(3):
        assert citizen.query(number, wrong).status_code == 403
    for _ in range(2):  # two calls, one wrong code each: under the IVR's own limits
        assert "不正确" in keypad_query(twilio, number, wrong)
    # Five wrong tries in all: the right code is now refused on both paths.
    assert "次数过多" in keypad_query(twilio, number, code)
    assert citizen.query(number, code).status_code == 429


def test_keypad_failures_lock_the_web_query_too(client, desk):
    order = desk["agent"].create()
    number, code = order["number"], order["access_code"]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    twilio = Twilio(client)
    for _ in range(5):
        assert "不正确" in keypad_query(twilio, number, wrong)
    assert Citizen(client).query(number, code).status_code == 429


def test_a_right_code_on_the_keypad_does_not_use_up_the_limit(client, desk):
    order = desk["agent"].create()
    twilio = Twilio(client)
    for _ in range(7):
        assert "目前的状态" in keypad_query(twilio, order["number"], order["access_code"])
    assert Citizen(client).query(order["number"], order["access_code"]).status_code == 200
