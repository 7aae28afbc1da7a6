"""POST/GET /api/v1/orders/<number>/attachments, the files themselves, and the order page's upload."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from workorders import actions
from workorders.access import ensure_visible
from workorders.attachments.models import Attachment
from workorders.attachments.operations import attach_file, may_see, visible_attachments
from workorders.context import Actor
from workorders.errors import DomainError, Forbidden, Invalid, NotFound, TooLarge

from .. import db
from ..api import feature_blueprint
from ..api.openapi import document
from ..runtime import domain_context
from ..web.security import browser_blueprint, signed_in
from .photo_upload import MULTIPART_MARGIN

api = feature_blueprint("attachments_api", __name__)
bp = browser_blueprint("attachments", __name__, url_prefix="/orders")


def _limits():
    return current_app.extensions["hotline.attachment_limits"]


def _storage():
    return current_app.extensions["hotline.attachment_storage"]


def _read_upload() -> tuple[str, bytes, str | None]:
    limit = _limits().max_bytes
    if request.content_length and request.content_length > limit + MULTIPART_MARGIN:
        raise TooLarge("the file is %(size)s bytes; files may be at most %(limit)s bytes",
                       size=request.content_length, limit=limit)
    request.max_content_length = limit + MULTIPART_MARGIN
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise Invalid("send the file as multipart form field 'file'")
    return upload.filename, upload.read(limit + 1), request.form.get("source") or None


def attachment_json(a: Attachment, tz) -> dict:
    body = {"id": a.id, "kind": a.kind, "source": a.source, "filename": a.filename,
            "content_type": a.content_type, "size": a.size, "created_at": a.created_at.astimezone(tz).isoformat()}
    if a.kind == "link":
        body["url"] = a.url
    else:
        body["download"] = url_for("attachments_api.download", attachment_id=a.id)
        if a.thumbnail_key:
            body["thumbnail"] = url_for("attachments_api.download", attachment_id=a.id, thumbnail=1)
    return body


def _listing(session, actor: Actor, order, tz) -> dict:
    shown, withheld = visible_attachments(session, actor, order)
    return {"attachments": [attachment_json(a, tz) for a in shown], "withheld": withheld}


@api.post("/orders/<number>/attachments")
def upload(number: str):
    session = db.session()
    ctx = domain_context(session)
    order = actions.get_order(session, number)
    ensure_visible(session, g.actor, order)  # before reading any of the body
    filename, data, source = _read_upload()
    attachment = attach_file(ctx, g.actor, order, filename, data, _limits(), _storage().put, source)
    body = attachment_json(attachment, ctx.tz)
    session.commit()
    return jsonify(body), 201


@api.get("/orders/<number>/attachments")
def listing(number: str):
    session = db.session()
    ctx = domain_context(session)
    order = actions.get_order(session, number)
    return jsonify(_listing(session, g.actor, order, ctx.tz))


def _file_response(actor: Actor, attachment_id: int, thumbnail: bool) -> Response:
    session = db.session()
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("no attachment %(id)s", id=attachment_id)
    order = session.get(actions.WorkOrder, attachment.order_id)
    ensure_visible(session, actor, order)
    if not may_see(actor, order, attachment):
        raise Forbidden("this attachment of confidential order %(number)s is for the hotline only",
                        number=order.number)
    if attachment.kind == "link":
        raise NotFound("attachment %(id)s is a link, not a stored file: %(url)s", id=attachment_id,
                       url=attachment.url)
    key = attachment.thumbnail_key if thumbnail and attachment.thumbnail_key else attachment.storage_key
    content_type = "image/jpeg" if key == attachment.thumbnail_key else attachment.content_type
    response = Response(_storage().get(key), mimetype=content_type)
    disposition = "inline" if content_type.startswith("image/") else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{attachment.id}{key[key.rfind("."):]}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@api.get("/attachments/<int:attachment_id>")
def download(attachment_id: int):
    return _file_response(g.actor, attachment_id, request.args.get("thumbnail") == "1")


# --- the order page ----------------------------------------------------------------------------

@bp.get("/<number>/attachments/<int:attachment_id>")
@signed_in
def page_file(number: str, attachment_id: int):
    try:
        return _file_response(current_user.actor, attachment_id, request.args.get("thumbnail") == "1")
    except Forbidden:
        abort(403)
    except NotFound:
        abort(404)


@bp.post("/<number>/attachments")
@signed_in
def page_upload(number: str):
    from ..web.orders import render_order

    session = db.session()
    try:
        order = actions.get_order(session, number)
    except NotFound:
        abort(404)
    ctx = domain_context(session)
    try:
        filename, data, source = _read_upload()
        attach_file(ctx, current_user.actor, order, filename, data, _limits(), _storage().put, source)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return render_order(actions.get_order(session, number), error=exc, failed_action="attach",
                            status=exc.status)
    flash(_("The file is attached to order %(number)s.", number=number), "success")
    return redirect(url_for("orders.show", number=number) + "#attachments")



_NUMBER = [{"name": "number", "in": "path", "required": True, "schema": {"type": "string"}}]
_ERRORS = {str(code): {"description": text, "content": {"application/json": {"schema": {
    "$ref": "#/components/schemas/Error"}}}} for code, text in (
    (401, "no or invalid token"), (403, "not allowed to see this order or file"), (404, "unknown order"),
    (413, "the file is larger than HOTLINE_ATTACHMENT_MAX_BYTES"), (422, "no file, or a type not accepted"))}
document("/orders/{number}/attachments", {
    "post": {"summary": "Attach a photo or document (multipart field 'file'; optional 'source': order or reply); "
                        "photos are stored without EXIF",
             "parameters": _NUMBER,
             "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                             "properties": {"file": {"type": "string", "format": "binary"},
                                            "source": {"type": "string", "enum": ["order", "reply"]}}}}}},
             "responses": {"201": {"description": "the attachment"}, **_ERRORS}},
    "get": {"summary": "The order's attachments this caller may see, and how many are withheld",
            "parameters": _NUMBER,
            "responses": {"200": {"description": '{"attachments": [...], "withheld": n}'}, **_ERRORS}},
})
document("/attachments/{id}", {"get": {
    "summary": "One attachment's file (?thumbnail=1 for a photo's thumbnail)",
    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
    "responses": {"200": {"description": "the file"}, **_ERRORS}}})
