"""The agent desk: calls as they ring, the order form with live KB suggestions, the queues.

Create-and-dispatch is one form and one POST: the order is created and, in the same transaction,
dispatched, answered directly or sent for instruction, so a refusal leaves nothing written and
the whole path is two page loads (the desk, then the desk again after the redirect).
"""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext, ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from workorders import actions
from workorders.citizen import mailboxes
from workorders.errors import DomainError, Invalid
from workorders.intake import CREATE_FIELDS, create_order
from workorders.models import Department, WorkOrder
from workorders.vocabulary import Channel, Handling, OrderType, State

from .. import db
from ..i18n import label
from ..runtime import clock, domain_context
from ..suggest import serving as suggest_serving
from . import calls, kb
from .forms import form_inputs, resolve_departments
from .present import category_tree, department_tree, excerpt, localtime, order_light
from .security import browser_blueprint, roles_required

bp = browser_blueprint("desk", __name__, url_prefix="/desk")

DESK_ROLES = ("agent", "supervisor")
# Twilio's call statuses while a caller waits.
CALL_STATUS = {"queued": lazy_gettext("queued"), "ringing": lazy_gettext("ringing"),
               "in-progress": lazy_gettext("on the line")}
DISPOSITIONS = ("save", "dispatch", "answer", "instruction")
QUEUE_SIZE = 50


def _intake_queue(session, channel: str | None = None):
    query = select(WorkOrder).where(WorkOrder.state == State.new)
    if channel:
        query = query.where(WorkOrder.channel == channel)
    return list(session.scalars(
        query.order_by(WorkOrder.urgent.desc(), WorkOrder.created_at, WorkOrder.id).limit(QUEUE_SIZE)))


def _callback_queue(session):
    return list(session.scalars(
        select(WorkOrder).where(WorkOrder.state.in_([State.answered, State.replied]),
                                WorkOrder.callback_due_at.is_not(None))
        .order_by(WorkOrder.callback_due_at, WorkOrder.id).limit(QUEUE_SIZE)
    ))


def _count(session, *where) -> int:
    return session.scalar(select(func.count(WorkOrder.id)).where(*where)) or 0


def _districts(session) -> list[str]:
    return list(session.scalars(select(Department.name).where(Department.kind == "district").order_by(Department.code)))


def render_desk(form: dict | None = None, error: DomainError | str | None = None, status: int = 200):
    session = db.session()
    form = dict(form or {})
    call = calls.find_call(session, request.args.get("call") or form.get("call_sid"), clock().now())
    if call and not form:
        form = {"caller_phone": call.from_number, "channel": Channel.phone, "call_sid": call.sid}
    return render_template(
        "desk/index.html",
        form=form,
        error=error,
        call=call,
        intake=_intake_queue(session),
        intake_count=_count(session, WorkOrder.state == State.new),
        callbacks=_callback_queue(session),
        callback_count=_count(session, WorkOrder.state.in_([State.answered, State.replied]),
                              WorkOrder.callback_due_at.is_not(None)),
        departments=department_tree(session),
        categories=category_tree(session),
        districts=_districts(session),
        types=list(OrderType),
        channels=[c for c in Channel if c not in (Channel.api, Channel.open311)],
        handlings=list(Handling),
        dispositions=DISPOSITIONS,
        suggestions=kb.suggest(session, form.get("content", ""), clock().now()) if form.get("content") else [],
    ), status


@bp.get("")
@roles_required(*DESK_ROLES)
def index():
    return render_desk()


@bp.post("/orders")
@roles_required(*DESK_ROLES)
def create():
    session = db.session()
    ctx = domain_context(session)
    actor = current_user.actor
    form = request.form
    disposition = form.get("disposition", "save")
    try:
        if disposition not in DISPOSITIONS:
            raise Invalid("unknown disposition '%(name)s'", name=disposition)
        created = create_order(ctx, actor, form_inputs(form, CREATE_FIELDS))
        order = created.order
        if disposition == "dispatch":
            data = resolve_departments(session, form_inputs(form, {"department", "handling", "co_departments"}))
            if form.get("dispatch_note", "").strip():
                data["note"] = form["dispatch_note"]
            actions.perform(ctx, actor, order, "dispatch", data)
        elif disposition == "answer":
            data = form_inputs(form, {"article_id"})
            data["text"] = form.get("answer_text", "")
            actions.perform(ctx, actor, order, "answer", data)
        elif disposition == "instruction":
            actions.perform(ctx, actor, order, "request_instruction", {"note": form.get("instruction_note", "")})
        calls.link_order(session, form.get("call_sid"), order)
        suggest_serving.remember(session, order, ctx.now)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return render_desk(form.to_dict(), exc, exc.status)
    except StaleDataError:
        session.rollback()
        return render_desk(form.to_dict(), _("Someone else changed this order at the same time."), 409)
    flash(_("Order %(number)s saved: %(state)s. Access code for the caller: %(code)s",
            number=order.number, state=label("state", order.state), code=created.access_code), "success")
    return redirect(url_for("desk.index", done=order.number))


@bp.get("/intake")
@roles_required(*DESK_ROLES)
def intake():
    """Orders waiting to be classified: voicemails, SMS, web and mailbox letters, saved calls."""
    session = db.session()
    channel = request.args.get("channel", "")
    by_channel = dict(session.execute(
        select(WorkOrder.channel, func.count(WorkOrder.id)).where(WorkOrder.state == State.new)
        .group_by(WorkOrder.channel)).all())
    orders = _intake_queue(session, channel if channel in Channel.__members__ else None)
    now = clock().now()
    return render_template("desk/queue.html", title=_("Intake queue"), kind="intake", orders=orders,
                           lights={o.id: order_light(o, now) for o in orders},
                           total=sum(by_channel.values()), by_channel=by_channel, channel=channel,
                           mailboxes=mailboxes.mailboxes_of(session, [o.id for o in orders]))


@bp.get("/callbacks")
@roles_required(*DESK_ROLES)
def callbacks():
    session = db.session()
    rows = _callback_queue(session)
    return render_template("desk/queue.html", title=_("Callback queue"), kind="callbacks", orders=rows,
                           total=len(rows))


@bp.get("/calls")
@roles_required(*DESK_ROLES)
def incoming_calls():
    """Polled by the desk every few seconds: the calls ringing now, each with its caller's history."""
    session = db.session()
    return jsonify({"calls": [
        {
            "sid": call.sid,
            "from": call.from_number,
            "started_at": localtime(call.started_at, "%H:%M:%S"),
            "status": str(CALL_STATUS.get(call.status, call.status)),
            "first_call": call.first_call,
            "earlier_calls": call.earlier_calls,
            "earlier_calls_text": ngettext("Called %(num)s time before.", "Called %(num)s times before.",
                                           call.earlier_calls) if call.earlier_calls else "",
            "history": [
                {"number": o.number, "state": label("state", o.state), "content": excerpt(o.content, 40),
                 "url": url_for("orders.show", number=o.number)}
                for o in call.history
            ],
        }
        for call in calls.active_calls(session, clock().now())
    ]})


@bp.get("/suggest")
@roles_required(*DESK_ROLES)
def suggest():
    """Live KB suggestions for what the agent is typing (or for an order's content)."""
    session = db.session()
    text = request.args.get("q", "")[:2000]
    number = request.args.get("order")
    if number:
        order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
        text = order.content if order else ""
    hits = kb.suggest(session, text, clock().now())
    return jsonify({"articles": [h.to_json() for h in hits]})


def order_options(session):
    """Reference lists shared with the order page's forms."""
    return {
        "departments": department_tree(session),
        "categories": category_tree(session),
        "types": list(OrderType),
        "handlings": list(Handling),
    }
