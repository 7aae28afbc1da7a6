"""A small hotline office for statistics tests: orders driven through the real operations at
chosen moments, and the fixed March 2026 data set whose figures the tests compute by hand."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hotline.runtime import domain_context
from workorders import actions
from workorders.context import Actor
from workorders.intake import create_order
from workorders.models import User, WorkOrder
from workorders.people import create_user

TZ = ZoneInfo("Asia/Shanghai")


def beijing(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


class Office:
    """Acts as agent, supervisor or any department, at the moment it is told."""

    def __init__(self, session, clock):
        self.session, self.clock, self.actors = session, clock, {}

    def at(self, when: datetime) -> None:
        self.clock.advance(when - self.clock.now())

    def actor(self, who: str) -> Actor:
        """'agent', 'supervisor', or a department code (acting as that department's clerk)."""
        if who not in self.actors:
            username = f"stats_{who}"
            user = self.session.scalar(select(User).where(User.username == username))
            if user is None:
                role = who if who in ("agent", "supervisor", "leader", "admin") else "department"
                user = create_user(self.session, username=username, password_hash="x", role=role,
                                   department_code=None if role != "department" else who,
                                   now=self.clock.now())
            self.actors[who] = Actor.of(user)
        return self.actors[who]

    def create(self, when: datetime, **fields) -> WorkOrder:
        self.at(when)
        data = {"type": "complaint", "channel": "phone", "content": "楼下餐馆油烟很大。",
                "caller_name": "赵女士", "caller_phone": "13911112222", **fields}
        order = create_order(domain_context(self.session), self.actor("agent"), data).order
        self.session.flush()
        return order

    def do(self, when: datetime, who: str, order: WorkOrder, action: str, data: dict | None = None):
        self.at(when)
        actions.perform(domain_context(self.session), self.actor(who), order, action, data or {})
        self.session.flush()
        return order


def march_2026(office: Office) -> dict[str, WorkOrder]:
    """The fixed data set (times in Beijing time); the comments are what the tests count."""
    o, b = {}, beijing
    # Received 1 March 00:30 Beijing = 28 February 16:30 UTC: a March order. Never dispatched.
    o["early"] = office.create(b(2026, 3, 1, 0, 30), channel="web", category="property", district="东城区")
    # 28 February 23:30 Beijing: a February order.
    o["february"] = office.create(b(2026, 2, 28, 23, 30), channel="web", type="consultation")
    # Dispatched in February, replied and called back in March: a March callback only.
    o["feb_dispatch"] = office.create(b(2026, 2, 27, 10, 0), category="property", district="东城区")
    office.do(b(2026, 2, 27, 10, 5), "agent", o["feb_dispatch"], "dispatch", {"department": "housing"})
    office.do(b(2026, 2, 27, 11, 0), "housing", o["feb_dispatch"], "sign")
    office.do(b(2026, 3, 3, 10, 0), "housing", o["feb_dispatch"], "reply", {"text": "已处理", "resolved": True})
    office.do(b(2026, 3, 4, 10, 0), "agent", o["feb_dispatch"], "callback",
              {"satisfaction": "satisfied", "resolved": True})

    # Replied at the very last second of its due day: on time.
    o["at_due"] = office.create(b(2026, 3, 2, 9, 0), category="property", district="东城区")
    office.do(b(2026, 3, 2, 9, 5), "agent", o["at_due"], "dispatch", {"department": "housing"})
    office.do(b(2026, 3, 2, 9, 30), "housing", o["at_due"], "sign")
    office.do(b(2026, 3, 9, 23, 59, 59), "housing", o["at_due"], "reply", {"text": "已处理", "resolved": True})
    office.do(b(2026, 3, 10, 10, 0), "agent", o["at_due"], "callback", {"satisfaction": "satisfied", "resolved": True})

    # Replied one second after its due time: late.
    o["late"] = office.create(b(2026, 3, 2, 9, 10), category="property", district="东城区")
    office.do(b(2026, 3, 2, 9, 15), "agent", o["late"], "dispatch", {"department": "housing"})
    office.do(b(2026, 3, 2, 9, 40), "housing", o["late"], "sign")
    office.do(b(2026, 3, 10, 0, 0, 0), "housing", o["late"], "reply", {"text": "已处理", "resolved": False})
    office.do(b(2026, 3, 10, 11, 0), "agent", o["late"], "callback",
              {"satisfaction": "basically_satisfied", "resolved": False})

    # Extended by 3 working days (due 9 → 12 March), replied on the 12th: on time.
    # Three unreachable callbacks: closed as unreachable, not a callback reached.
    o["extended"] = office.create(b(2026, 3, 2, 10, 0), type="help", channel="web", category="municipal",
                                  district="西城区")
    office.do(b(2026, 3, 2, 10, 5), "agent", o["extended"], "dispatch", {"department": "urban"})
    office.do(b(2026, 3, 2, 10, 30), "urban", o["extended"], "sign")
    office.do(b(2026, 3, 5, 9, 0), "urban", o["extended"], "request_extension",
              {"reason": "需协调产权单位", "working_days": 3})
    office.do(b(2026, 3, 5, 10, 0), "supervisor", o["extended"], "decide_extension", {"approve": True})
    office.do(b(2026, 3, 12, 16, 0), "urban", o["extended"], "reply", {"text": "已修复", "resolved": True})
    for day in (13, 16, 17):
        office.do(b(2026, 3, day, 10, 0), "agent", o["extended"], "callback", {"satisfaction": "unreachable"})

    # Reopened: housing replies, the citizen is dissatisfied, review sends it to urban: two
    # dispatches, two replies, two callbacks reached.
    o["reopened"] = office.create(b(2026, 3, 3, 9, 0), category="environment", district="东城区")
    office.do(b(2026, 3, 3, 9, 10), "agent", o["reopened"], "dispatch", {"department": "housing"})
    office.do(b(2026, 3, 3, 9, 30), "housing", o["reopened"], "sign")
    office.do(b(2026, 3, 4, 15, 0), "housing", o["reopened"], "reply", {"text": "已处理", "resolved": True})
    office.do(b(2026, 3, 5, 10, 0), "agent", o["reopened"], "callback",
              {"satisfaction": "dissatisfied", "resolved": False})
    office.do(b(2026, 3, 5, 14, 0), "supervisor", o["reopened"], "review",
              {"decision": "redispatch", "reason": "问题仍在", "department": "urban"})
    office.do(b(2026, 3, 5, 15, 0), "urban", o["reopened"], "sign")
    office.do(b(2026, 3, 6, 10, 0), "urban", o["reopened"], "reply", {"text": "已彻底处理", "resolved": True})
    office.do(b(2026, 3, 9, 10, 0), "agent", o["reopened"], "callback", {"satisfaction": "satisfied", "resolved": True})

    # Returned by housing the same day, re-dispatched to urban, never replied: still held on
    # 1 April, past due (9 March) and past the severe threshold (16 March).
    o["held"] = office.create(b(2026, 3, 2, 11, 0), category="digital_city", district="西城区")
    office.do(b(2026, 3, 2, 11, 5), "agent", o["held"], "dispatch", {"department": "housing"})
    office.do(b(2026, 3, 2, 11, 30), "housing", o["held"], "return", {"reason": "属城管职责"})
    office.do(b(2026, 3, 2, 14, 0), "supervisor", o["held"], "dispatch", {"department": "urban"})
    office.do(b(2026, 3, 2, 15, 0), "urban", o["held"], "sign")

    # Answered on the spot (a consultation: archived without callback), invalid, merged.
    o["answered"] = office.create(b(2026, 3, 4, 9, 0), type="consultation", category="property", district="东城区")
    office.do(b(2026, 3, 4, 9, 5), "agent", o["answered"], "answer", {"text": "按标准答案答复"})
    o["invalid"] = office.create(b(2026, 3, 4, 10, 0), type="other")
    office.do(b(2026, 3, 4, 10, 5), "agent", o["invalid"], "mark_invalid", {"reason_code": "empty", "note": "无内容"})

    # A commitment order: due 11 March, committed to 20 March, replied on the 19th: on time, and
    # not severe although past the severe threshold of the original due day (18 March).
    o["committed"] = office.create(b(2026, 3, 4, 11, 0), type="suggestion", channel="web", category="municipal",
                                   district="西城区")
    o["merged"] = office.create(b(2026, 3, 4, 11, 10), category="property", district="东城区")
    office.do(b(2026, 3, 4, 11, 15), "agent", o["merged"], "merge", {"into": o["committed"].number})
    office.do(b(2026, 3, 4, 11, 30), "agent", o["committed"], "dispatch", {"department": "housing"})
    office.do(b(2026, 3, 4, 14, 0), "housing", o["committed"], "sign")
    office.do(b(2026, 3, 5, 9, 0), "housing", o["committed"], "interim_reply",
              {"text": "已列入改造计划", "committed_date": "2026-03-20"})
    office.do(b(2026, 3, 19, 10, 0), "housing", o["committed"], "reply", {"text": "已完成", "resolved": True})
    office.do(b(2026, 3, 20, 10, 0), "agent", o["committed"], "callback", {"satisfaction": "satisfied", "resolved": True})

    # A street (sub-unit of the Dongcheng district) replies after the severe threshold.
    o["street"] = office.create(b(2026, 3, 2, 15, 0), category="environment", district="东城区")
    office.do(b(2026, 3, 2, 15, 5), "agent", o["street"], "dispatch", {"department": "dongcheng.xinhe"})
    office.do(b(2026, 3, 3, 9, 0), "dongcheng.xinhe", o["street"], "sign")
    office.do(b(2026, 3, 17, 9, 0), "dongcheng.xinhe", o["street"], "reply", {"text": "已整改", "resolved": True})
    office.do(b(2026, 3, 18, 10, 0), "agent", o["street"], "callback", {"satisfaction": "satisfied", "resolved": True})

    # The last second of March is in March; the first of April is not.
    o["last_second"] = office.create(b(2026, 3, 31, 23, 59, 59), type="consultation", channel="web")
    o["april"] = office.create(b(2026, 4, 1, 0, 0, 0), type="consultation", channel="web")
    office.at(b(2026, 4, 1, 9, 0))
    return o
