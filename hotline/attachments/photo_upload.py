"""A photo sent with a citizen's submission (the portal form), attached in its transaction."""
from __future__ import annotations

from flask import current_app

from workorders.attachments.operations import attach_file
from workorders.context import Actor

MULTIPART_MARGIN = 64 * 1024


def max_request_bytes() -> int:
    """The form's own fields and one file of the configured size."""
    return current_app.extensions["hotline.attachment_limits"].max_bytes + MULTIPART_MARGIN


def attach_submitted(ctx, order, upload, source: str) -> None:
    if upload is None or not upload.filename:
        return
    limits = current_app.extensions["hotline.attachment_limits"]
    storage = current_app.extensions["hotline.attachment_storage"]
    attach_file(ctx, Actor.system(source), order, upload.filename, upload.read(limits.max_bytes + 1), limits,
                storage.put, source)
