"""Every (state, action, role) against the transition table (issue #2, acceptance 4).

For each state an order is built through the real operations; then every action is tried by
every role inside a savepoint. It must succeed exactly when the table allows it, and a refusal
must be a 403/409 naming the rule that leaves the order and its events as they were.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.builders import Cast
from workorders import actions, lifecycle
from workorders.errors import Conflict, Forbidden
from workorders.models import OrderEvent
from workorders.vocabulary import State

# Inputs that make each action valid whenever the table allows it.
SAMPLE_INPUTS = {
    "classify": {"district": "东城区"},
    "mark_invalid": {"reason_code": "advertising", "note": "推销"},
    "merge": None,  # filled in per test: the number of another open order
    "answer": {"text": "已答复"},
    "request_instruction": {"note": "请领导批示"},
    "instruct": {"text": "请住建局牵头办理", "department": "housing"},
    "dispatch": {"department": "housing"},
    "sign": {},
    "return": {"reason": "不属于本单位"},
    "interim_reply": {"text": "阶段性答复", "committed_date": "2026-03-12"},
    "opinion": {"text": "同意牵头单位意见"},
    "request_extension": {"reason": "需要调查", "working_days": 2},
    "decide_extension": {"approve": True},
    "reply": {"text": "已办结", "resolved": True},
    "forward": {"department": "housing"},  # the fixture's department has no sub-units: see below
    "take_back": {},
    "reassign": {"department": "ecology", "reason": "属生态环境局职责"},
    "approve_reply": {"note": "同意"},
    "send_back": {"reason": "答复不完整"},
    "urge": {"message": "请尽快办理"},
    "supervise": {"note": "列入督办"},
    "callback": {"satisfaction": "satisfied", "resolved": True},
    "review": {"decision": "archive", "reason": "已解释清楚"},
    "archive": {"reason": "来电人撤回"},
    "report_severe": {"note": "严重超期，报督办通报"},
    "recompute_deadline": {"reason": "工作日历已更新"},
    "place_callback": {"channel": "call", "attempt": 1},
}
# Which actor plays a role: department actions are tried by the right department.
PLAYERS = {"agent": "agent", "supervisor": "supervisor", "leader": "leader", "admin": "admin",
           "system": "system", "department": "department"}
ROLES = ["agent", "supervisor", "leader", "admin", "department", "system"]


def test_every_action_in_the_table_has_sample_inputs():
    assert set(SAMPLE_INPUTS) == set(lifecycle.ACTIONS)


def _player(action: str, role: str) -> str:
    if role == "department" and action == "opinion":
        return "co_department"
    return PLAYERS[role]


@pytest.mark.parametrize("state", [s.value for s in State])
def test_each_action_succeeds_exactly_where_the_table_allows_it(session, app, state):
    with app.app_context():
        cast = Cast(session)
        order = cast.order_in(state)
        spare = cast.new_order()
        session.flush()
        for action in lifecycle.ACTIONS:
            for role in ROLES:
                allowed = lifecycle.is_allowed(action, role, state)
                sample = SAMPLE_INPUTS[action]
                data = {"into": spare.number} if sample is None else dict(sample)
                # The fixture order carries a pending extension in in_progress/committed.
                if action == "request_extension" and order.pending_extension_days:
                    allowed = False
                # Forwarding needs a department tree (a district and its streets), and taking back
                # a forwarded order: tests/functional/test_api_department_handling.py walks both.
                if action in ("forward", "take_back"):
                    allowed = False
                events_before = session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.order_id == order.id))
                savepoint = session.begin_nested()
                try:
                    actions.perform(cast.ctx(), cast.actors[_player(action, role)], order, action, data)
                    session.flush()
                    outcome = "ok"
                except Forbidden as exc:
                    outcome = f"403 {exc.message}"
                except Conflict as exc:
                    outcome = f"409 {exc.message}"
                finally:
                    savepoint.rollback()
                session.expire_all()
                if allowed:
                    assert outcome == "ok", (state, action, role, outcome)
                else:
                    assert outcome != "ok", (state, action, role)
                    assert action in outcome or role in outcome or "extension" in outcome, outcome
                    if outcome.startswith("409") and role in lifecycle.RULES[action].roles:
                        assert f"'{state}'" in outcome or "extension" in outcome, outcome
                after = session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.order_id == order.id))
                assert after == events_before
                assert order.state == state


def test_a_department_may_not_act_for_another_department(session, app):
    with app.app_context():
        cast = Cast(session)
        order = cast.order_in("dispatched")
        with pytest.raises(Forbidden, match="another department"):
            cast.do(order, "other_department", "sign")
        with pytest.raises(Forbidden, match="lead department"):
            cast.do(order, "co_department", "sign")
        order = cast.order_in("in_progress")
        with pytest.raises(Forbidden, match="co-department"):
            cast.do(order, "department", "opinion", {"text": "x"})
