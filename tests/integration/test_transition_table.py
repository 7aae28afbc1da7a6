"""Every (state, action, role) against SPEC §3's transition table (issue #2, acceptance 4; issue 12).

The table is written out below from the SPEC, not read from `workorders.lifecycle`, so that a
change of the code's table that the SPEC does not make fails here. For each state an order is
built through the real operations; then every action is tried by every role inside a savepoint.
It must succeed exactly when the SPEC allows it, leading to a state the SPEC names and appending
one event; a refusal must be a 403/409 naming the rule, and — checked before the savepoint is
rolled back — leave the order and its events as they were.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.builders import Cast
from workorders import actions, lifecycle
from workorders.access import can_see
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
    "urge_waiting": {"message": "工单待受理已超时", "to": "team_lead"},
    "note": {"text": "来电人补充：周末在家"},
    "called_again": {"text": "市民再次来电催问"},
    "link_original": "archived",  # filled in per test: the number of an archived order
    "repeat_linked": {"repeat": "20260302-00009"},
}
OPEN = {"dispatched", "in_progress", "committed"}  # "any open": with a department, deadline running
NON_TERMINAL = {"new", "answered", "awaiting_instruction", "dispatched", "returned", "in_progress", "committed",
                "replied", "under_review", "reply_review"}
ALL_STATES = NON_TERMINAL | {"invalid", "merged", "archived"}
STAFF = {"agent", "supervisor", "leader", "admin", "department"}
# SPEC §3 "Actions (who → from → to)": action → (roles, from-states, to-states; empty: stays).
# IVR, SMS, the portal and the scheduler act as the role "system".
SPEC_TABLE = {
    "mark_invalid": ({"agent", "supervisor"}, {"new"}, {"invalid"}),
    "merge": ({"agent", "supervisor"}, {"new"}, {"merged"}),
    "answer": ({"agent"}, {"new"}, {"answered"}),
    "request_instruction": ({"agent"}, {"new"}, {"awaiting_instruction"}),
    "instruct": ({"leader", "supervisor"}, {"awaiting_instruction"}, {"dispatched"}),
    "dispatch": ({"agent", "supervisor"}, {"new", "returned", "under_review"}, {"dispatched"}),
    "sign": ({"department"}, {"dispatched"}, {"in_progress"}),
    # a sub-unit's return goes back up to its parent, which holds the order in progress (§12 forward)
    "return": ({"department"}, {"dispatched", "in_progress"}, {"returned", "in_progress"}),
    "interim_reply": ({"department"}, {"in_progress"}, {"committed"}),
    "opinion": ({"department"}, {"in_progress"}, set()),
    "request_extension": ({"department"}, {"in_progress", "committed"}, set()),
    "decide_extension": ({"supervisor"}, {"in_progress", "committed"}, set()),
    # with reply review on (§12), a reply waits in reply_review for the hotline's approval
    "reply": ({"department"}, {"in_progress", "committed"}, {"replied", "reply_review"}),
    # SPEC §12 "More lifecycle rows"
    "forward": ({"department"}, {"in_progress"}, {"dispatched"}),
    "reassign": ({"supervisor"}, {"dispatched", "in_progress", "committed"}, {"dispatched"}),
    "approve_reply": ({"supervisor"}, {"reply_review"}, {"replied"}),
    "send_back": ({"supervisor"}, {"reply_review"}, {"in_progress"}),
    "note": (STAFF, ALL_STATES, set()),
    # §12 forward: "the parent may take it back" (from its sub-unit, which holds it dispatched or signed)
    "take_back": ({"department"}, {"dispatched", "in_progress"}, {"in_progress"}),
    # issue 13: 催单 and 重复诉求 on open orders, by the front desk; the original records the link
    "called_again": ({"agent", "supervisor"}, NON_TERMINAL, set()),
    "link_original": ({"agent", "supervisor"}, NON_TERMINAL, set()),
    "repeat_linked": ({"system"}, {"archived"}, set()),
    # issue 13: intake (待受理) and instruction (待批办) timers urge the front desk / the leader
    "urge_waiting": ({"system"}, {"new", "awaiting_instruction"}, set()),
    "urge": ({"supervisor", "system"}, OPEN, set()),
    "supervise": ({"supervisor", "system"}, OPEN, set()),
    "callback": ({"agent", "system"}, {"answered", "replied"}, {"archived", "under_review"}),
    "review": ({"supervisor"}, {"under_review"}, {"dispatched", "archived"}),
    # Extensions the SPEC implies elsewhere, each on purpose:
    # classify is "(edit)" of a new order: the office's supervisors correct one as agents do;
    "classify": ({"agent", "supervisor"}, {"new"}, set()),
    # archive: supervisors (§3); the scheduler archives unreachable callbacks and closed windows (§4);
    "archive": ({"supervisor", "system"}, NON_TERMINAL, {"archived"}),
    # the scheduler's own events (§4 "Scheduled jobs"): severe overdue, provisional deadlines, callbacks.
    "report_severe": ({"system"}, OPEN, set()),
    "recompute_deadline": ({"system"}, OPEN, set()),
    "place_callback": ({"system"}, {"answered", "replied"}, set()),
}
# Which actor plays a role: department actions are tried by the right department.
PLAYERS = {"agent": "agent", "supervisor": "supervisor", "leader": "leader", "admin": "admin",
           "system": "system", "department": "department"}
ROLES = ["agent", "supervisor", "leader", "admin", "department", "system"]


def test_every_action_in_the_table_has_sample_inputs():
    assert set(SAMPLE_INPUTS) == set(lifecycle.ACTIONS)


def test_the_codes_table_is_the_specs():
    """The same table, read the other way: no action, role or state the SPEC does not name."""
    assert set(lifecycle.ACTIONS) == set(SPEC_TABLE)
    for action, (roles, sources, targets) in SPEC_TABLE.items():
        rule = lifecycle.RULES[action]
        assert ({str(r) for r in rule.roles}, {str(s) for s in rule.sources}, {str(t) for t in rule.targets}) == (
            roles, sources, targets), action


def _events(session, order) -> int:
    return session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.order_id == order.id))


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
        archived = cast.order_in("archived")
        session.flush()
        department_sees = can_see(session, cast.actors["department"], order)
        for action in lifecycle.ACTIONS:
            for role in ROLES:
                roles, sources, targets = SPEC_TABLE[action]
                allowed = role in roles and state in sources
                sample = SAMPLE_INPUTS[action]
                if sample is None:
                    data = {"into": spare.number}
                elif sample == "archived":
                    data = {"original": archived.number}
                else:
                    data = dict(sample)
                # A department annotates only the orders it sees.
                if role == "department" and not department_sees:
                    allowed = False
                # The fixture order carries a pending extension in in_progress/committed.
                if action == "request_extension" and order.pending_extension_days:
                    allowed = False
                events_before = _events(session, order)
                # Forwarding needs a department tree (a district and its streets), and taking back
                # a forwarded order: tests/functional/test_api_department_handling.py walks both.
                if action in ("forward", "take_back"):
                    allowed = False
                savepoint = session.begin_nested()
                try:
                    actions.perform(cast.ctx(), cast.actors[_player(action, role)], order, action, data)
                    session.flush()
                    outcome = "ok"
                    # Checked inside the savepoint, where the action's writes are still visible.
                    assert _events(session, order) == events_before + 1, (state, action, role)
                    assert order.state in (targets or {state}), (state, action, role, order.state)
                except Forbidden as exc:
                    outcome = f"403 {exc.message}"
                except Conflict as exc:
                    outcome = f"409 {exc.message}"
                if outcome != "ok":  # nothing half-written, seen before the rollback
                    assert _events(session, order) == events_before, (state, action, role)
                    assert order.state == state, (state, action, role)
                savepoint.rollback()
                session.expire_all()
                if allowed:
                    assert outcome == "ok", (state, action, role, outcome)
                else:
                    assert outcome != "ok", (state, action, role)
                    assert action in outcome or role in outcome or "extension" in outcome, outcome
                    if outcome.startswith("409") and role in roles:
                        assert f"'{state}'" in outcome or "extension" in outcome, outcome


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
