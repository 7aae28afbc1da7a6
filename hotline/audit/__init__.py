"""The audit trail and the personal-data view log, for administrators and the office's supervisors:
`GET /api/v1/audit`, `GET /api/v1/audit/views`, and the pages /admin/audit and /admin/views."""
from __future__ import annotations

from flask import Flask

from . import api, pages


def init_app(app: Flask) -> None:
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
