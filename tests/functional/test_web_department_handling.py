"""Issue 14 through the pages: forward to a street, the street replies, the district reads the whole
history; a sibling street gets a 403 page; reply review from the supervisor's queue."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.web_support import action_forms, people, text_of
from workorders.models import Policy


@pytest.fixture
def web(app, make_user):
    return people(app, make_user)


def test_a_district_forwards_on_the_page_and_sees_the_streets_reply(web, desk):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "dongcheng"})
    district = web("department", "dongcheng")
    assert district.act(number, "sign").status_code == 302
    page = district.page(f"/orders/{number}")
    assert "forward" in action_forms(page) and "新河街道" in page  # the form offers its own streets only
    assert "花园街道" not in page.split('data-action="forward"')[1].split("</form>")[0]
    assert district.act(number, "forward", {"department": "dongcheng.xinhe", "note": "请街道办理"}).status_code == 302

    street = web("department", "dongcheng.xinhe")
    assert street.act(number, "sign").status_code == 302
    assert street.act(number, "reply", {"text": "已清理完毕", "resolved": "1"}).status_code == 302

    history = text_of(district.page(f"/orders/{number}"))
    for step in ("下派", "签收", "回复", "已清理完毕"):
        assert step in history
    sibling = web("department", "dongcheng.chengnan")
    assert sibling.client.get(f"/orders/{number}").status_code == 403
    r = sibling.act(number, "reply", {"text": "x", "resolved": "1"})
    assert r.status_code == 403


def test_a_supervisor_sends_a_reply_back_from_the_review_queue(web, desk, session):
    policy = session.scalar(select(Policy).where(Policy.active.is_(True)))
    policy.rules = {**policy.rules, "reply_review": True}
    session.commit()
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    desk["housing"].act(number, "sign")
    desk["housing"].act(number, "reply", {"text": "已处理", "resolved": True})
    supervisor = web("supervisor")
    assert number in supervisor.page("/supervisor/reply_review")
    page = supervisor.page(f"/orders/{number}")
    assert {"approve_reply", "send_back"} <= set(action_forms(page)) and "办结审核" in page
    r = supervisor.act(number, "send_back", {"reason": ""})
    assert r.status_code == 422
    # Through the page's own form, which asks for the reason the department reads.
    assert supervisor.act_on_page(number, "send_back", {"reason": "答复未写明结果"}).status_code == 302
    assert "办理中" in text_of(supervisor.page(f"/orders/{number}"))
