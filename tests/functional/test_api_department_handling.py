"""Issue 14: forward (下派) to a sub-unit, take back, reassign (改派), reply review (办结审核),
through the JSON API; refusals write nothing; the statistics count a forwarded dispatch once."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import TZ
from workorders.models import OrderEvent, Policy
from workorders.stats import figures, rollup, scratch
from workorders.stats.periods import between


@pytest.fixture
def city(desk, make_user):
    desk["dongcheng"] = make_user("department", "dongcheng")[1]
    desk["xinhe"] = make_user("department", "dongcheng.xinhe")[1]
    desk["chengnan"] = make_user("department", "dongcheng.chengnan")[1]
    return desk


def set_policy(session, **flags):
    policy = session.scalar(select(Policy).where(Policy.active.is_(True)))
    policy.rules = {**policy.rules, **flags}
    session.commit()


def event_count(session, number: str) -> int:
    from workorders.models import WorkOrder

    return session.scalar(select(func.count(OrderEvent.id)).join(WorkOrder).where(WorkOrder.number == number))


def dongcheng_id(session) -> int:
    from workorders.models import Department

    return session.scalar(select(Department.id).where(Department.code == "dongcheng"))


def dispatched_to_district(city) -> str:
    number = city["agent"].create()["number"]
    assert city["agent"].act(number, "dispatch", {"department": "dongcheng"}).status_code == 200
    assert city["dongcheng"].act(number, "sign").status_code == 200
    return number


def test_a_district_forwards_to_its_street_which_replies_and_the_district_sees_it_all(city, session, clock):
    number = dispatched_to_district(city)
    due_before = city["agent"].get(f"/orders/{number}").get_json()["due_at"]

    r = city["dongcheng"].act(number, "forward", {"department": "dongcheng.xinhe", "note": "请新河街道办理"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["state"], body["department"], body["accountable_department"]) == (
        "dispatched", "dongcheng.xinhe", "dongcheng")
    assert body["due_at"] == due_before  # the deadline stays the order's

    assert city["xinhe"].act(number, "sign").status_code == 200
    r = city["xinhe"].act(number, "reply", {"text": "已现场清运完毕", "resolved": True})
    assert r.status_code == 200 and r.get_json()["state"] == "replied"

    seen = city["dongcheng"].get(f"/orders/{number}")
    assert seen.status_code == 200
    assert [e["action"] for e in seen.get_json()["events"]] == [
        "create", "dispatch", "sign", "forward", "sign", "reply"]
    assert city["chengnan"].get(f"/orders/{number}").status_code == 403  # a sibling street
    assert city["housing"].get(f"/orders/{number}").status_code == 403  # a foreign department

    # The statistics count the dispatch once, for the district (its row includes its streets).
    clock.advance(timedelta(days=1))
    rollup.refresh(session, clock.now(), TZ)
    session.commit()
    period = between(date(2026, 3, 1), date(2026, 3, 31))
    for report in (figures.report(session, period, "department", clock.now(), TZ),
                   scratch.report(session, period, "department", clock.now(), TZ)):
        assert (report.total.dispatched, report.total.replied) == (1, 1)
        assert report.row(str(dongcheng_id(session))).figures.dispatched == 1
    r = city["supervisor"].get("/stats", group="department", **{"from": "2026-03-01", "to": "2026-03-31"})
    rows = {row["key"]: row for row in r.get_json()["rows"]}
    assert rows["dongcheng"]["dispatched"] == 1 and rows["dongcheng"]["replied"] == 1
    assert r.get_json()["total"]["dispatched"] == 1


def test_a_street_cannot_forward_to_its_sibling_and_strangers_cannot_act(city, session):
    number = dispatched_to_district(city)
    city["dongcheng"].act(number, "forward", {"department": "dongcheng.xinhe"})
    city["xinhe"].act(number, "sign")
    before = event_count(session, number)

    r = city["xinhe"].act(number, "forward", {"department": "dongcheng.chengnan"})
    assert r.status_code == 403 and "sub-unit" in r.get_json()["error"]
    r = city["dongcheng"].act(number, "forward", {"department": "housing"})
    assert r.status_code == 403  # not the holder any more, and housing is nobody's sub-unit here
    for who, action, body in [("chengnan", "reply", {"text": "x", "resolved": True}),
                              ("housing", "sign", {}), ("chengnan", "take_back", {}),
                              ("housing", "take_back", {})]:
        r = city[who].act(number, action, body)
        assert r.status_code == 403, (who, action, r.get_json())
    r = city["supervisor"].act(number, "forward", {"department": "dongcheng.chengnan"})
    assert r.status_code == 403  # forwarding is a department's own step
    assert event_count(session, number) == before


def test_a_street_returns_to_its_parent_and_the_parent_may_take_it_back(city):
    number = dispatched_to_district(city)
    city["dongcheng"].act(number, "forward", {"department": "dongcheng.xinhe"})
    r = city["xinhe"].act(number, "return", {"reason": "不属于本街道辖区"})
    assert r.status_code == 200
    body = r.get_json()
    assert (body["state"], body["department"]) == ("in_progress", "dongcheng")  # not back to the hotline

    city["dongcheng"].act(number, "forward", {"department": "dongcheng.chengnan"})
    r = city["dongcheng"].act(number, "take_back", {"note": "区里直接办理"})
    assert r.status_code == 200
    assert (r.get_json()["state"], r.get_json()["department"]) == ("in_progress", "dongcheng")
    r = city["dongcheng"].act(number, "take_back")
    assert r.status_code == 403  # nothing forwarded: nothing to take back


def test_reassign_moves_the_order_and_restarts_the_limit_by_policy(city, session, clock):
    number = city["agent"].create()["number"]
    city["agent"].act(number, "dispatch", {"department": "housing"})
    city["housing"].act(number, "sign")
    first_due = city["agent"].get(f"/orders/{number}").get_json()["due_at"]
    clock.advance(timedelta(days=2))

    r = city["supervisor"].act(number, "reassign", {"department": "urban", "reason": "属城管职责"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["state"], body["department"], body["accountable_department"]) == ("dispatched", "urban", "urban")
    assert body["due_at"] > first_due  # the policy's default: the limit counts again from now
    assert city["housing"].get(f"/orders/{number}").status_code == 403
    assert city["urban"].act(number, "sign").status_code == 200

    set_policy(session, reassign_restarts_deadline=False)
    r = city["supervisor"].act(number, "reassign", {"department": "ecology", "reason": "属环保职责"})
    assert r.status_code == 200 and r.get_json()["due_at"] == body["due_at"]


@pytest.mark.parametrize("who, body, status", [
    ("agent", {"department": "urban", "reason": "x"}, 403),      # role
    ("housing", {"department": "urban", "reason": "x"}, 403),    # role
    ("supervisor", {"department": "nowhere", "reason": "x"}, 422),
    ("supervisor", {"department": "urban"}, 422),                # no reason
    ("supervisor", {"department": "housing", "reason": "x"}, 422),  # already there
])
def test_reassign_refusals_write_nothing(city, session, who, body, status):
    number = city["agent"].create()["number"]
    city["agent"].act(number, "dispatch", {"department": "housing"})
    before = event_count(session, number)
    r = city[who].act(number, "reassign", body)
    assert r.status_code == status, r.get_json()
    assert r.get_json()["error"]
    assert event_count(session, number) == before


def test_reassign_is_refused_once_replied(city, session):
    number = city["agent"].create()["number"]
    city["agent"].act(number, "dispatch", {"department": "housing"})
    city["housing"].act(number, "sign")
    city["housing"].act(number, "reply", {"text": "已处理", "resolved": True})
    r = city["supervisor"].act(number, "reassign", {"department": "urban", "reason": "x"})
    assert r.status_code == 409 and "replied" in r.get_json()["error"]


def test_reply_review_holds_the_callback_until_approval_and_a_send_back_reopens(city, session, clock):
    set_policy(session, reply_review=True)
    number = city["agent"].create()["number"]
    city["agent"].act(number, "dispatch", {"department": "housing"})
    city["housing"].act(number, "sign")
    due = city["agent"].get(f"/orders/{number}").get_json()["due_at"]

    r = city["housing"].act(number, "reply", {"text": "已处理", "resolved": True})
    body = r.get_json()
    assert (body["state"], body["callback_due_at"]) == ("reply_review", None)  # no callback yet
    r = city["supervisor"].act(number, "send_back", {"reason": "答复未说明处理结果"})
    assert r.status_code == 200
    body = r.get_json()
    assert (body["state"], body["reply_text"], body["due_at"]) == ("in_progress", None, due)

    city["housing"].act(number, "reply", {"text": "已清运并加派保洁", "resolved": True})
    r = city["supervisor"].act(number, "approve_reply", {"note": "同意"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["state"] == "replied" and body["callback_due_at"] is not None

    clock.advance(timedelta(days=1))
    rollup.refresh(session, clock.now(), TZ)
    session.commit()
    period = between(date(2026, 3, 1), date(2026, 3, 31))
    for report in (figures.report(session, period, "all", clock.now(), TZ),
                   scratch.report(session, period, "all", clock.now(), TZ)):
        assert (report.total.dispatched, report.total.replied, report.total.replied_on_time) == (1, 1, 1)


@pytest.mark.parametrize("who, action, body, status", [
    ("housing", "approve_reply", {}, 403),                # role
    ("agent", "send_back", {"reason": "x"}, 403),         # role
    ("supervisor", "send_back", {}, 422),                 # no reason
])
def test_reply_review_refusals_write_nothing(city, session, who, action, body, status):
    set_policy(session, reply_review=True)
    number = city["agent"].create()["number"]
    city["agent"].act(number, "dispatch", {"department": "housing"})
    city["housing"].act(number, "sign")
    city["housing"].act(number, "reply", {"text": "已处理", "resolved": True})
    before = event_count(session, number)
    r = city[who].act(number, action, body)
    assert r.status_code == status, r.get_json()
    assert event_count(session, number) == before


def test_approving_is_refused_when_there_is_no_reply_to_review(city, session):
    number = city["agent"].create()["number"]
    city["agent"].act(number, "dispatch", {"department": "housing"})
    city["housing"].act(number, "sign")
    city["housing"].act(number, "reply", {"text": "已处理", "resolved": True})  # review off: replied
    for action, body in (("approve_reply", {}), ("send_back", {"reason": "x"})):
        r = city["supervisor"].act(number, action, body)
        assert r.status_code == 409 and "reply_review" in r.get_json()["error"]


def test_the_survey_call_waits_for_the_approval(app, city, session, clock):
    from hotline.jobs import run_job

    set_policy(session, reply_review=True)
    number = city["agent"].create()["number"]
    city["agent"].act(number, "dispatch", {"department": "housing"})
    city["housing"].act(number, "sign")
    city["housing"].act(number, "reply", {"text": "已处理", "resolved": True})
    clock.advance(timedelta(hours=2))  # 11:00 on a working day: within calling hours
    run_job(app, "callback_calls", "test")
    actions = [e["action"] for e in city["agent"].get(f"/orders/{number}").get_json()["events"]]
    assert "place_callback" not in actions
    city["supervisor"].act(number, "approve_reply")
    run_job(app, "callback_calls", "test")
    actions = [e["action"] for e in city["agent"].get(f"/orders/{number}").get_json()["events"]]
    assert actions[-2:] == ["approve_reply", "place_callback"]


def test_the_return_window_binds_the_hotlines_dispatch_not_a_return_up_the_tree(city, clock):
    number = dispatched_to_district(city)
    city["dongcheng"].act(number, "forward", {"department": "dongcheng.xinhe"})
    clock.advance(timedelta(days=3))  # Karamay: returns only on the dispatch day
    r = city["xinhe"].act(number, "return", {"reason": "不属于本街道"})
    assert r.status_code == 200 and r.get_json()["department"] == "dongcheng"
    r = city["dongcheng"].act(number, "return", {"reason": "不属于本区"})
    assert r.status_code == 409 and "return window" in r.get_json()["error"]
