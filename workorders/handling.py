"""Department handling in depth (issue 14): forwarding down the tree, reassignment across it,
and the hotline's check of a reply (办结审核).

**Forward (下派).** The department holding an order passes it to one of its direct sub-units (a
district to its street). The order keeps its deadline and its dispatch: the department the
hotline dispatched to stays on the order as its lead assignment (`accountable_id`), keeps
seeing it and is the one the statistics judge; `department_id` names the unit now holding it.
The sub-unit signs, replies, or returns it — to the unit above it, not to the hotline. A unit
above the holder, up to the accountable one, may take it back (`take_back`, 收回).

**Reassign (改派).** A supervisor moves a dispatched or in-progress order to another department;
the active policy says whether the new department's limit counts again from now.

**Reply review.** With the policy's `reply_review` on, a reply waits in `reply_review` until a
supervisor approves it (then the callback starts) or sends it back to the department (退回重办),
which replies again within the same deadline.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import deadlines
from .actions import _category_chain, _find_department, _open_callback, _rules, _set_thresholds, action
from .context import Actor
from .errors import Forbidden, Invalid
from .models import Department, WorkOrder
from .policy_store import active_rules
from .vocabulary import State


def accountable_id(order: WorkOrder) -> int | None:
    """The department the hotline dispatched the order to (the lead), wherever it was forwarded."""
    for assignment in order.assignments:
        if assignment.role == "lead":
            return assignment.department_id
    return order.department_id


def is_forwarded(order: WorkOrder) -> bool:
    return order.department_id is not None and order.department_id != accountable_id(order)


def _parents(session: Session) -> dict[int, int | None]:
    return dict(session.execute(select(Department.id, Department.parent_id)).all())


def forwarding_chain(session: Session, order: WorkOrder) -> list[int]:
    """The units above the holder, nearest first, up to and including the accountable one."""
    if not is_forwarded(order):
        return []
    parents, top = _parents(session), accountable_id(order)
    chain, current = [], parents.get(order.department_id)
    while current is not None:
        chain.append(current)
        if current == top:
            return chain
        current = parents.get(current)
    return []  # not below the accountable unit any more (a tree edited meanwhile): nobody above


def check_take_back(session: Session, actor: Actor, order: WorkOrder) -> None:
    if actor.department_id not in forwarding_chain(session, order):
        raise Forbidden("take_back: only a department above the one holding order %(number)s may take it back",
                        number=order.number)


def has_sub_units(session: Session, department_id: int | None) -> bool:
    return department_id is not None and session.scalar(
        select(Department.id).where(Department.parent_id == department_id, Department.active.is_(True)).limit(1)
    ) is not None


@action("forward", {"department", "note"})
def forward(ctx, actor, order, inputs):
    unit = _find_department(ctx.session, inputs.short("department", required=True))
    inputs.text("note", required=False)
    if unit.parent_id != order.department_id:
        raise Forbidden("%(code)s is not a sub-unit of the department holding order %(number)s; "
                        "an order is forwarded only down to one's own sub-units", code=unit.code,
                        number=order.number)
    if unit.id in order.co_department_ids:
        raise Invalid("%(code)s is already a co-department of order %(number)s", code=unit.code,
                      number=order.number)
    order.department_id = unit.id
    order.state = State.dispatched


@action("take_back", {"note"})
def take_back(ctx, actor, order, inputs):
    inputs.text("note", required=False)
    order.department_id = actor.department_id
    order.state = State.in_progress


def return_to_parent(ctx, order: WorkOrder) -> None:
    """A forwarded order returned by its sub-unit goes back up one level, still in progress."""
    chain = forwarding_chain(ctx.session, order)
    order.department_id = chain[0] if chain else accountable_id(order)
    order.state = State.in_progress


@action("reassign", {"department", "reason"})
def reassign(ctx, actor, order, inputs):
    new = _find_department(ctx.session, inputs.short("department", required=True))
    inputs.text("reason")
    if new.id == accountable_id(order):
        raise Invalid("order %(number)s is already with %(code)s", number=order.number, code=new.code)
    if new.id in order.co_department_ids:
        raise Invalid("%(code)s is already a co-department of order %(number)s", code=new.code,
                      number=order.number)
    for assignment in order.assignments:
        if assignment.role == "lead":
            assignment.department_id = new.id
    order.department_id = new.id
    rules = active_rules(ctx.session)
    if rules.reassign_restarts_deadline:
        limit = rules.limit_for(order.type, _category_chain(order), order.handling)
        _set_thresholds(order, deadlines.thresholds(
            ctx.now, limit.days, limit.unit, rules.yellow_days, rules.severe_days, ctx.calendar, ctx.tz
        ))
        order.rules = rules.to_json()
        order.limit_days, order.limit_unit = limit.days, limit.unit
        order.dispatched_at = ctx.now
        order.extension_days = 0
        order.committed_date = None
        order.urged_at = None
        order.supervised = False
        order.severe_reported_at = None
    order.pending_extension_days = None
    # The new department may return a wrong reassignment within its own window, from now.
    window = deadlines.return_window_end(ctx.now, _rules(order).return_window_days, ctx.calendar, ctx.tz)
    order.return_deadline_at = window.at
    order.provisional = order.provisional or window.provisional
    order.state = State.dispatched


def reply_state(order: WorkOrder) -> State:
    return State.reply_review if _rules(order).reply_review else State.replied


@action("approve_reply", {"note"})
def approve_reply(ctx, actor, order, inputs):
    inputs.text("note", required=False)
    order.state = State.replied
    _open_callback(ctx, order, _rules(order))  # the callback starts only now


@action("send_back", {"reason"})
def send_back(ctx, actor, order, inputs):
    inputs.text("reason")
    order.reply_text = None
    order.replied_at = None
    order.resolved = None
    order.state = State.in_progress  # the deadline stays the order's
