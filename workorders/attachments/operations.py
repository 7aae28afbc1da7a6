"""Attaching files and links to an order, and who may see which (SPEC §9).

Anyone who may see an order may attach to it: the hotline's staff, the departments on it (a
department's file goes with its reply), the citizen through the portal or Open311. Where a
department sees the caller masked (a confidential order, or a report), it sees none of the
files the citizen's side brought (a photo can show a face, a door, a number plate): only those
attached by departments. Attachment rows are never changed or deleted.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from sqlalchemy import select

from .. import events
from ..access import ensure_visible, reveals_personal_data
from ..context import Actor, Context
from ..errors import Invalid
from ..models import WorkOrder
from ..vocabulary import Role
from .files import Limits, clean
from .models import Attachment

SOURCES = ("order", "reply", "portal", "open311")
Put = Callable[[str, bytes, str], None]  # (key, data, content type)
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
              "application/pdf": ".pdf"}


def attach_file(ctx: Context, actor: Actor, order: WorkOrder, filename: str, data: bytes, limits: Limits,
                put: Put, source: str | None = None) -> Attachment:
    ensure_visible(ctx.session, actor, order)
    source = source or ("reply" if actor.role == Role.department else "order")
    if source not in SOURCES:
        raise Invalid("'source' must be one of %(sources)s", sources=list(SOURCES))
    cleaned = clean(data, limits)
    stem = PurePosixPath(filename or "").stem[:100] or "file"
    base = f"{order.number}/{secrets.token_hex(8)}"
    key = base + EXTENSIONS[cleaned.content_type]
    put(key, cleaned.data, cleaned.content_type)
    thumbnail_key = None
    if cleaned.thumbnail is not None:
        thumbnail_key = base + ".thumb.jpg"
        put(thumbnail_key, cleaned.thumbnail, "image/jpeg")
    attachment = Attachment(
        order_id=order.id, source=source, kind="file", filename=stem + EXTENSIONS[cleaned.content_type],
        content_type=cleaned.content_type, size=len(cleaned.data), storage_key=key, thumbnail_key=thumbnail_key,
        uploaded_by_id=actor.user_id, uploader_department_id=actor.department_id, created_at=ctx.now,
    )
    ctx.session.add(attachment)
    ctx.session.flush()
    _record(ctx, actor, order, attachment)
    return attachment


def attach_link(ctx: Context, order: WorkOrder, url: str, source: str) -> Attachment | None:
    """A citizen's link (Open311 `media_url`) kept as it is: the server never fetches it."""
    url = (url or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 1000:
        raise Invalid("media_url must be an http or https address")
    attachment = Attachment(order_id=order.id, source=source, kind="link",
                            filename=PurePosixPath(parts.path).name[:255] or parts.netloc,
                            content_type="text/uri-list", size=0, url=url, created_at=ctx.now)
    ctx.session.add(attachment)
    _record(ctx, Actor.system(source), order, attachment)
    return attachment


def _record(ctx: Context, actor: Actor, order: WorkOrder, attachment: Attachment) -> None:
    """An attachment is a change to the order: its history shows who added what, when.

    Only a department's own file is named: any other may be withheld from a department that sees
    the caller masked (`may_see`), and the history is read by every department on the order.
    """
    inputs = {"source": attachment.source}
    if attachment.uploader_department_id is not None:
        inputs["file"] = attachment.filename
    events.append(ctx.session, order, actor, "attach", order.state, inputs, {}, ctx.now)


def may_see(actor: Actor, order: WorkOrder, attachment: Attachment) -> bool:
    return reveals_personal_data(actor, order) or attachment.uploader_department_id is not None


def visible_attachments(session, actor: Actor, order: WorkOrder) -> tuple[list[Attachment], int]:
    """The order's attachments this actor may see, oldest first, and how many are withheld."""
    ensure_visible(session, actor, order)
    rows = list(session.scalars(select(Attachment).where(Attachment.order_id == order.id).order_by(Attachment.id)))
    shown = [a for a in rows if may_see(actor, order, a)]
    return shown, len(rows) - len(shown)
