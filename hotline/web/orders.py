"""The order page (/orders/<number>) and its actions, and the order search.

The buttons are exactly `workorders.actions.allowed_actions` for the signed-in user; each is a
small form posting to /orders/<number>/<action>, which runs the same `perform` the JSON API runs.
A refusal re-shows the page with the operation's refusal, translated, and its status (403, 409, 422).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm.exc import StaleDataError

from ivr.phones import looks_like_phone, variants
from workorders import actions
from workorders.access import ensure_visible, reveals_personal_data, visible_filter
from workorders.citizen import mailboxes
from workorders.errors import DomainError, NotFound
from workorders.models import OrderEvent, PersonalDataView, WorkOrder
from workorders.vocabulary import INVALID_REASONS, Channel, Role, Satisfaction, State

from .. import db
from ..api.orders import PERSONAL_KEYS
from ..i18n import label
from ..runtime import domain_context
from ..suggest import serving as suggest_serving
from . import calls, duplicates, kb, kb_pages
from .desk import order_options
from .forms import form_inputs, resolve_departments, safe_next
from .present import caller_of, department_names, order_light
from .security import browser_blueprint, signed_in

bp = browser_blueprint("orders", __name__, url_prefix="/orders")

SEARCH_LIMIT = 100


def _find(session, number: str) -> WorkOrder:
    try:
        return actions.get_order(session, number)
    except NotFound:
        abort(404)


def _events(session, order: WorkOrder, personal: bool) -> list[dict]:
    rows = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.seq))
    out = []
    for event in rows:
        inputs = {k: v for k, v in (event.inputs or {}).items() if personal or k not in PERSONAL_KEYS}
        out.append({"event": event, "inputs": inputs})
    return out


def _log_personal_view(session, order: WorkOrder, now) -> None:
    """SPEC §9: every view of a caller's data by a department user is logged."""
    actor = current_user.actor
    if actor.role == Role.department and reveals_personal_data(actor, order):
        if order.caller_name or order.caller_phone or order.address:
            session.add(PersonalDataView(user_id=actor.user_id, order_id=order.id, via="web", at=now))


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
    allowed = actions.allowed_actions(session, actor, order, ctx.now)
    personal = reveals_personal_data(actor, order)
    page = render_template(
        "orders/show.html",
        order=order,
        light=order_light(order, ctx.now),
        caller=caller_of(actor, order),
        events=_events(session, order, personal),
        allowed=allowed,
        now=ctx.now,
        dept_names=department_names(session),
        mailbox=mailboxes.mailbox_of(session, order.id) if order.channel == Channel.mailbox else None,
        candidates=duplicates.candidates(session, order, ctx.now) if "merge" in allowed else [],
        # Recordings and call records are the hotline's own: departments see the order, not the calls.
        calls=calls.calls_of_order(session, order) if personal and actor.role != Role.department else [],
        suggestions=kb.suggest(session, order.content, ctx.now) if "answer" in allowed else [],
        may_draft_article=kb_pages.may_draft_from(order),
        drafted_articles=kb_pages.drafted_from(order),
        invalid_reasons=list(INVALID_REASONS),
        satisfactions=list(Satisfaction),
        error=error,
        failed_action=failed_action,
        values_for=_values_for(failed_action, submitted or {}),
        **order_options(session),
    )
    _log_personal_view(session, order, ctx.now)
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


@bp.get("")
@signed_in
def search():
    """Find orders by number, caller phone (hotline staff only) or words of the content."""
    session = db.session()
    actor = current_user.actor
    q = request.args.get("q", "").strip()[:200]
    state = request.args.get("state", "")
    query = select(WorkOrder)
    where = visible_filter(session, actor)
    if where is not None:
        query = query.where(where)
    if q:
        matches = [WorkOrder.number == q, WorkOrder.content.contains(q)]
        if actor.role != Role.department and looks_like_phone(q):
            # The same caller as Twilio spells the number (+86…) and as agents type it.
            matches.append(WorkOrder.caller_phone.in_(variants(q)))
        query = query.where(or_(*matches))
    if state in State.__members__:
        query = query.where(WorkOrder.state == state)
    rows = list(session.scalars(query.order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc()).limit(SEARCH_LIMIT)))
    if len(rows) == 1 and q == rows[0].number:
        return redirect(url_for("orders.show", number=q))
    ctx = domain_context(session)
    return render_template("orders/search.html", orders=rows, q=q, state=state, states=list(State),
                           lights={o.id: order_light(o, ctx.now) for o in rows})
