"""The web portal and the IVR keypad share one check of access codes, limited per client (issues 8, 12)."""
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


def test_a_strangers_keypad_failures_do_not_lock_the_citizen_out_on_the_web(client, desk):
    order = desk["agent"].create()
    number, code = order["number"], order["access_code"]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    twilio = Twilio(client)
    for _ in range(6):
        assert "不正确" in keypad_query(twilio, number, wrong)
    assert "次数过多" in keypad_query(twilio, number, code)  # that calling number waits
    assert Citizen(client).query(number, code).status_code == 200


def test_a_right_code_on_the_keypad_does_not_use_up_the_limit(client, desk):
    order = desk["agent"].create()
    twilio = Twilio(client)
    for _ in range(7):
        assert "目前的状态" in keypad_query(twilio, order["number"], order["access_code"])
    assert Citizen(client).query(order["number"], order["access_code"]).status_code == 200
