"""12345 Hotline: the Flask web shell around the work-order domain."""
from __future__ import annotations

import os

from flask import Flask

import ivr

from . import (
    api,
    attachments,
    call_figures,
    callcentre,
    cli,
    config,
    db,
    kb_calibration,
    notifications,
    open311,
    portal,
    quality,
    recordings,
    runtime,
    scheduler,
    stats_web,
    web,
)
from .audit import init_app as init_audit
from .edge import init_app as init_edge
from .kb_cli import kb_group  # noqa: F401  (registers `hotline kb` on hotline.cli.main; cli.py does not import it)
from .suggest import init_app as init_suggestions


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("HOTLINE_INSTANCE", None) or None)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    init_edge(app)  # first: refuses text no database can store, for every entry point
    runtime.init_app(app)
    api.init_app(app)
    ivr.init_app(app)
    cli.init_app(app)
    web.init_app(app)  # the office's pages
    init_audit(app)  # the audit trail and the personal-data view log
    open311.init_app(app)  # the citizen side (SPEC §8)
    portal.init_app(app)
    stats_web.init_app(app)  # statistics, reports, notice board (SPEC §7)
    call_figures.init_app(app)  # the call centre's wallboard and figures (SPEC §12)
    recordings.init_app(app)  # call recordings and voicemails played through the app, logged
    quality.init_app(app)  # quality inspection of the agents' orders (issue #16)
    kb_calibration.init_app(app)  # the nightly knowledge-base calibration
    notifications.init_app(app)  # SMS, e-mail and in-app notices of department handling
    attachments.init_app(app)  # photos and documents on orders and replies
    callcentre.init_app(app)  # the call centre's desk phone, presence, staffing hours
    init_suggestions(app)  # learned category and department suggestions (issue 15)
    scheduler.init_app(app)  # last: it may start the embedded scheduler

    return app
