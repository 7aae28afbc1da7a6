"""Writing in on the portal: to the hotline or a leader's mailbox; the number and code once."""
from __future__ import annotations

import html
import re

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


# Issue 13: "12345" is no number the hotline can call a citizen back on.
@pytest.mark.parametrize("typed", [
    "12345",            # the hotline itself
    "not a phone",
    "95588",            # a service number
    "400-123-4567",     # a business line
    "1381234567",       # a mobile with a digit missing
    "23812345678",      # eleven digits, but no mobile
    "12345678",         # a landline without its area code
    "0755-123",         # an area code and too little after it
    "138123456789",     # a mobile with a digit too many
])
def test_a_letter_with_a_number_nobody_can_call_back_is_refused_and_nothing_written(client, session, typed):
    mailboxes.install_defaults(session)
    session.commit()
    before = session.scalar(select(func.count(WorkOrder.id)))
    response = Citizen(client, locale="zh_CN").write(caller_phone=typed)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422, typed
    assert "请填写11位手机号码，或带区号的固定电话号码（如0755-88881234）。" in page
    assert f'value="{typed}"' in page  # the form keeps what was typed, to be corrected
    english = html.unescape(Citizen(client, locale="en").write(caller_phone=typed).get_data(as_text=True))
    assert "Give a mobile number (11 digits starting with 1) or a landline number with its area code" in english
    assert session.scalar(select(func.count(WorkOrder.id))) == before


@pytest.mark.parametrize("typed, kept", [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("+86 138-1234-5678", "13812345678"),
    ("0086 13812345678", "13812345678"),
    ("0755-88881234", "075588881234"),
    ("(010) 6512 3456", "01065123456"),
    ("0898-6123456", "08986123456"),
    ("+86 755 8888 1234", "075588881234"),
])
def test_mainland_mobile_and_landline_numbers_are_taken_in_one_spelling(citizen, session, typed, kept):
    number, _code = citizen.written(caller_phone=typed)
    assert order_numbered(session, number).caller_phone == kept


def test_one_phone_written_two_ways_counts_as_one_phone_for_the_letter_limit(citizen, client):
    for i, spelling in enumerate(["13812345678", "138 1234 5678", "+86 13812345678", "138-1234-5678", "0086 13812345678"]):
        assert Citizen(client, ip=f"198.51.100.{i}").write(caller_phone=spelling).status_code == 200
    assert Citizen(client, ip="198.51.100.99").write(caller_phone="13812345678").status_code == 429


# Issue 13: the notice board was not linked from the portal, and the logo sent citizens to the staff login.
PUBLIC_PAGES = ["/portal/", "/portal/write", "/portal/query", "/portal/replies", "/notice"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_citizen_moves_between_the_public_pages_without_meeting_the_staff_login(client, path):
    page = Citizen(client, locale="zh_CN").get(path)
    assert page.status_code == 200, path
    header = page.get_data(as_text=True).split('<main id="main">')[0]
    links = re.findall(r'<a [^>]*href="([^"]+)"', header)
    assert re.search(r'<a class="brand" href="/portal/"', header), "the logo leads to the portal"
    assert "/notice" in links and "/portal/replies" in links
    for link in links:
        response = client.get(link)
        assert response.status_code == 200 and 'name="password"' not in response.get_data(as_text=True), link
    assert "公开通报" in header


def test_the_notice_board_names_itself_in_the_portal_menu(client):
    page = Citizen(client, locale="zh_CN").get("/notice").get_data(as_text=True)
    assert re.search(r'<a href="/notice" class="active"', page)
