"""The hotline office's boards: returned, awaiting instruction, extensions, overdue, review.

The supervision board counts open orders by light and department in one grouped query over the
stored thresholds (SPEC §4), so it costs the same however the lights change.
"""
from __future__ import annotations

from flask import abort, render_template
from flask_babel import lazy_gettext
from flask_login import current_user
from sqlalchemy import and_, case, func, or_, select

from workorders import lifecycle
from workorders.models import Department, WorkOrder
from workorders.vocabulary import DEADLINE_STATES, State

from .. import db
from ..runtime import clock
from ..worklists.filters import light_condition
from .present import order_light
from .security import browser_blueprint, roles_required

bp = browser_blueprint("supervisor", __name__, url_prefix="/supervisor")

BOARD_ROLES = ("supervisor", "leader")
QUEUES = {
    "returned": lazy_gettext("Returned orders"),
    "instruction": lazy_gettext("Awaiting instruction"),
    "extensions": lazy_gettext("Extension requests"),
    "overdue": lazy_gettext("Overdue"),
    "supervised": lazy_gettext("Under supervision"),
    "review": lazy_gettext("Under review"),
    "reply_review": lazy_gettext("Reply under review"),
}
LIST_SIZE = 200


def _queue_filters(now) -> dict:
    held = WorkOrder.state.in_(list(DEADLINE_STATES))
    return {
        "returned": WorkOrder.state == State.returned,
        "instruction": WorkOrder.state == State.awaiting_instruction,
        "extensions": and_(held, WorkOrder.pending_extension_days.is_not(None)),
        "overdue": and_(held, WorkOrder.due_at < now),
        "supervised": and_(held, WorkOrder.supervised.is_(True)),
        "review": WorkOrder.state == State.under_review,
        "reply_review": WorkOrder.state == State.reply_review,
    }


def _counts(session, filters: dict) -> dict[str, int]:
    return {name: session.scalar(select(func.count(WorkOrder.id)).where(where)) or 0
            for name, where in filters.items()}


def light_board(session, now) -> list[dict]:
    """Per department: how many open orders are green, yellow, red, severely overdue, supervised."""
    def count(condition):
        return func.sum(case((condition, 1), else_=0))

    severe = and_(WorkOrder.severe_at.is_not(None), WorkOrder.severe_at < now)
    rows = session.execute(
        select(
            WorkOrder.department_id,
            count(WorkOrder.yellow_at > now),
            count(and_(WorkOrder.yellow_at <= now, WorkOrder.due_at >= now)),
            count(and_(WorkOrder.due_at < now, or_(WorkOrder.severe_at.is_(None), WorkOrder.severe_at >= now))),
            count(severe),
            count(WorkOrder.supervised.is_(True)),
            func.count(WorkOrder.id),
        )
        .where(WorkOrder.state.in_(list(DEADLINE_STATES)), WorkOrder.department_id.is_not(None))
        .group_by(WorkOrder.department_id)
    ).all()
    names = dict(session.execute(select(Department.id, Department.name)).all())
    codes = dict(session.execute(select(Department.id, Department.code)).all())
    board = [
        {"department": names.get(dept_id, "?"), "code": codes.get(dept_id, ""), "green": g or 0,
         "yellow": y or 0, "red": r or 0, "severe": s or 0, "supervised": sup or 0, "total": total}
        for dept_id, g, y, r, s, sup, total in rows
    ]
    return sorted(board, key=lambda row: (-row["severe"], -row["red"], -row["yellow"], row["code"]))


def waiting_board(session, now) -> list[dict]:
    """Orders waiting for the hotline itself, by light: intake (待受理) and instruction (待批办)."""
    out = []
    for state in (State.new, State.awaiting_instruction):
        counts = {name: session.scalar(select(func.count(WorkOrder.id)).where(
            WorkOrder.state == state, light_condition(name, now))) or 0 for name in ("green", "yellow", "red")}
        total = session.scalar(select(func.count(WorkOrder.id)).where(WorkOrder.state == state)) or 0
        out.append({"state": state, **counts, "total": total})
    return out


def _can(order: WorkOrder, action: str) -> bool:
    return lifecycle.is_allowed(action, current_user.role, order.state)


@bp.get("")
@roles_required(*BOARD_ROLES)
def index():
    session = db.session()
    now = clock().now()
    filters = _queue_filters(now)
    return render_template("supervisor/index.html", name=None, queues=QUEUES, counts=_counts(session, filters),
                           board=light_board(session, now), waiting=waiting_board(session, now))


@bp.get("/<name>")
@roles_required(*BOARD_ROLES)
def queue(name: str):
    if name not in QUEUES:
        abort(404)
    session = db.session()
    now = clock().now()
    filters = _queue_filters(now)
    order_by = {
        "overdue": (WorkOrder.due_at,),
        "supervised": (WorkOrder.due_at,),
        "extensions": (WorkOrder.due_at,),
    }.get(name, (WorkOrder.updated_at,))
    rows = list(session.scalars(select(WorkOrder).where(filters[name]).order_by(*order_by, WorkOrder.id).limit(LIST_SIZE)))
    return render_template("supervisor/queue.html", name=name, queues=QUEUES, counts=_counts(session, filters),
                           orders=rows, lights={o.id: order_light(o, now) for o in rows},
                           dept_names=dict(session.execute(select(Department.id, Department.name)).all()),
                           can=_can)
