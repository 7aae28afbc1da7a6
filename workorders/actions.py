"""Every lifecycle action after create: one function each, run through `perform`.

`perform` checks the transition table (role, state), the order-specific guards (department,
windows), runs the action, and appends the event with what changed. It never commits: the entry
point owns the transaction, so a refusal leaves nothing written.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import deadlines, events, lifecycle
from .access import ensure_visible
from .alarms import call_time, next_alarm, retry_time
from .context import Actor, Context
from .errors import Conflict, Forbidden, Invalid, NotFound
from .inputs import Inputs
from .intake import CREATE_FIELDS, read_order_fields
from .models import Department, OrderAssignment, WorkOrder
from .notifications import outbox
from .policies import PolicyRules
from .policy_store import active_rules
from .vocabulary import (
    INVALID_REASONS,
    TERMINAL_STATES,
    Handling,
    Role,
    Satisfaction,
    State,
)
from .waiting import URGED, start_instruction_timer

Handler = Callable[[Context, Actor, WorkOrder, Inputs], None]
HANDLERS: dict[str, tuple[set[str], Handler]] = {}


def action(name: str, fields: set[str]):
    def register(fn: Handler) -> Handler:
        HANDLERS[name] = (fields, fn)
        return fn

    return register


def get_order(session: Session, number: str) -> WorkOrder:
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    if order is None:
        raise NotFound("no order numbered '%(number)s'", number=number)
    return order


def perform(ctx: Context, actor: Actor, order: WorkOrder, name: str, data: Any) -> WorkOrder:
    if name not in HANDLERS:
        raise NotFound("unknown action '%(name)s'; actions are: %(actions)s", name=name, actions=list(lifecycle.ACTIONS))
    fields, handler = HANDLERS[name]
    inputs = Inputs(data, allowed=fields)
    ensure_visible(ctx.session, actor, order)
    lifecycle.check_role(name, actor.role)
    _department_guard(ctx.session, actor, order, name)
    expected = data.get("version") if isinstance(data, dict) else None
    if expected is not None and expected != order.version:
        raise Conflict(
            "order %(number)s changed since you loaded it (version %(expected)s, now %(version)s); "
            "reload and try again", number=order.number, expected=expected, version=order.version,
        )
    lifecycle.check_state(name, order.state)
    _order_guard(order, name, ctx.now, ctx.tz)
    before = events.snapshot(order)
    from_state = order.state
    handler(ctx, actor, order, inputs)
    order.updated_at = ctx.now
    order.next_alarm_at = next_alarm(order)
    recorded = {k: v for k, v in inputs.data.items() if k in fields}
    event = events.append(
        ctx.session, order, actor, name, from_state, recorded,
        events.diff(before, events.snapshot(order)), ctx.now,
    )
    outbox.record(ctx.session, [event], ctx.now)  # sent after the commit by the notifications job
    _close_if_no_callback(ctx, order)
    return order


def allowed_actions(session: Session, actor: Actor, order: WorkOrder, now) -> list[str]:
    """The actions this actor could take on this order now (for the UI's buttons)."""
    out = []
    for name in lifecycle.ACTIONS:
        if not lifecycle.is_allowed(name, actor.role, order.state):
            continue
        try:
            _department_guard(session, actor, order, name)
            _order_guard(order, name, now)
        except (Forbidden, Conflict):
            continue
        if name == "forward" and not handling.has_sub_units(session, order.department_id):
            continue
        out.append(name)
    return out


# --- guards -----------------------------------------------------------------------------------

LEAD_ACTIONS = {"sign", "return", "interim_reply", "request_extension", "reply", "forward"}


def _department_guard(session: Session, actor: Actor, order: WorkOrder, name: str) -> None:
    if actor.role != Role.department:
        return
    if name in LEAD_ACTIONS and actor.department_id != order.department_id:
        raise Forbidden("only the lead department of order %(number)s may %(action)s", number=order.number,
                        action=name)
    if name == "opinion" and actor.department_id not in order.co_department_ids:
        raise Forbidden("only a co-department of joint order %(number)s gives an opinion", number=order.number)
    if name == "take_back":
        handling.check_take_back(session, actor, order)


def _order_guard(order: WorkOrder, name: str, now: datetime, tz: tzinfo = UTC) -> None:
    """What the order itself rules out now, beyond its state: a closed return window, an
    extension asked twice or after the due time, a decision with no request to decide. `perform`
    refuses with it and `allowed_actions` leaves the button out, so a page never offers what a
    click on it would refuse."""
    if name == "return" and not handling.is_forwarded(order):
        if order.return_deadline_at is not None and now > order.return_deadline_at:
            raise Conflict(
                "the return window of order %(number)s closed at %(closed_at)s; reply or ask for an extension "
                "instead", number=order.number, closed_at=order.return_deadline_at.astimezone(tz),
            )
    elif name == "request_extension":
        if order.pending_extension_days:
            raise Conflict("order %(number)s already has an extension request waiting for a decision",
                           number=order.number)
        if order.due_at is not None and now > order.due_at:
            raise Conflict("order %(number)s is past its due time; an extension must be asked before it",
                           number=order.number)
    elif name == "decide_extension" and not order.pending_extension_days:
        raise Conflict("order %(number)s has no extension request to decide", number=order.number)


def _rules(order: WorkOrder) -> PolicyRules:
    return PolicyRules.from_json(order.rules)


def _find_department(session: Session, code: str) -> Department:
    dept = session.scalar(select(Department).where(Department.code == code))
    if dept is None or not dept.active:
        raise Invalid("unknown department '%(code)s'", code=code)
    return dept


# --- intake desk ------------------------------------------------------------------------------

@action("classify", CREATE_FIELDS - {"channel"})
def classify(ctx, actor, order, inputs):
    fields = read_order_fields(ctx.session, inputs, creating=False)
    if not fields:
        raise Invalid("nothing to change: give at least one field")
    for key, value in fields.items():
        setattr(order, key, value)


@action("mark_invalid", {"reason_code", "note"})
def mark_invalid(ctx, actor, order, inputs):
    order.invalid_reason = inputs.choice("reason_code", list(INVALID_REASONS))
    inputs.text("note")
    order.state = State.invalid
    order.closed_at = ctx.now


@action("merge", {"into"})
def merge(ctx, actor, order, inputs):
    number = inputs.short("into", required=True)
    target = ctx.session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    if target is None:
        raise Invalid("'into': no order numbered '%(number)s'", number=number)
    if target.id == order.id:
        raise Invalid("'into': an order cannot duplicate itself")
    if target.state in TERMINAL_STATES:
        raise Invalid("'into': order %(number)s is %(state)s; merge only into an open order", number=number,
                      state=target.state)
    order.merged_into_id = target.id
    order.state = State.merged
    order.closed_at = ctx.now


@action("answer", {"text", "article_id"})
def answer(ctx, actor, order, inputs):
    order.answer_text = inputs.text("text")
    order.article_id = inputs.integer("article_id", required=False, low=1)
    if order.article_id is not None:
        if ctx.record_article_use is None:
            raise RuntimeError("this entry point has no knowledge base: pass Context.record_article_use")
        # The article must be published and in force; its use is counted.
        ctx.record_article_use(ctx.session, order.article_id, order_id=order.id, user_id=actor.user_id,
                               now=ctx.now, today=deadlines.local_date(ctx.now, ctx.tz))
    order.state = State.answered
    _open_callback(ctx, order, active_rules(ctx.session))


@action("request_instruction", {"note"})
def request_instruction(ctx, actor, order, inputs):
    inputs.text("note")
    order.state = State.awaiting_instruction
    start_instruction_timer(ctx, order, active_rules(ctx.session))


# --- dispatch ---------------------------------------------------------------------------------

DISPATCH_FIELDS = {"department", "handling", "co_departments", "note"}


def _dispatch(ctx: Context, order: WorkOrder, inputs: Inputs) -> None:
    lead = _find_department(ctx.session, inputs.short("department", required=True))
    handling = inputs.choice("handling", list(Handling), required=False, default=Handling.time_limited)
    co_codes = inputs.string_list("co_departments")
    if handling == Handling.joint and not co_codes:
        raise Invalid("a joint order needs 'co_departments' besides the lead 'department'")
    if co_codes and handling != Handling.joint:
        raise Invalid("'co_departments' is only for handling 'joint'")
    co = [_find_department(ctx.session, code) for code in dict.fromkeys(co_codes)]
    if any(d.id == lead.id for d in co):
        raise Invalid("the lead department cannot also be a co-department")
    inputs.text("note", required=False)

    rules = active_rules(ctx.session)
    category_codes = _category_chain(order)
    limit = rules.limit_for(order.type, category_codes, handling)
    t = deadlines.thresholds(
        ctx.now, limit.days, limit.unit, rules.yellow_days, rules.severe_days, ctx.calendar, ctx.tz
    )
    window = deadlines.return_window_end(ctx.now, rules.return_window_days, ctx.calendar, ctx.tz)

    order.assignments.clear()
    ctx.session.flush()
    order.assignments.append(OrderAssignment(department_id=lead.id, role="lead"))
    for dept in co:
        order.assignments.append(OrderAssignment(department_id=dept.id, role="co"))
    order.department_id = lead.id
    order.handling = handling
    order.dispatched_at = ctx.now
    order.rules = rules.to_json()
    order.limit_days, order.limit_unit = limit.days, limit.unit
    order.extension_days = 0
    order.pending_extension_days = None
    order.committed_date = None
    _set_thresholds(order, t)
    order.return_deadline_at = window.at
    order.provisional = t.provisional or window.provisional
    order.urged_at = None
    order.supervised = False
    order.severe_reported_at = None
    order.reply_text = None
    order.replied_at = None
    order.resolved = None
    order.satisfaction = None
    order.callback_due_at = None
    order.callback_attempts = 0
    order.state = State.dispatched


def _category_chain(order: WorkOrder) -> list[str]:
    codes, category = [], order.category
    while category is not None:
        codes.append(category.code)
        category = category.parent
    return codes


def _set_thresholds(order: WorkOrder, t: deadlines.Thresholds) -> None:
    order.due_at, order.yellow_at, order.severe_at = t.due_at, t.yellow_at, t.severe_at
    order.provisional = t.provisional


@action("dispatch", DISPATCH_FIELDS)
def dispatch(ctx, actor, order, inputs):
    _dispatch(ctx, order, inputs)


@action("instruct", DISPATCH_FIELDS | {"text"})
def instruct(ctx, actor, order, inputs):
    inputs.text("text")
    _dispatch(ctx, order, inputs)


# --- the department ---------------------------------------------------------------------------

@action("sign", set())
def sign(ctx, actor, order, inputs):
    order.state = State.in_progress


@action("return", {"reason"})
def return_(ctx, actor, order, inputs):
    inputs.text("reason")
    if handling.is_forwarded(order):
        handling.return_to_parent(ctx, order)
        return
    order.state = State.returned
    order.due_at = order.yellow_at = order.severe_at = order.return_deadline_at = None
    order.provisional = False


@action("interim_reply", {"text", "committed_date"})
def interim_reply(ctx, actor, order, inputs):
    inputs.text("text")
    committed = inputs.day("committed_date")
    today = deadlines.local_date(ctx.now, ctx.tz)
    if committed < today:
        raise Invalid("'committed_date' is in the past")
    rules = _rules(order)
    cap_day = ctx.calendar.nth_workday_after(
        deadlines.local_date(order.dispatched_at, ctx.tz), rules.cap_for(order.type)
    )
    if committed > cap_day:
        raise Invalid(
            "'committed_date' is beyond the policy's cap of %(cap)s working days (%(day)s)",
            cap=rules.cap_for(order.type), day=cap_day,
        )
    order.committed_date = committed
    _set_thresholds(order, deadlines.thresholds_for_day(
        committed, rules.yellow_days, "working", rules.severe_days, ctx.calendar, ctx.tz
    ))
    order.urged_at = None
    order.supervised = False
    order.severe_reported_at = None
    order.state = State.committed


@action("opinion", {"text"})
def opinion(ctx, actor, order, inputs):
    text = inputs.text("text")
    for assignment in order.assignments:
        if assignment.department_id == actor.department_id:
            assignment.opinion, assignment.opinion_at = text, ctx.now


@action("request_extension", {"reason", "working_days"})
def request_extension(ctx, actor, order, inputs):
    inputs.text("reason")
    days = inputs.integer("working_days", low=1, high=60)
    rules = _rules(order)
    cap = rules.cap_for(order.type)
    if order.limit_days + order.extension_days + days > cap:
        room = cap - order.limit_days - order.extension_days
        raise Invalid(
            "an extension of %(days)s working days exceeds the policy's cap of %(cap)s (at most %(room)s more)",
            days=days, cap=cap, room=max(room, 0),
        )
    order.pending_extension_days = days


@action("decide_extension", {"approve", "note"})
def decide_extension(ctx, actor, order, inputs):
    approve = inputs.boolean("approve", required=True)
    inputs.text("note", required=False)
    days = order.pending_extension_days
    order.pending_extension_days = None
    if approve:
        rules = _rules(order)
        due_day = deadlines.local_date(order.due_at, ctx.tz)
        moved = deadlines.extend(due_day, days, ctx.calendar, ctx.tz)
        _set_thresholds(order, deadlines.thresholds_for_day(
            moved.day, rules.yellow_days, "working", rules.severe_days, ctx.calendar, ctx.tz
        ))
        order.extension_days += days
        order.urged_at = None
        order.supervised = False
        order.severe_reported_at = None


@action("reply", {"text", "resolved"})
def reply(ctx, actor, order, inputs):
    order.reply_text = inputs.text("text")
    order.resolved = inputs.boolean("resolved", required=True)
    order.replied_at = ctx.now
    order.state = handling.reply_state(order)
    if order.state == State.replied:
        _open_callback(ctx, order, _rules(order))


# --- supervision ------------------------------------------------------------------------------

@action("urge", {"message"})
def urge(ctx, actor, order, inputs):
    inputs.text("message")
    order.urged_at = ctx.now


@action("supervise", {"note"})
def supervise(ctx, actor, order, inputs):
    inputs.text("note")
    order.supervised = True


# --- closing ----------------------------------------------------------------------------------

def _open_callback(ctx: Context, order: WorkOrder, rules: PolicyRules) -> None:
    order.callback_attempts = 0
    if rules.needs_callback(order.type):
        order.callback_due_at = deadlines.due(
            ctx.now, rules.callback_window_days, "working", ctx.calendar, ctx.tz
        ).at
        order.callback_call_at = call_time(ctx.now, ctx.calendar, ctx.tz)
    else:
        order.callback_due_at = None
        order.callback_call_at = None


def _close_if_no_callback(ctx: Context, order: WorkOrder) -> None:
    """Types the policy does not call back are archived as soon as they are answered."""
    if order.state in (State.answered, State.replied) and order.callback_due_at is None:
        perform(ctx, Actor.system("policy"), order, "archive",
                {"reason": "no satisfaction callback required for this type"})


@action("callback", {"satisfaction", "resolved", "note"})
def callback(ctx, actor, order, inputs):
    satisfaction = inputs.choice("satisfaction", list(Satisfaction))
    inputs.text("note", required=False)
    if satisfaction == Satisfaction.unreachable:
        rules = _rules(order) if order.rules else active_rules(ctx.session)
        order.callback_attempts += 1
        if order.callback_attempts >= rules.callback_attempts:
            order.satisfaction = Satisfaction.unreachable
            order.state = State.archived
            order.closed_at = ctx.now
        else:
            # The next attempt gets a window of its own and its call on another day.
            order.callback_due_at = deadlines.due(
                ctx.now, rules.callback_window_days, "working", ctx.calendar, ctx.tz
            ).at
            order.callback_call_at = retry_time(ctx.now, ctx.calendar, ctx.tz)
        return
    order.resolved = inputs.boolean("resolved", required=True)
    order.satisfaction = satisfaction
    order.callback_attempts += 1
    if satisfaction == Satisfaction.dissatisfied:
        order.state = State.under_review
    else:
        order.state = State.archived
        order.closed_at = ctx.now


@action("review", DISPATCH_FIELDS | {"decision", "reason"})
def review(ctx, actor, order, inputs):
    decision = inputs.choice("decision", ["redispatch", "archive"])
    inputs.text("reason")
    if decision == "redispatch":
        _dispatch(ctx, order, inputs)
    else:
        order.state = State.archived
        order.closed_at = ctx.now


@action("archive", {"reason"})
def archive(ctx, actor, order, inputs):
    inputs.text("reason")
    order.state = State.archived
    order.closed_at = ctx.now
    order.callback_due_at = None
    order.callback_call_at = None


# --- the scheduler (system only) ------------------------------------------------------------

@action("report_severe", {"note"})
def report_severe(ctx, actor, order, inputs):
    """Severely overdue: reported to the supervision board (the light itself is a comparison)."""
    inputs.text("note")
    order.severe_reported_at = ctx.now


def recounted_deadline(order: WorkOrder, cal, tz) -> tuple[deadlines.Thresholds, deadlines.Deadline]:
    """The order's thresholds and return window counted again on the calendar `cal`.

    A time-limited or joint order counts its limit from dispatch, then its approved extensions;
    a committed order keeps the date the department committed to (and any extension of it) and
    recounts the yellow and severe days around it.
    """
    rules = _rules(order)
    if order.committed_date is not None:
        due_day = deadlines.local_date(order.due_at, tz)
        t = deadlines.thresholds_for_day(due_day, rules.yellow_days, "working", rules.severe_days, cal, tz)
    else:
        t = deadlines.thresholds(order.dispatched_at, order.limit_days, order.limit_unit,
                                 rules.yellow_days, rules.severe_days, cal, tz)
        if order.extension_days:
            moved = deadlines.extend(t.due_day, order.extension_days, cal, tz)
            extended = deadlines.thresholds_for_day(
                moved.day, rules.yellow_days, "working", rules.severe_days, cal, tz
            )
            t = replace(extended, provisional=extended.provisional or t.provisional or moved.provisional)
    window = deadlines.return_window_end(order.dispatched_at, rules.return_window_days, cal, tz)
    return t, window


@action("recompute_deadline", {"reason"})
def recompute_deadline(ctx, actor, order, inputs):
    """A provisional deadline counted again once the calendar covers its days."""
    inputs.text("reason")
    t, window = recounted_deadline(order, ctx.calendar, ctx.tz)
    _set_thresholds(order, t)
    order.return_deadline_at = window.at
    order.provisional = t.provisional or window.provisional


@action("place_callback", {"channel", "attempt"})
def place_callback(ctx, actor, order, inputs):
    """The automatic survey call (or SMS) for this attempt goes out after the commit."""
    inputs.choice("channel", ["call", "sms"])
    inputs.integer("attempt", low=1)
    order.callback_call_at = None


# --- issue 13: waiting-state urges, notes, repeat calls, repeat requests -------------------------

@action("urge_waiting", {"message", "to"})
def urge_waiting(ctx, actor, order, inputs):
    """An order left past its intake or instruction limit: its people are urged, once."""
    inputs.text("message")
    inputs.choice("to", sorted(set(URGED.values())))
    order.wait_urged_at = ctx.now


@action("note", {"text"})
def note(ctx, actor, order, inputs):
    inputs.text("text")


@action("called_again", {"text", "call_sid"})
def called_again(ctx, actor, order, inputs):
    """催单: the citizen called again about this open order; the call is linked when there is one."""
    inputs.text("text", required=False)
    # The web shell checks that the call exists (the call records are the telephony adapter's).
    inputs.short("call_sid", required=False)


@action("link_original", {"original", "note"})
def link_original(ctx, actor, order, inputs):
    """重复诉求: this order repeats an archived one; both histories show the link."""
    number = inputs.short("original", required=True)
    inputs.text("note", required=False)
    original = ctx.session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    if original is None:
        raise Invalid("'original': no order numbered '%(number)s'", number=number)
    if original.id == order.id:
        raise Invalid("'original': an order cannot repeat itself")
    if original.state != State.archived:
        raise Invalid("'original': order %(number)s is not archived; link a repeat only to an archived order",
                      number=number)
    order.repeat_of_id = original.id
    # The original's own event (its version moves with it, so a concurrent change is detected).
    events.append(ctx.session, original, actor, "repeat_linked", original.state, {"repeat": order.number}, {},
                  ctx.now)


@action("repeat_linked", {"repeat"})
def repeat_linked(ctx, actor, order, inputs):
    """The archived original's side of `link_original` (written there, in the same transaction)."""
    inputs.short("repeat", required=True)
# Forward, take back, reassign, reply review: more handlers, registered on import.
from . import handling  # noqa: E402
