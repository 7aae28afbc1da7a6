"""12345 Hotline: the Flask web shell around the work-order domain."""
from __future__ import annotations

import os

from flask import Flask

import ivr

from . import (
    api,
    cli,
    config,
    db,
    kb_calibration,
    open311,
    portal,
    quality,
    runtime,
    scheduler,
    stats_web,
    web,
)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("HOTLINE_INSTANCE", None) or None)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    runtime.init_app(app)
    api.init_app(app)
    ivr.init_app(app)
    cli.init_app(app)
    web.init_app(app)  # the office's pages
    open311.init_app(app)  # the citizen side (SPEC §8)
    portal.init_app(app)
    stats_web.init_app(app)  # statistics, reports, notice board (SPEC §7)
    quality.init_app(app)  # quality inspection of the agents' orders (issue #16)
    kb_calibration.init_app(app)  # the nightly knowledge-base calibration
    scheduler.init_app(app)  # last: it may start the embedded scheduler

    return app
