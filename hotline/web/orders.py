"""The order page (/orders/<number>) and its actions, and the order search.

The buttons are exactly `workorders.actions.allowed_actions` for the signed-in user; each is a
small form posting to /orders/<number>/<action>, which runs the same `perform` the JSON API runs.
A refusal re-shows the page with the operation's refusal, translated, and its status (403, 409, 422).
"""
from __future__ import annotations

from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm.exc import StaleDataError

from ivr.phones import looks_like_phone, variants
from workorders import actions, handling
from workorders.access import ensure_visible, reveals_personal_data, visible_filter
from workorders.attachments.operations import visible_attachments
from workorders.citizen import mailboxes
from workorders.errors import DomainError, NotFound
from workorders.models import Category, Department, OrderEvent, PersonalDataView, WorkOrder
from workorders.reads import mark_read, unread_events
from workorders.vocabulary import INVALID_REASONS, Channel, OrderType, Role, Satisfaction, State

from .. import db
from ..api.orders import PERSONAL_KEYS
from ..i18n import label
from ..runtime import domain_context, timezone
from ..suggest import serving as suggest_serving
from ..worklists import export as list_export
from ..worklists import filters as list_filters
from ..worklists.filters import PAGE_SIZE, OrderFilter
from . import calls, duplicates, kb
from .desk import order_options
from .forms import form_inputs, resolve_departments, safe_next
from .present import caller_of, category_tree, department_names, department_tree, order_light
from .refusals import refusal_text
from .security import browser_blueprint, signed_in

bp = browser_blueprint("orders", __name__, url_prefix="/orders")

ANNOTATIONS = ("note", "called_again", "link_original")
# Actions with nothing to fill in: one button each on the order page.
ONE_CLICK = ("sign", "take_back")


def _find(session, number: str) -> WorkOrder:
    try:
        return actions.get_order(session, number)
    except NotFound:
        abort(404)


def _events(session, order: WorkOrder, personal: bool) -> list[dict]:
    rows = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.seq))
    names = {"department": dict(session.execute(select(Department.code, Department.name)).all()),
             "category": dict(session.execute(select(Category.code, Category.name)).all())}
    names["co_departments"] = names["department"]
    out = []
    for event in rows:
        inputs = {k: v for k, v in (event.inputs or {}).items() if personal or k not in PERSONAL_KEYS}
        # Departments and categories by their names, never their codes.
        for key, known in names.items():
            if isinstance(inputs.get(key), str):
                inputs[key] = known.get(inputs[key], inputs[key])
            elif isinstance(inputs.get(key), list):
                inputs[key] = [known.get(v, v) for v in inputs[key]]
        out.append({"event": event, "inputs": inputs})
    return out


def _log_personal_view(session, order: WorkOrder, now) -> None:
    """SPEC §9: every view of a caller's data by a department user is logged."""
    actor = current_user.actor
    if actor.role == Role.department and reveals_personal_data(actor, order):
        if order.caller_name or order.caller_phone or order.address:
            session.add(PersonalDataView(user_id=actor.user_id, order_id=order.id, via="web", at=now))


def _sub_units(session, order: WorkOrder) -> list[Department]:
    return list(session.scalars(select(Department).where(
        Department.parent_id == order.department_id, Department.active.is_(True)).order_by(Department.code)))


def _values_for(failed_action: str | None, submitted: dict):
    """Each action form shows what was typed into it when it was refused, else its defaults."""
    def values_for(action: str):
        def v(name: str, default="") -> str:
            if action == failed_action and name in submitted:
                return submitted[name]
            return default
        return v
    return values_for


def render_order(order: WorkOrder, *, error: DomainError | str | None = None, failed_action: str | None = None,
                 submitted: dict | None = None, status: int = 200):
    session = db.session()
    ctx = domain_context(session)
    actor = current_user.actor
    ensure_visible(session, actor, order)
    offered = actions.allowed_actions(session, actor, order, ctx.now)
    # Notes and links annotate the order in any state: a panel of their own, not state actions.
    annotations = [a for a in offered if a in ANNOTATIONS]
    allowed = [a for a in offered if a not in ANNOTATIONS]
    unread = unread_events(session, order, actor.department_id) if actor.role == Role.department else []
    personal = reveals_personal_data(actor, order)
    attachments, withheld = visible_attachments(session, actor, order)
    page = render_template(
        "orders/show.html",
        order=order,
        light=order_light(order, ctx.now),
        caller=caller_of(actor, order),
        events=_events(session, order, personal),
        allowed=allowed,
        annotations=annotations,
        one_click=ONE_CLICK,
        unread=unread,
        now=ctx.now,
        dept_names=department_names(session),
        mailbox=mailboxes.mailbox_of(session, order.id) if order.channel == Channel.mailbox else None,
        candidates=duplicates.candidates(session, order, ctx.now) if "merge" in allowed else [],
        # Recordings and call records are the hotline's own: departments see the order, not the calls.
        calls=calls.calls_of_order(session, order) if personal and actor.role != Role.department else [],
        suggestions=kb.suggest(session, order.content, ctx.now) if "answer" in allowed else [],
        may_draft_article=kb.may_draft_from(order),
        drafted_articles=kb.drafted_from(order),
        invalid_reasons=list(INVALID_REASONS),
        satisfactions=list(Satisfaction),
        accountable_id=handling.accountable_id(order),
        attachments=attachments,
        withheld=withheld,
        sub_units=_sub_units(session, order) if "forward" in allowed else [],
        error=error,
        failed_action=failed_action,
        values_for=_values_for(failed_action, submitted or {}),
        **order_options(session),
    )
    _log_personal_view(session, order, ctx.now)
    if actor.role == Role.department:
        mark_read(session, order, actor.department_id, ctx.now)
    session.commit()
    return page, status


@bp.get("/<number>")
@signed_in
def show(number: str):
    return render_order(_find(db.session(), number))


@bp.post("/<number>/<action>")
@signed_in
def act(number: str, action: str):
    if action not in actions.HANDLERS:
        abort(404)
    session = db.session()
    order = _find(session, number)
    ctx = domain_context(session)
    data = resolve_departments(session, form_inputs(request.form))
    try:
        if action == "called_again":
            calls.ensure_call_exists(session, data.get("call_sid"))
        actions.perform(ctx, current_user.actor, order, action, data)
        if action == "dispatch":
            suggest_serving.note_dispatch(session, order)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return render_order(_find(session, number), error=exc, failed_action=action,
                            submitted=request.form.to_dict(), status=exc.status)
    except StaleDataError:
        session.rollback()
        return render_order(_find(session, number), failed_action=action, submitted=request.form.to_dict(),
                            error=_("Someone else changed this order at the same time; here it is as it is now."),
                            status=409)
    flash(_("%(action)s: done. Order %(number)s is now: %(state)s.", action=label("action", action),
            number=order.number, state=label("state", order.state)), "success")
    return redirect(safe_next(request.form.get("next"), url_for("orders.show", number=number)))


def _listed(session, actor, filters: OrderFilter, now):
    """The orders of the list: visible to the actor, filtered, sorted (not yet paged)."""
    query = select(WorkOrder)
    where = visible_filter(session, actor)
    if where is not None:
        query = query.where(where)
    if filters.q:
        q = filters.q
        matches = [WorkOrder.number.in_(number_spellings(q)), WorkOrder.content.contains(q)]
        if actor.role != Role.department and looks_like_phone(q):
            # The same caller as Twilio spells the number (+86…) and as agents type it.
            matches.append(WorkOrder.caller_phone.in_(variants(q)))
        query = query.where(or_(*matches))
    return query.where(*filters.where(session, now, timezone())).order_by(*filters.order_by())


@bp.get("")
@signed_in
def search():
    """Find and list orders: words, number or phone, and the filters of the work lists (issue 13)."""
    session = db.session()
    actor = current_user.actor
    ctx = domain_context(session)
    try:
        filters = OrderFilter.from_args(request.args)
        query = _listed(session, actor, filters, ctx.now)
        total = list_filters.count(session, query)
    except DomainError as exc:
        return render_template("orders/search.html", error=exc, filters=OrderFilter(), orders=[], total=0,
                               pages=1, **_list_context(session, [], ctx.now)), exc.status
    pages = max(1, -(-total // PAGE_SIZE))
    rows = list(session.scalars(query.offset((filters.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    if filters.q and total == 1 and rows[0].number in number_spellings(filters.q):
        return redirect(url_for("orders.show", number=rows[0].number))
    return render_template("orders/search.html", filters=filters, orders=rows, total=total, pages=pages,
                           error=None, **_list_context(session, rows, ctx.now))


@bp.get("/export.xlsx")
@signed_in
def export():
    """The whole filtered list (every page) as an Excel workbook in the user's language."""
    session = db.session()
    ctx = domain_context(session)
    try:
        filters = OrderFilter.from_args(request.args)
        rows = list(session.scalars(_listed(session, current_user.actor, filters, ctx.now)))
    except DomainError as exc:
        abort(exc.status, description=refusal_text(exc))
    data = list_export.workbook(rows, {o.id: order_light(o, ctx.now) for o in rows}, department_names(session),
                                dict(session.execute(select(Category.id, Category.name)).all()), ctx.now)
    stamp = ctx.now.astimezone(timezone()).strftime("%Y%m%d-%H%M")
    return send_file(BytesIO(data), as_attachment=True, download_name=f"orders-{stamp}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _list_context(session, rows: list[WorkOrder], now) -> dict:
    return {
        "lights": {o.id: order_light(o, now) for o in rows},
        "overdue": {o.id: list_filters.days_overdue(o, now) for o in rows},
        "dept_names": department_names(session),
        "states": list(State), "types": list(OrderType), "channels": list(Channel),
        "light_names": list_filters.LIGHTS, "sorts": list_filters.SORTS,
        "department_options": department_tree(session), "category_options": category_tree(session),
    }


def number_spellings(q: str) -> list[str]:
    """An order number as typed: 20261122-00042, or its 13 digits without the dash (as on the phone)."""
    q = q.strip()
    if len(q) == 13 and q.isdigit():
        return [f"{q[:8]}-{q[8:]}"]
    return [q]
