"""Traffic lights (SPEC §4): urge the department on yellow, supervise on red, report severe overdue.

The lights themselves need no job: they are comparisons of now with the thresholds stored on the
order. What the job does is the *events* a light change causes, once per threshold per deadline,
for time-limited, extended and committed deadlines alike (a committed order's `due_at` is its
committed date).

Set-based, so that a sweep costs in proportion to the orders changing: it reads only the orders
whose indexed `next_alarm_at` is due, a few columns each, runs the very handlers `perform` runs
(`workorders.actions.HANDLERS`) on those rows, and writes the order updates and the events in
bulk (`bulk.py`). Every change is recorded as exactly the event `perform` writes — the same
action, actor, states, inputs, `changes`, next `seq` and a version bump per action (each action
as its own flush); tests/integration/test_jobs_lights.py proves it on twin orders.
"""
from __future__ import annotations

import logging
from types import SimpleNamespace

from sqlalchemy import func, select

from .. import actions, lifecycle
from ..alarms import due_lights, next_alarm
from ..context import Actor, Context
from ..events import _to_json
from ..inputs import Inputs
from ..models import WorkOrder
from ..notifications import outbox
from ..vocabulary import DEADLINE_STATES, WAITING_STATES
from ..waiting import urge_inputs
from .bulk import insert_events, update_orders

log = logging.getLogger(__name__)

SCHEDULER = Actor.system("scheduler")
# What the scheduler says when it acts; constant, so a rerun would say the same.
LIGHT_INPUTS = {
    "urge": {"message": "工单即将超期（黄灯），请在办理时限内办结并回复。"},
    "supervise": {"note": "工单已超期（红灯），列入督办。"},
    "report_severe": {"note": "工单严重超期，报督办通报。"},
}

_orders = WorkOrder.__table__
# The only columns the light handlers and the alarm read or write.
_READ = ("id", "version", "last_event_seq", "state", "due_at", "yellow_at", "severe_at",
         "urged_at", "supervised", "severe_reported_at", "next_alarm_at", "wait_due_at", "wait_urged_at")
_BOOKKEEPING = {"id", "version", "last_event_seq"}
_WRITE = ("urged_at", "supervised", "severe_reported_at", "next_alarm_at", "wait_urged_at")


def due_orders_query(now, limit: int):
    """Orders whose alarm is due, oldest alarm first; rows another transaction holds are left
    for the next sweep (PostgreSQL; SQLite's write lock already excludes everyone else)."""
    return (
        select(*(_orders.c[name] for name in _READ))
        .where(_orders.c.next_alarm_at <= now, state_in(DEADLINE_STATES | WAITING_STATES))
        .order_by(_orders.c.next_alarm_at, _orders.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


def state_in(states):
    """`state IN (...)` that leaves the plan to the alarm index. Without statistics SQLite would
    take the `state` index instead (every open order, then a sort); an expression of the column
    cannot use that index. PostgreSQL, with statistics, takes the alarm index either way."""
    return func.coalesce(_orders.c.state, "").in_(sorted(states))


def sweep_lights(ctx: Context, limit: int) -> tuple[int, int]:
    """One batch of at most `limit` due orders, in the caller's transaction.

    Returns (orders selected, orders changed); a batch that selected fewer than `limit` was the
    last one due.
    """
    rows = ctx.session.execute(due_orders_query(ctx.now, limit)).all()
    order_updates, new_events, repaired = [], [], []
    for row in rows:
        order = SimpleNamespace(**row._mapping)
        names = due_lights(order, ctx.now)
        if not names:
            repaired.append({"b_id": order.id, "b_version": order.version, "next_alarm_at": next_alarm(order)})
            continue
        version = order.version
        for name in names:
            new_events.append(_act(ctx, order, name))
        order_updates.append({
            "b_id": order.id, "b_version": version, "version": version + len(names),
            "last_event_seq": order.last_event_seq, "updated_at": ctx.now,
            **{key: getattr(order, key) for key in _WRITE},
        })
    update_orders(ctx.session, order_updates)
    insert_events(ctx.session, new_events)
    outbox.record(ctx.session, new_events, ctx.now)  # the urge and the red supervision notify too
    if repaired:
        # Only an alarm set by something other than `perform` can be due with nothing to do.
        log.warning("corrected the stale alarm of %d order(s): %s", len(repaired),
                    ", ".join(str(r["b_id"]) for r in repaired[:20]))
        update_orders(ctx.session, repaired)
    return len(rows), len(order_updates)


def _act(ctx: Context, order: SimpleNamespace, name: str) -> dict:
    """What `perform` does for one system action, on a row instead of a mapped object."""
    lifecycle.check_role(name, SCHEDULER.role)
    lifecycle.check_state(name, order.state)
    fields, handler = actions.HANDLERS[name]
    said = urge_inputs(order.state) if name == "urge_waiting" else LIGHT_INPUTS[name]
    inputs = Inputs(dict(said), allowed=fields)
    before = dict(vars(order))
    from_state = order.state
    handler(ctx, SCHEDULER, order, inputs)
    if vars(order).keys() != before.keys():
        raise RuntimeError(f"the {name} handler touched columns the set-based sweep does not load: "
                           f"{sorted(vars(order).keys() - before.keys())}")
    order.next_alarm_at = next_alarm(order)
    # `perform` diffs JSON snapshots of every column; only these loaded ones can have changed,
    # and their values (UTC datetimes, booleans) differ exactly when their JSON does.
    changes = {k: _to_json(v) for k, v in vars(order).items() if k not in _BOOKKEEPING and before[k] != v}
    order.last_event_seq += 1
    return {
        "order_id": order.id, "seq": order.last_event_seq, "action": name,
        "actor_id": SCHEDULER.user_id, "actor_name": SCHEDULER.name, "actor_role": SCHEDULER.role,
        "actor_department_id": SCHEDULER.department_id,
        "from_state": from_state, "to_state": order.state,
        "inputs": {k: v for k, v in inputs.data.items() if k in fields},
        "changes": changes,
        "at": ctx.now,
    }
