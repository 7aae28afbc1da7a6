"""The bell: each user's in-app notices (/notifications, GET /api/v1/notifications)."""
from __future__ import annotations

from flask import g, jsonify, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select, update

from workorders.models import WorkOrder
from workorders.notifications.models import UserNotice

from .. import db
from ..api import feature_blueprint
from ..api.openapi import document
from ..runtime import clock
from ..web.security import browser_blueprint, signed_in

bp = browser_blueprint("notifications", __name__, url_prefix="/notifications")
api = feature_blueprint("notifications_api", __name__)
LIST_LIMIT = 50

# What each notice says on the page (the SMS and e-mail texts are the domain's, in Chinese).
NOTICE_LABELS = {
    "dispatch": _l("An order was dispatched to your department"),
    "reassign": _l("An order was reassigned to your department"),
    "forward": _l("An order was forwarded to your department"),
    "urge": _l("Urged: please speed up"),
    "supervise": _l("Put under supervision"),
    "red": _l("Overdue (red light): put under supervision"),
    "send_back": _l("The reply was sent back for rework"),
    "return": _l("A department returned an order"),
    "reply": _l("A reply waits for review"),
    "request_extension": _l("An extension request waits for a decision"),
}


def notice_label(action: str) -> str:
    return str(NOTICE_LABELS.get(action, action))


def unread(session, user_id: int) -> int:
    return session.scalar(select(func.count(UserNotice.id)).where(
        UserNotice.user_id == user_id, UserNotice.read_at.is_(None))) or 0


def unread_count() -> dict:
    """For the navigation's bell on every page of a signed-in user."""
    if not getattr(current_user, "is_authenticated", False):
        return {}
    return {"unread_notices": unread(db.session(), current_user.user.id)}


def latest(session, user_id: int):
    return session.execute(
        select(UserNotice, WorkOrder.number).join(WorkOrder, WorkOrder.id == UserNotice.order_id)
        .where(UserNotice.user_id == user_id)
        .order_by(UserNotice.created_at.desc(), UserNotice.id.desc()).limit(LIST_LIMIT)).all()


def mark_read(session, user_id: int) -> None:
    session.execute(update(UserNotice).where(UserNotice.user_id == user_id, UserNotice.read_at.is_(None))
                    .values(read_at=clock().now()))


@bp.get("")
@signed_in
def index():
    session = db.session()
    rows = latest(session, current_user.user.id)
    return render_template("notifications/index.html", rows=rows, notice_label=notice_label)


@bp.post("/read")
@signed_in
def read_all():
    session = db.session()
    mark_read(session, current_user.user.id)
    session.commit()
    return redirect(url_for("notifications.index"))


@api.get("/notifications")
def api_list():
    session = db.session()
    rows = latest(session, g.api_user.id)
    return jsonify({"unread": unread(session, g.api_user.id), "notices": [
        {"id": n.id, "order": number, "action": n.action, "text": notice_label(n.action), "created_at": n.created_at.isoformat(),
         "read": n.read_at is not None} for n, number in rows]})


@api.post("/notifications/read")
def api_read():
    session = db.session()
    mark_read(session, g.api_user.id)
    session.commit()
    return jsonify({"unread": 0})


document("/notifications", {"get": {
    "summary": "The caller's newest in-app notices and the unread count",
    "responses": {"200": {"description": '{"unread": n, "notices": [{"id", "order", "action", "text", '
                                         '"created_at", "read"}]}'}}}})
document("/notifications/read", {"post": {
    "summary": "Mark all of the caller's notices as read",
    "responses": {"200": {"description": '{"unread": 0}'}}}})
