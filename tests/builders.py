"""Build orders in any lifecycle state through the real operations (for integration tests)."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import select

from hotline.runtime import domain_context
from workorders import actions
from workorders.context import Actor
from workorders.deadlines import local_date
from workorders.intake import create_order
from workorders.models import Department, Policy, User, WorkOrder
from workorders.people import create_user


class Cast:
    """One actor per role, two departments (lead `housing`, co-department `urban`)."""

    def __init__(self, session):
        self.session = session
        depts = {d.code: d for d in session.scalars(select(Department))}
        self.lead_dept, self.co_dept = depts["housing"], depts["urban"]
        self.actors = {}
        for role, dept in [("agent", None), ("supervisor", None), ("leader", None), ("admin", None),
                           ("department", "housing"), ("co_department", "urban"), ("other_department", "ecology")]:
            username = f"cast_{role}"
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                user = create_user(session, username=username, password_hash="x",
                                   role="department" if dept else role, department_code=dept,
                                   now=_now(session))
            self.actors[role] = Actor.of(user)
        self.actors["system"] = Actor.system("test-system")

    def ctx(self):
        return domain_context(self.session)

    def do(self, order, role, action, data=None):
        return actions.perform(self.ctx(), self.actors[role], order, action, data or {})

    @contextmanager
    def policy(self, **flags):
        """The active policy with `flags` changed for the duration (a test's own transaction)."""
        policy = self.session.scalar(select(Policy).where(Policy.active.is_(True)))
        saved = policy.rules
        policy.rules = {**saved, **flags}
        try:
            yield
        finally:
            policy.rules = saved

    def new_order(self, type_="complaint") -> WorkOrder:
        return create_order(self.ctx(), self.actors["agent"], {
            "type": type_, "channel": "phone", "content": "路灯不亮，晚上很危险。",
            "caller_name": "李女士", "caller_phone": "13900001111",
        }).order

    def order_in(self, state: str) -> WorkOrder:
        """An order in `state`, joint (lead + co) wherever a department holds it."""
        order = self.new_order()
        if state == "new":
            return order
        if state == "invalid":
            self.do(order, "agent", "mark_invalid", {"reason_code": "empty", "note": "无内容"})
        elif state == "merged":
            self.do(order, "agent", "merge", {"into": self.new_order().number})
        elif state == "answered":
            self.do(order, "agent", "answer", {"text": "按标准答案答复"})
        elif state == "awaiting_instruction":
            self.do(order, "agent", "request_instruction", {"note": "请批示"})
        elif state == "archived":
            self.do(order, "supervisor", "archive", {"reason": "重复来电"})
        else:
            with self.policy(reply_review=state == "reply_review"):  # the order copies it at dispatch
                self.do(order, "agent", "dispatch", {"department": "housing", "handling": "joint",
                                                     "co_departments": ["urban"]})
            if state == "returned":
                self.do(order, "department", "return", {"reason": "非本单位职责"})
            elif state != "dispatched":
                self.do(order, "department", "sign")
                if state in ("in_progress", "committed"):
                    self.do(order, "department", "request_extension", {"reason": "需现场勘查", "working_days": 1})
                if state == "committed":
                    # Eleven days on: 2026-03-13 from the fixtures' Monday, later as a test moves the clock.
                    committed = local_date(self.ctx().now, self.ctx().tz) + timedelta(days=11)
                    self.do(order, "department", "interim_reply", {"text": "已列入计划",
                                                                    "committed_date": committed.isoformat()})
                if state in ("replied", "under_review", "reply_review"):
                    self.do(order, "department", "reply", {"text": "已处理", "resolved": True})
                if state == "under_review":
                    self.do(order, "agent", "callback", {"satisfaction": "dissatisfied", "resolved": False})
        assert order.state == state, (order.state, state)
        return order


def _now(session):
    from hotline.runtime import clock

    return clock().now()
