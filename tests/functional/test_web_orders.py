"""The order page: facts, lights, deadlines, timeline, and exactly the allowed actions (issue 6)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline.web.orders import ANNOTATIONS
from tests.conftest import beijing
from tests.web_support import WebSession, action_forms, annotation_forms, people, text_of
from workorders import actions
from workorders.context import Actor
from workorders.models import OrderEvent, PersonalDataView, User, WorkOrder


@pytest.fixture
def web(app, make_user):
    return people(app, make_user)


def order_of(session, number: str) -> WorkOrder:
    session.expire_all()
    return session.scalar(select(WorkOrder).where(WorkOrder.number == number))


def allowed_for(session, person: WebSession, number: str, now) -> list[str]:
    user = session.scalar(select(User).where(User.username == person.username))
    return actions.allowed_actions(session, Actor.of(user), order_of(session, number), now)


def event_count(session, number: str) -> int:
    order = order_of(session, number)
    return session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.order_id == order.id))


def test_the_page_offers_exactly_the_actions_the_transition_table_allows(web, desk, session, clock):
    people = {"agent": web("agent"), "supervisor": web("supervisor"), "leader": web("leader"),
              "admin": web("admin"), "housing": web("department", "housing")}
    number = desk["agent"].create()["number"]

    def check(*who):
        for name in who:
            page = people[name].page(f"/orders/{number}")
            offered = allowed_for(session, people[name], number, clock.now())
            assert action_forms(page) == [a for a in offered if a not in ANNOTATIONS], \
                (name, order_of(session, number).state)
            assert annotation_forms(page) == [a for a in offered if a in ANNOTATIONS], name

    check("agent", "supervisor", "leader", "admin")
    assert action_forms(people["agent"].page(f"/orders/{number}")) == [
        "classify", "mark_invalid", "merge", "answer", "request_instruction", "dispatch", ]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    check("agent", "supervisor", "housing")
    assert action_forms(people["housing"].page(f"/orders/{number}")) == ["sign", "return"]
    desk["housing"].act(number, "sign")
    check("supervisor", "housing")
    clock.advance(timedelta(days=1))  # the return window closed at the end of the dispatch day
    check("housing")
    assert "return" not in action_forms(people["housing"].page(f"/orders/{number}"))
    desk["housing"].act(number, "reply", {"text": "已处理", "resolved": True})
    check("agent", "supervisor", "housing")
    assert action_forms(people["housing"].page(f"/orders/{number}")) == []


def test_an_action_form_runs_the_operation_and_records_the_event(web, desk, session):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    housing = web("department", "housing")
    version = order_of(session, number).version
    response = housing.act(number, "sign", {"version": str(version)})
    assert response.status_code == 302 and response.location == f"/orders/{number}"
    order = order_of(session, number)
    assert order.state == "in_progress"
    last = session.scalar(select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.seq.desc()))
    assert last.action == "sign" and last.actor_name == housing.username
    assert "办理中" in text_of(housing.page(f"/orders/{number}"))


def test_a_refused_action_shows_the_rule_and_writes_nothing(web, desk, session):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    desk["housing"].act(number, "sign")
    housing = web("department", "housing")
    before = event_count(session, number)
    response = housing.act(number, "reply", {"text": "", "resolved": "1"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="action-error"' in page and "is required" not in page
    assert "未执行" in text_of(page) and "请填写“内容”" in text_of(page)
    assert event_count(session, number) == before and order_of(session, number).state == "in_progress"


def test_an_action_not_allowed_in_the_state_is_refused_naming_the_state(web, desk, session):
    number = desk["agent"].create()["number"]
    response = web("supervisor").act(number, "review", {"decision": "archive", "reason": "x"})
    assert response.status_code == 409
    assert "cannot review" not in response.get_data(as_text=True)
    assert "工单当前状态为“待受理”，不能复核；只有以下状态可以复核：复核中。" in text_of(response.get_data(as_text=True))


def test_an_english_user_reads_the_refusal_in_english_with_the_labels_of_the_states(web, desk, session):
    number = desk["agent"].create()["number"]
    supervisor = web("supervisor")
    supervisor.post("/locale", {"locale": "en"})
    response = supervisor.act(number, "review", {"decision": "archive", "reason": "x"})
    assert response.status_code == 409
    page = " ".join(text_of(response.get_data(as_text=True)).split())
    assert "Not done: Review. cannot Review an order in state 'New'; Review is allowed from: Under review" in page
    assert "(cannot review" not in page  # the English words are not repeated beside themselves


def test_a_form_loaded_before_someone_else_acted_is_refused_as_changed(web, desk, session):
    number = desk["agent"].create()["number"]
    agent = web("agent")
    stale = order_of(session, number).version
    desk["agent"].act(number, "classify", {"district": "西城区"})
    response = agent.act(number, "mark_invalid", {"reason_code": "empty", "note": "x", "version": str(stale)})
    assert response.status_code == 409
    assert f"工单 {number} 在您打开后已被他人修改" in text_of(response.get_data(as_text=True))
    assert order_of(session, number).state == "new"


def test_a_department_cannot_open_another_departments_order_by_url(web, desk, session):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    urban = web("department", "urban")
    response = urban.get(f"/orders/{number}")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "无权操作" in page and "小区垃圾" not in page
    before = event_count(session, number)
    assert urban.act(number, "sign").status_code == 403
    assert event_count(session, number) == before


def test_unknown_orders_and_actions_are_404_pages(web, desk):
    agent = web("agent")
    assert agent.get("/orders/20990101-00001").status_code == 404
    number = desk["agent"].create()["number"]
    assert agent.act(number, "teleport").status_code == 404


def test_a_department_sees_a_reporters_data_masked_and_nothing_is_logged(web, desk, session):
    number = desk["agent"].create(type="report", caller_phone="13812345678", address="幸福路1号")["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    page = web("department", "housing").page(f"/orders/{number}")
    assert "138****5678" in page and "13812345678" not in page and "幸福路1号" not in page
    assert session.scalar(select(func.count(PersonalDataView.id))) == 0


def test_a_department_sees_an_ordinary_callers_data_and_the_view_is_logged(web, desk, session):
    number = desk["agent"].create(caller_phone="13812345678")["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    housing = web("department", "housing")
    page = housing.page(f"/orders/{number}")
    assert "13812345678" in page
    views = session.scalars(select(PersonalDataView)).all()
    assert [(v.via, v.order_id) for v in views] == [("web", order_of(session, number).id)]
    web("agent").page(f"/orders/{number}")  # hotline staff views are not department views
    assert session.scalar(select(func.count(PersonalDataView.id))) == 1


def test_the_page_shows_lights_deadlines_and_the_timeline(web, desk, clock):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    agent = web("agent")
    page = agent.page(f"/orders/{number}")
    assert 'data-light="green"' in page
    assert "2026-03-09 23:59:59" in page  # due: Monday + 5 working days
    assert "2026-03-02 23:59:59" in page  # return window: the dispatch day
    timeline = text_of(page[page.index('id="timeline"'):])
    assert "登记" in timeline and "交办" in timeline and "待受理 → 待签收" in timeline
    clock.advance(timedelta(days=6))  # Sunday 8 March: yellow from the start of Friday 6 March
    assert 'data-light="yellow"' in agent.page(f"/orders/{number}")
    clock.advance(timedelta(days=2))  # Tuesday 10 March: past due
    assert 'data-light="red"' in agent.page(f"/orders/{number}")


def test_a_deadline_beyond_the_calendar_is_shown_as_provisional(web, desk, clock):
    clock.advance(beijing(2026, 12, 24, 10) - clock.now())
    number = desk["agent"].create(type="report")["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    page = web("agent").page(f"/orders/{number}")
    assert 'id="provisional"' in page and "期限暂定" in text_of(page)


def test_merge_offers_open_orders_from_the_same_number_or_with_similar_text(web, desk):
    first = desk["agent"].create(caller_phone="13700000001", content="小区电梯停运三天了")["number"]
    similar = desk["agent"].create(caller_phone="13700000002", content="幸福小区门口的路灯坏了好久")["number"]
    other = desk["agent"].create(caller_phone="13700000003", content="咨询社保卡补办需要什么材料")["number"]
    # The second call came through Twilio, which spells the same mobile +8613700000001.
    again = desk["agent"].create(caller_phone="+8613700000001", content="再次反映：幸福小区门口路灯不亮")["number"]
    page = web("agent").page(f"/orders/{again}")
    merge_form = page[page.index('data-action="merge"'):]
    merge_form = merge_form[:merge_form.index("</form>")]
    assert first in merge_form and similar in merge_form and other not in merge_form
    assert merge_form.index(first) < merge_form.index(similar)  # same number first


def test_search_finds_by_number_phone_and_words_within_the_users_scope(web, desk):
    number = desk["agent"].create(caller_phone="13600000009", content="桥下积水严重")["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    agent = web("agent")
    assert agent.get(f"/orders?q={number}").location == f"/orders/{number}"
    assert number in agent.page("/orders?q=13600000009")
    assert number in agent.page("/orders?q=%2B8613600000009")  # as Twilio shows the caller
    assert number in agent.page("/orders?q=桥下积水")
    assert number in web("department", "housing").page("/orders?q=桥下积水")
    assert number not in web("department", "housing").page("/orders?q=13600000009")
    assert number not in web("department", "urban").page("/orders?q=桥下积水")


def test_answering_from_a_retired_article_is_refused_in_the_agents_language(web, desk, session, clock):
    from knowledge_base import operations
    from tests.integration.kb_helpers import SUPERVISOR, published

    article = published(session, clock, title="旧版居住证办理流程", answer="旧流程。")
    operations.retire(session, SUPERVISOR, article, clock.now())
    session.commit()
    number = desk["agent"].create(type="consultation")["number"]
    response = web("agent").act(number, "answer", {"text": "旧流程。", "article_id": str(article.id)})
    assert response.status_code == 422
    assert f"知识库文章 {article.id} 已停用，不能用于直办答复。" in text_of(response.get_data(as_text=True))
    assert order_of(session, number).state == "new"


def test_the_order_page_dispatches_by_short_name_and_refuses_an_unknown_one_writing_nothing(web, desk, session):
    number = desk["agent"].create()["number"]
    agent = web("agent")
    before = event_count(session, number)
    refused = agent.act(number, "dispatch", {"department": "水务局"})
    assert refused.status_code == 422 and "水务局" in text_of(refused.get_data(as_text=True))
    assert event_count(session, number) == before and order_of(session, number).state == "new"
    assert agent.act(number, "dispatch", {"department": "城管局"}).status_code == 302
    order = order_of(session, number)
    assert order.state == "dispatched" and order.department.code == "urban"


def refusal_on(response) -> str:
    page = response.get_data(as_text=True)
    return text_of(re.search(r'<div class="error refusal"[^>]*>(.*?)</div>', page, re.S).group(1)).strip()


def test_a_refusal_reads_in_chinese_alone_with_chinese_punctuation(web, desk):
    """Issue 13: refusals showed the English original in parentheses after the Chinese."""
    number = desk["agent"].create()["number"]
    agent = web("agent")
    shown = " ".join(refusal_on(r) for r in (
        agent.act(number, "merge", {"into": number}),
        agent.act(number, "dispatch", {"department": "水务局"}),
        agent.act(number, "mark_invalid", {"reason_code": "empty"}),
    ))
    assert re.findall(r"[A-Za-z]+", shown) == []
    assert "(" not in shown and "'" not in shown
    assert "未执行：合并重复件。" in " ".join(shown.split())
    assert "没有“水务局”这个单位。" in shown
    agent.post("/locale", {"locale": "en"})
    english = refusal_on(agent.act(number, "merge", {"into": number}))
    assert " ".join(english.split()) == "Not done: Merge duplicate. 'into': an order cannot duplicate itself"
