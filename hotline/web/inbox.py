"""The department inbox: to sign, in progress, due soon, overdue, and what we returned.

A department sees its own orders and its sub-units' (SPEC §1); lists carry no personal data, the
order page shows it (masked where SPEC §9 says) and logs each view.
"""
from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import lazy_gettext
from flask_login import current_user
from sqlalchemy import and_, func, or_, select

from workorders import actions
from workorders.access import department_scope
from workorders.models import OrderAssignment, OrderEvent, WorkOrder
from workorders.reads import unread_actions
from workorders.vocabulary import DEADLINE_STATES, State

from .. import db
from ..runtime import clock
from .present import order_light
from .security import browser_blueprint, roles_required

bp = browser_blueprint("inbox", __name__, url_prefix="/inbox")

TABS = {
    "to_sign": lazy_gettext("To sign"),
    "in_progress": lazy_gettext("In progress"),
    "yellow": lazy_gettext("Due soon"),
    "red": lazy_gettext("Overdue"),
    "returned": lazy_gettext("Returned by us"),
}
LIST_SIZE = 200


def _tab_filters(scope: set[int], now) -> dict:
    ours = or_(WorkOrder.department_id.in_(scope),
               WorkOrder.id.in_(select(OrderAssignment.order_id).where(OrderAssignment.department_id.in_(scope))))
    held = and_(ours, WorkOrder.state.in_(list(DEADLINE_STATES)))
    returned_by_us = WorkOrder.id.in_(
        select(OrderEvent.order_id).where(OrderEvent.action == "return", OrderEvent.actor_department_id.in_(scope))
    )
    return {
        "to_sign": and_(WorkOrder.department_id.in_(scope), WorkOrder.state == State.dispatched),
        "in_progress": and_(ours, WorkOrder.state.in_([State.in_progress, State.committed])),
        "yellow": and_(held, WorkOrder.yellow_at <= now, WorkOrder.due_at >= now),
        "red": and_(held, WorkOrder.due_at < now),
        "returned": returned_by_us,
    }


@bp.get("")
@roles_required("department")
def index():
    tab = request.args.get("tab", "to_sign")
    if tab not in TABS:
        abort(404)
    session = db.session()
    now = clock().now()
    scope = department_scope(session, current_user.user.department_id)
    filters = _tab_filters(scope, now)
    counts = {name: session.scalar(select(func.count(WorkOrder.id)).where(where)) or 0
              for name, where in filters.items()}
    order_by = (WorkOrder.updated_at.desc(),) if tab == "returned" else (WorkOrder.due_at, WorkOrder.id)
    rows = list(session.scalars(select(WorkOrder).where(filters[tab]).order_by(*order_by).limit(LIST_SIZE)))
    marks = unread_actions(session, [o.id for o in rows], current_user.user.department_id)
    # A row's buttons are what the order page would offer this clerk: never a sign the street must
    # give, never a 退件 link once the window closed (SPEC §3 via the transition table).
    offered = ({o.id: set(actions.allowed_actions(session, current_user.actor, o, now)) for o in rows}
               if tab == "to_sign" else {})
    return render_template("inbox/index.html", tab=tab, tabs=TABS, counts=counts, orders=rows,
                           lights={o.id: order_light(o, now) for o in rows}, now=now, marks=marks,
                           offered=offered)
