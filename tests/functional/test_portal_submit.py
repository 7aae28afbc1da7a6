"""Writing in on the portal: to the hotline or a leader's mailbox; the number and code once."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from tests.functional.portal_support import Citizen, order_numbered
from workorders.citizen import mailboxes
from workorders.citizen.models import PortalSubmission
from workorders.models import WorkOrder


@pytest.fixture
def citizen(client, session):
    mailboxes.install_defaults(session)
    session.commit()
    return Citizen(client)


def test_a_letter_to_the_hotline_becomes_a_new_web_order_with_a_working_code(citizen, session):
    number, code = citizen.written()
    order = order_numbered(session, number)
    assert (order.state, order.channel, order.type) == ("new", "web", "complaint")
    assert (order.caller_name, order.caller_phone, order.district, order.public_consent) == (
        "赵敏", "13566667777", "东城区", True)
    assert len(code) == 6 and code.isdigit()
    assert order.access_code_hash != code and code not in order.access_code_hash
    assert citizen.query(number, code).status_code == 200


def test_a_letter_to_the_mayors_mailbox_goes_on_the_mailbox_channel(citizen, client, session):
    citizen = Citizen(client, locale="zh_CN")
    page = citizen.get("/portal/").get_data(as_text=True)
    assert "市长信箱" in page and "东城区区长信箱" in page and "住建局局长信箱" in page
    response = citizen.write(mailbox="mayor")
    assert "市长信箱" in response.get_data(as_text=True)
    number = response.get_data(as_text=True).split('id="order-number">')[1].split("<")[0]
    order = order_numbered(session, number)
    assert order.channel == "mailbox"
    assert mailboxes.mailbox_of(session, order.id).department.code == "hotline"


def test_the_answer_page_is_not_cached(citizen):
    response = citizen.write()
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("change, english, chinese", [
    ({"content": "  "}, "Describe your request", "请填写诉求内容。"),
    ({"type": "gossip"}, "Choose the kind of request", "请选择诉求类型。"),
    ({"caller_phone": ""}, "phone number", "请留下联系电话"),
    ({"caller_phone": "not a phone"}, "'Caller phone' is not a phone number", "“来电号码”不是有效的电话号码。"),
    ({"mailbox": "nowhere"}, "no mailbox 'nowhere'", "没有“nowhere”这个信箱，或该信箱已关闭。"),
])
def test_a_bad_letter_is_refused_with_the_reason_in_the_citizens_language_and_nothing_written(
        citizen, client, session, change, english, chinese):
    before = session.scalar(select(func.count(WorkOrder.id)))
    response = citizen.write(**change)
    assert response.status_code == 422 and english in html.unescape(response.get_data(as_text=True))
    response = Citizen(client, locale="zh_CN").write(**change)
    assert response.status_code == 422 and chinese in html.unescape(response.get_data(as_text=True))
    assert session.scalar(select(func.count(WorkOrder.id))) == before


def test_a_form_without_its_csrf_token_is_refused(client, session):
    before = session.scalar(select(func.count(WorkOrder.id)))
    response = client.post("/portal/write", data={"type": "help", "content": "x", "caller_phone": "13500000000"})
    assert response.status_code == 400
    assert session.scalar(select(func.count(WorkOrder.id))) == before


def test_letters_are_limited_per_phone_and_per_connection(citizen, client, session):
    for i in range(5):
        assert citizen.write(content=f"第{i}封信").status_code == 200
    refused = citizen.write(content="第六封信")
    assert refused.status_code == 429 and "12345" in refused.get_data(as_text=True)
    # Another phone from the same connection still gets through, up to the connection's limit.
    for i in range(5):
        assert citizen.write(caller_phone=f"1390000{i:04d}").status_code == 200
    assert citizen.write(caller_phone="13811112222").status_code == 429
    # Someone else, elsewhere, is not affected.
    assert Citizen(client, ip="198.51.100.9").write(caller_phone="13711112222").status_code == 200
    assert session.scalar(select(func.count(PortalSubmission.order_id))) == 11


def test_the_portal_speaks_chinese_by_default_and_english_when_chosen(client):
    page = client.get("/portal/write").get_data(as_text=True)
    assert 'lang="zh-CN"' in page and "我要留言" in page and "联系电话" in page
    english = Citizen(client, locale="en").get("/portal/write").get_data(as_text=True)
    assert 'lang="en"' in english and "Write to us" in english and "Your phone" in english


def test_the_hourly_job_drops_counters_two_days_after_their_window_and_the_limits_start_afresh(
        citizen, session, app, clock):
    from datetime import timedelta

    from hotline.jobs import run_job
    from workorders.citizen.models import RateCounter

    for i in range(5):
        assert citizen.write(content=f"第{i}封信").status_code == 200
    assert citizen.write(content="第六封信").status_code == 429
    counters = session.scalar(select(func.count()).select_from(RateCounter))
    assert counters == 2  # this phone and this connection

    clock.advance(timedelta(days=1, hours=23))
    assert run_job(app, "rate_counter_purge", "test").rows == 0  # still within two days

    clock.advance(timedelta(hours=2))
    assert run_job(app, "rate_counter_purge", "test").rows == 2
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(RateCounter)) == 0
    assert run_job(app, "rate_counter_purge", "test").rows == 0  # twice is harmless
    assert citizen.write(content="两天后再写").status_code == 200
