"""Timers on the states in which an order waits for the hotline itself (SPEC §4, issue 13).

Intake (待受理) is limited in hours from the order's creation: agents should accept or dispatch
within a shift. Instruction (待批办) is limited in working days from the request, counted like a
department's limit. Each gets a yellow threshold and a due time stored on the order, so its light
is a comparison with now, as for dispatched orders; once past due the scheduler urges the people
the order waits for — the agents' team lead, or the leader — once (`urge_waiting`).
"""
from __future__ import annotations

from datetime import timedelta

from . import deadlines
from .context import Context
from .policies import PolicyRules
from .vocabulary import State

# Who is urged when an order waits too long, by the state it waits in.
URGED = {State.new: "team_lead", State.awaiting_instruction: "leader"}
# What the scheduler says; constant, so that a rerun would say the same.
URGE_MESSAGES = {
    State.new: "工单待受理已超过时限，请坐席班长督促受理。",
    State.awaiting_instruction: "工单待批办已超过时限，请领导尽快批示。",
}


def start_intake_timer(ctx: Context, order, rules: PolicyRules) -> None:
    """The intake limit counts from creation; yellow in its last quarter."""
    limit = timedelta(hours=rules.intake_hours)
    order.wait_due_at = ctx.now + limit
    order.wait_yellow_at = ctx.now + limit * 3 / 4
    order.wait_urged_at = None


def start_instruction_timer(ctx: Context, order, rules: PolicyRules) -> None:
    t = deadlines.thresholds(ctx.now, rules.instruction_days, "working", rules.yellow_days,
                             rules.severe_days, ctx.calendar, ctx.tz)
    order.wait_due_at, order.wait_yellow_at = t.due_at, t.yellow_at
    order.wait_urged_at = None


def urge_inputs(state: str) -> dict:
    return {"message": URGE_MESSAGES[State(state)], "to": URGED[State(state)]}
