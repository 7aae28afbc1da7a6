"""Telephony adapter (SPEC §5): Twilio voice and SMS webhooks, the outbound callback survey.

`init_app(app)` reads the telephony configuration, registers the webhooks under /ivr and the
agent desk's JSON under /api/v1, the `hotline survey` and `hotline simulate` commands, and the
survey placer the scheduler's callback job uses (`app.extensions["hotline.callback_placer"]`).
Imports are inside it so that `import ivr.models` (the migrations) pulls in no web code.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import (  # noqa: F401
        blueprint,
        call_backs,
        cli,
        desk_api,
        queue_hooks,
        recording_hooks,
        settings,
        simulate,
        staffing,
    )
    from .outbound import make_outbound
    from .signatures import warn_if_disabled
    from .survey import SurveyPlacer

    ivr_settings = settings.init_app(app)
    warn_if_disabled(ivr_settings, app.logger)
    staffing.init_app(app, ivr_settings)
    app.register_blueprint(blueprint.bp)
    app.register_blueprint(desk_api.api)
    app.extensions["ivr.outbound"] = make_outbound(ivr_settings)
    app.extensions["hotline.callback_placer"] = SurveyPlacer(ivr_settings, app.extensions["ivr.outbound"])
    # Departments' notification SMS go out through the same outbound telephony as the survey.
    app.extensions["hotline.sms_sender"] = app.extensions["ivr.outbound"].send_sms
    app.cli.add_command(cli.survey_group)
    app.cli.add_command(simulate.simulate_group)
    from .routing import register_sweep

    register_sweep(app)
