"""/api/v1/orders: create, list, read, and one endpoint per lifecycle action."""
from __future__ import annotations

from datetime import datetime

from flask import g, jsonify, request
from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from workorders import actions
from workorders.access import ensure_visible, reveals_personal_data, visible_filter
from workorders.errors import Invalid
from workorders.intake import create_order
from workorders.models import Department, OrderEvent, PersonalDataView, WorkOrder
from workorders.vocabulary import DEADLINE_STATES, Light, OrderType, Role, State

from .. import db
from ..runtime import domain_context
from . import ApiError, bp, json_body
from .serialize import event_json, order_json

PERSONAL_KEYS = {"caller_name", "caller_phone", "address"}
MAX_OFFSET = 1_000_000_000  # beyond any real listing; bigger numbers overflow the databases' integers
LIST_FILTERS = {"state", "type", "department", "light", "limit", "offset"}


def _codes(session) -> dict[int, str]:
    return dict(session.execute(select(Department.id, Department.code)).all())


def _full(session, order: WorkOrder, ctx) -> dict:
    actor = g.actor
    body = order_json(order, actor, ctx.tz, ctx.now, _codes(session))
    personal = reveals_personal_data(actor, order)
    rows = session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.seq)
    )
    body["events"] = []
    for event in rows:
        item = event_json(event, ctx.tz)
        if not personal:
            item["inputs"] = {k: v for k, v in item["inputs"].items() if k not in PERSONAL_KEYS}
        body["events"].append(item)
    body["allowed_actions"] = actions.allowed_actions(session, actor, order, ctx.now)
    return body


def _log_personal_view(session, order: WorkOrder, now: datetime) -> None:
    """SPEC §9: every view of a caller's data by a department user is logged."""
    if g.actor.role == Role.department and reveals_personal_data(g.actor, order):
        if order.caller_name or order.caller_phone or order.address:
            session.add(PersonalDataView(user_id=g.actor.user_id, order_id=order.id, via="api", at=now))


@bp.post("/orders")
def create():
    session = db.session()
    ctx = domain_context(session)
    data = json_body()
    created = create_order(ctx, g.actor, data)
    body = _full(session, created.order, ctx)
    session.commit()
    body["access_code"] = created.access_code
    return jsonify(body), 201


@bp.get("/orders")
def list_orders():
    unknown = sorted(set(request.args) - LIST_FILTERS)
    if unknown:
        raise Invalid(f"unknown filter(s): {', '.join(unknown)}; filters are: {', '.join(sorted(LIST_FILTERS))}")
    session = db.session()
    ctx = domain_context(session)
    query = select(WorkOrder).options(selectinload(WorkOrder.assignments), selectinload(WorkOrder.category))
    where = visible_filter(session, g.actor)
    if where is not None:
        query = query.where(where)
    args = request.args
    if "state" in args:
        states = args["state"].split(",")
        bad = [s for s in states if s not in State.__members__]
        if bad:
            raise Invalid(f"unknown state(s): {', '.join(bad)}")
        query = query.where(WorkOrder.state.in_(states))
    if "type" in args:
        if args["type"] not in OrderType.__members__:
            raise Invalid(f"unknown type '{args['type']}'")
        query = query.where(WorkOrder.type == args["type"])
    if "department" in args:
        dept = session.scalar(select(Department).where(Department.code == args["department"]))
        if dept is None:
            raise Invalid(f"unknown department '{args['department']}'")
        query = query.where(WorkOrder.department_id == dept.id)
    if "light" in args:
        query = query.where(_light_clause(args["light"], ctx.now))
    limit = _int_arg("limit", 100, 1, 1000)
    offset = _int_arg("offset", 0, 0, MAX_OFFSET)
    query = query.order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc()).limit(limit).offset(offset)
    codes = _codes(session)
    orders = [order_json(o, g.actor, ctx.tz, ctx.now, codes, listing=True) for o in session.scalars(query)]
    return jsonify({"orders": orders, "limit": limit, "offset": offset})


def _light_clause(value: str, now: datetime):
    open_ = WorkOrder.state.in_(list(DEADLINE_STATES))
    if value == Light.red:
        return and_(open_, WorkOrder.due_at < now)
    if value == Light.yellow:
        return and_(open_, WorkOrder.yellow_at <= now, WorkOrder.due_at >= now)
    if value == Light.green:
        return and_(open_, WorkOrder.yellow_at > now)
    if value == Light.none:
        return ~open_
    raise Invalid(f"unknown light '{value}'; lights are: none, green, yellow, red")


def _int_arg(name: str, default: int, low: int, high: int | None) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < low or (high is not None and int(raw) > high):
        raise Invalid(f"'{name}' must be a whole number from {low}" + (f" to {high}" if high else ""))
    return int(raw)


@bp.get("/orders/<number>")
def get(number: str):
    session = db.session()
    ctx = domain_context(session)
    order = actions.get_order(session, number)
    ensure_visible(session, g.actor, order)
    body = _full(session, order, ctx)
    _log_personal_view(session, order, ctx.now)
    session.commit()
    return jsonify(body)


@bp.post("/orders/<number>/<action>")
def act(number: str, action: str):
    if action not in actions.HANDLERS:
        raise ApiError(404, f"unknown action '{action}'")
    session = db.session()
    ctx = domain_context(session)
    data = json_body()
    order = actions.get_order(session, number)
    actions.perform(ctx, g.actor, order, action, data)
    session.flush()
    body = _full(session, order, ctx)
    session.commit()
    return jsonify(body)
