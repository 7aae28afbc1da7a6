"""Call figures in the app (SPEC §12): the supervisors' wallboard, the live JSON, the daily roll-up.

The figures are the domain's (`workorders.callcenter.figures`, `.daily`); this package shows them:
`/callcenter` (a wallboard that reloads itself), `/callcenter/missed` (未接来电 and call-backs, also on
the desk), `GET /api/v1/callcenter/live`, the call sheet of
the monthly workbook (`sheet.py`), and the scheduler's daily roll-up hook, which rebuilds each
ended day of `cc_daily_calls` / `cc_daily_agents`.
"""
from __future__ import annotations

from flask import Flask

from workorders.callcenter.daily import rollup_call_day


def init_app(app: Flask) -> None:
    from ..runtime import clock, timezone
    from ..stats_web.workbook import register_sheet
    from . import api, missed, pages
    from .sheet import calls_sheet

    app.register_blueprint(pages.bp)
    register_sheet(calls_sheet)  # the workbook's 话务 sheet
    app.jinja_env.globals["missed_calls_to_call_back"] = missed.missed_calls_to_call_back
    app.register_blueprint(api.api)
    tz = timezone(app)
    app.extensions.setdefault("hotline.rollup_hooks", []).append(
        lambda session, day: rollup_call_day(session, day, tz, clock(app).now()))
