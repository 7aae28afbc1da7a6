"""The citizen's pages: write in, the answer with number and code (shown once), query, replies.

Access codes come only in POST bodies, never in URLs, so no access log ever holds one.
"""
from __future__ import annotations

import logging

from flask import render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from workorders.citizen import mailboxes, publication
from workorders.citizen.public_view import department_name, public_timeline, scrub
from workorders.citizen.query_limits import TooManyAttempts, verify_access
from workorders.errors import Conflict, Invalid, NotFound, TooLarge
from workorders.models import Department
from workorders.vocabulary import OrderType

from .. import db
from ..attachments import photo_upload
from ..runtime import domain_context
from ..web.refusals import refusal_text
from ..web.security import browser_blueprint
from .words import state_words, step_words

bp = browser_blueprint("portal", __name__, url_prefix="/portal")
# Query outcomes are logged for security monitoring: the order number and the outcome, never the code.
log = logging.getLogger("hotline.portal")

# The types a citizen may choose; a report (举报) is kept from publication automatically.
PORTAL_TYPES = [t.value for t in OrderType]


def client_ip() -> str:
    # Behind a proxy, configure werkzeug's ProxyFix so that this is the citizen's address.
    return request.remote_addr or "unknown"


def _districts(session) -> list[str]:
    names = session.scalars(select(Department.name).where(Department.kind == "district").order_by(Department.code))
    return [name.split("区", 1)[0] + "区" if "区" in name else name for name in names]


@bp.get("/")
def home():
    session = db.session()
    return render_template("portal/home.html", mailboxes=mailboxes.active_mailboxes(session))


@bp.route("/write", methods=["GET", "POST"])
def write():
    session = db.session()
    boxes = mailboxes.active_mailboxes(session)
    if request.method == "POST":  # room for a photo (issue 14), before the form is parsed
        request.max_content_length = photo_upload.max_request_bytes()
    form = request.form if request.method == "POST" else {"mailbox": request.args.get("mailbox", "")}
    error, status = None, 200
    if request.method == "POST":
        data = {
            "type": form.get("type") or None,
            "content": form.get("content", ""),
            "district": form.get("district") or None,
            "address": form.get("address") or None,
            "caller_name": form.get("caller_name") or None,
            "caller_phone": form.get("caller_phone") or None,
            "public_consent": form.get("public_consent") == "yes",
        }
        ctx = domain_context(session)
        try:
            if data["type"] not in PORTAL_TYPES:
                raise Invalid("Choose the kind of request.")
            if not data["content"].strip():
                raise Invalid("Describe your request.")
            if not data["caller_phone"]:
                raise Invalid("Give a phone number, so that the hotline can call you back.")
            created = mailboxes.submit(ctx, data, form.get("mailbox") or None, client_ip())
            photo_upload.attach_submitted(ctx, created.order, request.files.get("file"), "portal")
        except TooManyAttempts:
            error, status = _("Too many letters from this connection or phone number. Please try again later "
                              "or call 12345."), 429
        except (Invalid, NotFound) as exc:
            error, status = refusal_text(exc), 422
        except TooLarge as exc:
            error, status = refusal_text(exc), 413
        else:
            session.commit()
            mailbox = mailboxes.mailbox_of(session, created.order.id)
            return render_template("portal/answer.html", number=created.order.number,
                                   code=created.access_code, mailbox=mailbox)
        session.rollback()
    return render_template("portal/write.html", mailboxes=boxes, form=form, error=error,
                           types=PORTAL_TYPES, districts=_districts(session)), status


@bp.route("/query", methods=["GET", "POST"])
def query():
    if request.method == "GET":
        return render_template("portal/query.html", number=request.args.get("number", ""), error=None)
    session = db.session()
    ctx = domain_context(session)
    number = request.form.get("number", "").strip()
    code = request.form.get("code", "").strip()
    try:
        order = verify_access(session, ctx.secret, number, code, source="web",
                              client_key=f"ip:{client_ip()}", now=ctx.now)
    except TooManyAttempts as exc:
        session.rollback()
        log.warning("portal query of order %s from %s refused: too many wrong tries", number[:20], client_ip())
        minutes = max(1, int((exc.retry_after.total_seconds() + 59) // 60))
        message = _("Too many wrong tries from your connection: please try again in %(minutes)s minutes, "
                    "or call 12345.", minutes=minutes)
        return render_template("portal/query.html", number=number, error=message), 429
    session.commit()  # a failed try must count
    log.info("portal query of order %s from %s: %s", number[:20], client_ip(), "ok" if order else "wrong")
    if order is None:
        return render_template("portal/query.html", number=number,
                               error=_("The order number or the access code is wrong.")), 403
    department = department_name(session, order)
    return render_template(
        "portal/result.html", order=order, words=state_words(order, department),
        steps=[(step.at, step_words(step)) for step in public_timeline(session, order)],
        content=scrub(order.content, order), reply=_public_reply(order),
        department=department,
    )


@bp.get("/replies")
def replies():
    session = db.session()
    search = request.args.get("q", "")
    page = request.args.get("page", "1")
    page = int(page) if (page.isascii() and page.isdigit()) and 0 < int(page) < 10_000 else 1
    entries, total = publication.board(session, search, page)
    return render_template("portal/replies.html", entries=entries, total=total, search=search, page=page,
                           per_page=20)


@bp.route("/replies/<number>", methods=["GET", "POST"])
def reply(number: str):
    session = db.session()
    entry = publication.published(session, number)
    message, error, status = None, None, 200
    if request.method == "POST":
        ctx = domain_context(session)
        stars = request.form.get("stars", "")
        try:
            rating = publication.rate(
                session, ctx.secret, number, request.form.get("code", ""),
                int(stars) if (stars.isascii() and stars.isdigit()) else 0, request.form.get("comment", ""),
                client_key=f"ip:{client_ip()}", now=ctx.now,
            )
        except TooManyAttempts:
            session.rollback()
            error, status = _("Too many wrong tries. Please try again later."), 429
        except (Invalid, Conflict) as exc:
            session.rollback()
            error, status = refusal_text(exc), exc.status
        else:
            session.commit()
            if rating is None:
                error, status = _("The access code is wrong."), 403
            else:
                message = _("Thank you: your rating has been recorded.")
                entry = publication.published(session, number)
    return render_template("portal/reply.html", entry=entry, message=message, error=error), status


def _public_reply(order) -> str | None:
    """A reply the hotline has not yet let through (办结审核) is not the citizen's to read."""
    if order.state == "reply_review":
        return None
    return order.reply_text or order.answer_text
