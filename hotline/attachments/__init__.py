"""Attachments (issue 14): upload and list through the API and the order page, served only to
those who may see the order (`workorders.attachments.operations`).

Configuration: `HOTLINE_ATTACHMENT_MAX_BYTES` (10 MB), `HOTLINE_ATTACHMENT_TYPES` (comma-separated
MIME types; default JPEG, PNG, GIF, WebP, PDF), and the storage of `storage.py`.
"""
from __future__ import annotations

import os

from flask import Flask

from workorders.attachments.files import DEFAULT_MAX_BYTES, DEFAULT_TYPES, Limits

ENVIRONMENT = ("ATTACHMENT_MAX_BYTES", "ATTACHMENT_TYPES", "ATTACHMENTS_STORAGE", "ATTACHMENTS_DIR",
               "S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION")


def init_app(app: Flask) -> None:
    from . import views
    from .storage import storage_from_config

    for key in ENVIRONMENT:
        if key not in app.config and os.environ.get(f"HOTLINE_{key}"):
            app.config[key] = os.environ[f"HOTLINE_{key}"]
    types = app.config.get("ATTACHMENT_TYPES")
    app.extensions["hotline.attachment_limits"] = Limits(
        int(app.config.get("ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES),
        frozenset(t.strip() for t in types.split(",") if t.strip()) if types else DEFAULT_TYPES,
    )
    app.extensions["hotline.attachment_storage"] = storage_from_config(app.config, app.instance_path)
    app.register_blueprint(views.api)
    app.register_blueprint(views.bp)
