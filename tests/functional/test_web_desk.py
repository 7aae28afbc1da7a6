"""The agent desk: calls as they ring, create-and-dispatch in one form, the queues (issue 6)."""
from __future__ import annotations

import re

import pytest
from flask import request, request_finished
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ivr.models import CallOrder
from tests.conftest import beijing
from tests.ivr_support import CALLER, Twilio, bound_app, call_params, new_sid
from tests.web_support import csrf_token, people, text_of
from workorders.context import Actor
from workorders.models import OrderEvent, WorkOrder


@pytest.fixture
def web(app, make_user):
    return people(app, make_user)


@pytest.fixture
def app(connection, clock):
    """With Twilio configured, so that calls can ring through the real signed webhook."""
    return bound_app(connection, clock)


def order_count(session) -> int:
    return session.scalar(select(func.count(WorkOrder.id)))


def newest(session) -> WorkOrder:
    return session.scalar(select(WorkOrder).order_by(WorkOrder.id.desc()).limit(1))


def actions_of(session, order) -> list[str]:
    return list(session.scalars(select(OrderEvent.action).where(OrderEvent.order_id == order.id)
                                .order_by(OrderEvent.seq)))


COMPLAINT = {"type": "complaint", "channel": "phone", "caller_phone": "13812345678", "caller_name": "王先生",
             "content": "小区垃圾三天没有清运，气味很大。", "district": "东城区", "category": "environment",
             "confidential": "0", "public_consent": "0", "urgent": "0"}


def test_creating_and_dispatching_takes_two_page_loads_and_one_transaction(app, web, session, monkeypatch):
    agent = web("agent")
    served, commits = [], []

    def on_served(sender, response, **extra):
        served.append((request.method, request.path, response.status_code))

    real_commit = Session.commit

    def counting_commit(self):
        commits.append(len(served))  # how many responses had been served when it was called
        return real_commit(self)

    with request_finished.connected_to(on_served, app):
        desk = agent.get("/desk")
        assert desk.status_code == 200 and 'id="order-form"' in desk.get_data(as_text=True)
        monkeypatch.setattr(Session, "commit", counting_commit)
        form = {**COMPLAINT, "disposition": "dispatch", "department": "ecology", "handling": "time_limited",
                "csrf_token": csrf_token(desk.get_data(as_text=True))}  # the desk's own form
        response = agent.client.post("/desk/orders", data=form, follow_redirects=True)
        monkeypatch.setattr(Session, "commit", real_commit)
    # The agent sees two pages: the desk, then (after the POST's redirect) the desk again, ready
    # for the next call; the POST itself renders nothing.
    pages = [(method, path) for method, path, status in served if status == 200]
    assert pages == [("GET", "/desk"), ("GET", "/desk")]
    assert [(m, p, s) for m, p, s in served if s != 200] == [("POST", "/desk/orders", 302)]
    # One commit, made while the POST was being served (before its redirect was followed).
    assert commits == [1]
    assert response.status_code == 200 and len(response.history) == 1
    order = newest(session)
    assert order.state == "dispatched" and order.department.code == "ecology"
    assert actions_of(session, order) == ["create", "dispatch"]
    page = text_of(response.get_data(as_text=True))
    assert f"工单 {order.number} 已保存" in page and "查询码" in page
    assert re.search(r"查询码：\d{6}", page)


def test_the_department_picker_takes_a_name_as_well_as_a_code(web, session):
    web("agent").post("/desk/orders", {**COMPLAINT, "disposition": "dispatch", "department": "市生态环境局"})
    assert newest(session).department.code == "ecology"


@pytest.mark.parametrize("typed, code", [("城管局", "urban"), ("住建局", "housing"), ("新河街道", "dongcheng.xinhe")])
def test_the_department_picker_takes_a_departments_short_name(web, session, typed, code):
    """Issue 13: agents say 城管局, not 市城市管理局."""
    agent = web("agent")
    response = agent.post("/desk/orders", {**COMPLAINT, "disposition": "dispatch", "department": typed})
    assert response.status_code == 302
    assert newest(session).department.code == code


def test_the_department_list_offers_each_short_name_beside_the_full_name(web):
    page = web("agent").page("/desk")
    assert '<option value="urban">市城市管理局（城管局）</option>' in page


def test_a_refused_dispatch_writes_nothing_and_keeps_what_was_typed(web, session):
    agent = web("agent")
    before = order_count(session)
    response = agent.post("/desk/orders", {**COMPLAINT, "disposition": "dispatch", "department": "nowhere"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "没有“nowhere”这个单位。" in text_of(page) and "unknown department" not in page
    assert "小区垃圾三天没有清运" in page  # the agent does not type it again
    assert order_count(session) == before


def test_an_order_can_be_saved_to_the_intake_queue_and_shows_there(web, session):
    agent = web("agent")
    agent.post("/desk/orders", {**COMPLAINT, "channel": "web", "caller_phone": "", "disposition": "save"})
    order = newest(session)
    assert order.state == "new" and order.channel == "web"
    assert order.number in agent.page("/desk/intake")
    assert order.number in agent.page("/desk")


def test_a_request_for_instruction_goes_to_the_leaders_queue(web, session):
    agent = web("agent")
    agent.post("/desk/orders", {**COMPLAINT, "disposition": "instruction", "instruction_note": "涉及多个部门"})
    order = newest(session)
    assert order.state == "awaiting_instruction"
    assert order.number in web("leader").page("/supervisor/instruction")


def test_a_direct_answer_without_text_is_refused(web, session):
    before = order_count(session)
    response = web("agent").post("/desk/orders", {**COMPLAINT, "type": "consultation", "disposition": "answer"})
    assert response.status_code == 422 and "请填写“内容”。" in text_of(response.get_data(as_text=True))
    assert order_count(session) == before


def test_a_direct_answer_closes_the_order_into_the_callback_queue(web, session):
    agent = web("agent")
    agent.post("/desk/orders", {**COMPLAINT, "type": "help", "disposition": "answer",
                                "answer_text": "垃圾清运请拨打环卫热线。"})
    order = newest(session)
    assert order.state == "answered" and order.answer_text == "垃圾清运请拨打环卫热线。"
    assert order.number in agent.page("/desk/callbacks")


def test_departments_and_leaders_have_no_desk(web):
    assert web("department", "housing").get("/desk").status_code == 403
    assert web("leader").get("/desk").status_code == 403


def test_a_ringing_call_pops_up_with_the_callers_history(client, web, session):
    agent = web("agent")
    agent.post("/desk/orders", {**COMPLAINT, "caller_phone": "13912345678", "disposition": "save"})
    earlier = newest(session)
    sid = new_sid()
    ring = Twilio(client).post("/ivr/voice", call_params(sid, CallStatus="ringing"))
    assert ring.status_code == 200
    calls = agent.get("/desk/calls").get_json()["calls"]
    assert [c["sid"] for c in calls] == [sid]
    assert calls[0]["from"] == CALLER  # +8613912345678: the same caller as 13912345678
    assert [h["number"] for h in calls[0]["history"]] == [earlier.number]


def test_a_number_that_called_seconds_ago_is_no_first_call(client, web, clock):
    """Issue 13: "该号码首次来电" showed for a caller who had hung up seconds before (no order yet)."""
    from datetime import timedelta

    twilio, agent = Twilio(client), web("agent")
    first = new_sid()
    twilio.post("/ivr/voice", call_params(first, CallStatus="ringing"))
    ringing = agent.get("/desk/calls").get_json()["calls"]
    assert [(c["sid"], c["first_call"], c["earlier_calls"]) for c in ringing] == [(first, True, 0)]
    twilio.post("/ivr/status", call_params(first, CallStatus="completed", CallDuration="8"))
    clock.advance(timedelta(seconds=20))
    again = new_sid()
    # The same phone, spelled nationally this time: still the same caller.
    twilio.post("/ivr/voice", call_params(again, frm="13912345678", CallStatus="ringing"))
    ringing = agent.get("/desk/calls").get_json()["calls"]
    assert [(c["sid"], c["first_call"], c["earlier_calls"]) for c in ringing] == [(again, False, 1)]
    assert ringing[0]["history"] == []  # no order yet: the earlier call is what makes it no first call


def test_a_caller_with_orders_but_no_recorded_call_is_no_first_call(client, web, session):
    agent = web("agent")
    agent.post("/desk/orders", {**COMPLAINT, "caller_phone": "13912345678", "disposition": "save"})
    sid = new_sid()
    Twilio(client).post("/ivr/voice", call_params(sid, CallStatus="ringing"))
    call = agent.get("/desk/calls").get_json()["calls"][0]
    assert (call["first_call"], call["earlier_calls"], len(call["history"])) == (False, 0, 1)


def test_an_order_taken_during_a_call_is_linked_to_the_call(client, web, session):
    sid = new_sid()
    Twilio(client).post("/ivr/voice", call_params(sid, CallStatus="ringing"))
    agent = web("agent")
    prefilled = agent.page(f"/desk?call={sid}")
    assert f'value="{CALLER}"' in prefilled and f'value="{sid}"' in prefilled
    agent.post("/desk/orders", {**COMPLAINT, "caller_phone": CALLER, "call_sid": sid, "disposition": "save"})
    order = newest(session)
    assert session.scalar(select(func.count(CallOrder.id)).where(CallOrder.order_id == order.id)) == 1


def test_departments_may_not_read_the_calls(web):
    assert web("department", "housing").get("/desk/calls").status_code == 403


def test_the_category_carries_its_usual_department_for_the_routing_suggestion(web):
    page = web("agent").page("/desk")
    assert re.search(r'<option value="environment" data-department="ecology"', page)


def test_the_desk_documents_its_keyboard_shortcuts(web):
    page = text_of(web("agent").page("/desk"))
    for key in ("Alt+N", "Alt+C", "Alt+K", "Alt+J", "Ctrl+Enter"):
        assert key in page



def publish(session, make_user, **fields) -> int:
    from knowledge_base import operations

    supervisor, _ = make_user("supervisor")
    actor = Actor.of(supervisor)
    now = beijing(2026, 3, 2, 8)
    article = operations.create_draft(session, actor, {"title": "生活垃圾分类投放时间", "answer": "每天7:00—9:00投放。",
                                                       "keywords": ["垃圾分类"], **fields}, now)
    operations.publish(session, actor, article, now)
    session.commit()
    return article.id


def test_live_suggestions_come_from_the_knowledge_base_with_the_matched_words_marked(web, session, make_user):
    article_id = publish(session, make_user)
    body = web("agent").get("/desk/suggest?q=小区垃圾分类什么时候投放").get_json()
    assert [a["id"] for a in body["articles"]] == [article_id]
    pieces = body["articles"][0]["snippet"]
    assert any(marked for _text, marked in pieces) and "".join(t for t, _ in pieces).startswith("每天7:00")


def test_an_expired_article_is_not_suggested(web, session, make_user):
    publish(session, make_user, expires_on="2026-03-01")
    assert web("agent").get("/desk/suggest?q=垃圾分类").get_json()["articles"] == []


def test_a_direct_answer_from_an_article_records_the_article_used(web, session, make_user):
    from knowledge_base.models import Article

    article_id = publish(session, make_user)
    web("agent").post("/desk/orders", {**COMPLAINT, "type": "consultation", "disposition": "answer",
                                       "answer_text": "每天7:00—9:00投放。", "article_id": str(article_id)})
    order = newest(session)
    assert order.article_id == article_id
    # A consultation needs no satisfaction callback: answered, then archived at once.
    assert actions_of(session, order) == ["create", "answer", "archive"] and order.state == "archived"
    session.expire_all()
    assert session.get(Article, article_id).usage_count == 1


def test_article_text_is_escaped_in_the_suggestions_shown_with_the_form(web, session, make_user):
    publish(session, make_user, title='垃圾分类<script>alert("x")</script>')
    page = web("agent").post("/desk/orders", {**COMPLAINT, "content": "垃圾分类怎么投放", "disposition": "dispatch",
                                              "department": "nowhere"}).get_data(as_text=True)
    assert "垃圾分类&lt;script&gt;" in page and "<script>alert" not in page


def test_a_voicemail_waits_in_the_intake_queue_with_its_recording_for_the_hotline_only(client, web, session):
    twilio = Twilio(client)
    sid = new_sid()
    twilio.post("/ivr/voice", call_params(sid, CallStatus="ringing"))
    twilio.post("/ivr/menu", call_params(sid, Digits="3"))
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE777"
    twilio.post("/ivr/recording", call_params(sid, RecordingUrl=url, RecordingSid="RE777", RecordingDuration="30"))
    voicemail = newest(session)
    agent = web("agent")
    agent.post("/desk/orders", {**COMPLAINT, "channel": "web", "caller_phone": "", "disposition": "save"},
               follow_redirects=True)
    page = agent.page("/desk/intake?channel=voicemail")
    assert voicemail.number in page and newest(session).number not in page
    assert re.search(r'id="channel-voicemail">[^<]*<span class="count">1</span>', page)
    assert re.search(r'id="channel-web">[^<]*<span class="count">1</span>', page)
    page = agent.page(f"/orders/{voicemail.number}")
    assert 'class="recording"' in page and "<audio" in page and url not in page  # played through the app
    agent.act(voicemail.number, "dispatch", {"department": "housing"})
    housing_page = web("department", "housing").page(f"/orders/{voicemail.number}")
    assert 'class="recording"' not in housing_page
