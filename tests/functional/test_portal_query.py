"""Following one's order with number + access code: plain words, a public timeline, the reply;
wrong tries limited per order and per client, for the web and the IVR alike (issue #8, 3)."""
from __future__ import annotations

import html
import logging
from datetime import timedelta

import pytest

from tests.conftest import TEST_SECRET
from tests.functional.portal_support import Citizen
from workorders.citizen import mailboxes
from workorders.citizen.query_limits import TooManyAttempts, verify_access


@pytest.fixture
def citizen(client, session):
    mailboxes.install_defaults(session)
    session.commit()
    return Citizen(client)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_citizen_sees_plain_words_a_public_timeline_and_the_reply(citizen, desk, make_user):
    number, code = citizen.written()
    page = text_of(citizen.query(number, code))
    assert "Received: the hotline is reviewing your request." in page

    desk["agent"].act(number, "classify", {"category": "municipal"})
    desk["agent"].act(number, "dispatch", {"department": "housing", "note": "内部备注：此人多次来电"})
    desk["supervisor"].act(number, "urge", {"message": "内部催办：请尽快"})
    desk["housing"].act(number, "sign")
    desk["housing"].act(number, "reply", {"text": "已更换路灯灯泡，恢复照明。", "resolved": True})

    response = citizen.query(number, code)
    assert response.status_code == 200
    page = text_of(response)
    assert "市住房和城乡建设局 has replied." in page
    assert "已更换路灯灯泡，恢复照明。" in page
    for step in ("Request received", "Sent to 市住房和城乡建设局", "Taken up by 市住房和城乡建设局",
                 "Reply from 市住房和城乡建设局"):
        assert step in page
    # Nothing internal, no staff, no personal data.
    for hidden in ("内部备注", "内部催办", "agent", "supervisor", "department1", "赵敏", "13566667777",
                   "新河街道幸福小区北门", "Classify"):
        assert hidden not in page, hidden


@pytest.mark.parametrize("spelled", [
    lambda n: n.replace("-", ""),           # the 13 digits, as the phone menu reads them out
    lambda n: " " + n.replace("-", "") + " ",
    lambda n: n.replace("-", "－"),          # a full-width dash from a Chinese keyboard
])
def test_the_web_query_takes_the_order_number_as_citizens_write_it(citizen, spelled):
    """Issue 13: the web query refused the 13-digit number without the dash."""
    number, code = citizen.written()
    response = citizen.query(spelled(number), code)
    assert response.status_code == 200 and number in text_of(response)


def test_a_wrong_code_is_refused_without_saying_whether_the_number_exists(citizen):
    number, code = citizen.written()
    wrong = "000000" if code != "000000" else "111111"
    for response in (citizen.query(number, wrong), citizen.query("20990101-00001", code)):
        assert response.status_code == 403
        assert "The order number or the access code is wrong." in text_of(response)


def test_strangers_guessing_at_an_order_never_lock_its_citizen_out(citizen, client):
    number, code = citizen.written()
    wrong = "000000" if code != "000000" else "111111"
    for i in range(5):  # thirty wrong tries from five places
        stranger = Citizen(client, ip=f"198.51.100.{i}")
        for _ in range(6):
            assert stranger.query(number, wrong).status_code == 403
        assert stranger.query(number, wrong).status_code == 429
    assert citizen.query(number, code).status_code == 200


def test_wrong_tries_from_one_connection_meet_growing_delays_across_orders(citizen, client, clock):
    guesser = Citizen(client, ip="192.0.2.66")
    for i in range(6):  # five free, the sixth starts a 30-second wait
        assert guesser.query(f"20260302-{i + 100:05d}", "123456").status_code == 403
    refused = guesser.query("20260302-00200", "123456")
    assert refused.status_code == 429 and "Too many wrong tries" in text_of(refused)
    number, code = citizen.written()
    assert citizen.query(number, code).status_code == 200  # others are not locked out
    clock.advance(timedelta(seconds=31))
    assert guesser.query("20260302-00201", "123456").status_code == 403  # the seventh: a minute's wait
    clock.advance(timedelta(seconds=31))
    assert guesser.query("20260302-00202", "123456").status_code == 429
    clock.advance(timedelta(seconds=30))
    assert guesser.query(number, code).status_code == 200


def test_a_citizen_who_checks_often_is_never_locked_out(citizen):
    number, code = citizen.written()
    for _ in range(12):
        assert citizen.query(number, code).status_code == 200


def test_the_ivr_and_the_web_share_one_check_each_client_waiting_on_its_own(citizen, session, clock):
    number, code = citizen.written()
    wrong = "000000" if code != "000000" else "111111"
    phone = "phone:+8613900001111"
    for _ in range(6):
        assert verify_access(session, TEST_SECRET.encode(), number, wrong, source="ivr", client_key=phone,
                             now=clock.now()) is None
    session.commit()
    with pytest.raises(TooManyAttempts):
        verify_access(session, TEST_SECRET.encode(), number, code, source="ivr", client_key=phone, now=clock.now())
    session.rollback()
    assert citizen.query(number, code).status_code == 200  # the citizen on the web is not that caller


def test_access_codes_never_reach_the_logs(citizen, caplog):
    caplog.set_level(logging.DEBUG)
    number, code = citizen.written()
    citizen.query(number, code)
    citizen.query(number, "987654")
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert f"portal query of order {number} from 203.0.113.7: ok" in logged
    assert f"portal query of order {number} from 203.0.113.7: wrong" in logged
    assert code not in logged and "987654" not in logged


def test_the_query_form_takes_the_code_only_in_the_body(citizen):
    page = citizen.get("/portal/query", number="20260302-00001").get_data(as_text=True)
    assert 'method="post"' in page and 'value="20260302-00001"' in page
    assert citizen.get("/portal/query", number="x", code="123456").status_code == 200  # ignored, not checked
