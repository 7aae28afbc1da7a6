"""A hand-built March 2026 for the assessment: three departments whose scores the tests compute by hand.

Karamay policy (complaints: 5 working days). Every order is a complaint dispatched on Monday
2 March, due Monday 9 March 23:59:59, severely overdue after Monday 16 March; the month is judged
as of 1 April 09:00.

housing  5 dispatches: 3 replied on time, 1 replied late (10 March), 1 returned the same day.
         reply 4/5 = 0.8, on time 3/4 = 0.75, overdue 1/5 = 0.2, returns 20 per 100, severe 0;
         callbacks 4: satisfied+resolved ×2, basically satisfied, dissatisfied →
         satisfaction 3/4 = 0.75, resolution 2/4 = 0.5.
urban    2 dispatches: 1 replied on time (satisfied, resolved), 1 never replied (held past due and
         past the severe threshold on 1 April).
         reply 0.5, on time 1.0, overdue 1/2 = 0.5, returns 0, severe 1; satisfaction 1.0, resolution 1.0.
ecology  2 dispatches, both replied on time; callbacks: satisfied+resolved, dissatisfied.
         reply 1.0, on time 1.0, overdue 0, returns 0, severe 0; satisfaction 0.5, resolution 0.5.
"""
from __future__ import annotations

from tests.stats_support import Office, beijing


def assessed_march(office: Office) -> None:
    b = beijing

    def dispatched(department: str, minute: int):
        order = office.create(b(2026, 3, 2, 9, minute))
        office.do(b(2026, 3, 2, 9, minute + 1), "agent", order, "dispatch", {"department": department})
        return order

    def replied(order, department: str, when, satisfaction: str | None = None, resolved: bool = True):
        office.do(b(2026, 3, 2, 11, 0), department, order, "sign")
        office.do(when, department, order, "reply", {"text": "已处理", "resolved": True})
        if satisfaction:
            body = {"satisfaction": satisfaction, "resolved": resolved}
            office.do(when.replace(hour=17), "agent", order, "callback", body)

    on_time = b(2026, 3, 5, 10, 0)
    late = b(2026, 3, 10, 10, 0)
    h = [dispatched("housing", m) for m in (0, 2, 4, 6, 8)]
    replied(h[0], "housing", on_time, "satisfied", True)
    replied(h[1], "housing", on_time, "satisfied", True)
    replied(h[2], "housing", on_time, "basically_satisfied", False)
    replied(h[3], "housing", late, "dissatisfied", False)
    office.do(b(2026, 3, 2, 10, 0), "housing", h[4], "return", {"reason": "不属于本单位职责"})

    u = [dispatched("urban", m) for m in (10, 12)]
    replied(u[0], "urban", on_time, "satisfied", True)
    office.do(b(2026, 3, 2, 11, 0), "urban", u[1], "sign")

    e = [dispatched("ecology", m) for m in (14, 16)]
    replied(e[0], "ecology", on_time, "satisfied", True)
    replied(e[1], "ecology", b(2026, 3, 6, 10, 0), "dissatisfied", False)
    office.at(b(2026, 4, 1, 9, 0))
