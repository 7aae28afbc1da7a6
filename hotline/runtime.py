"""The app's clock and the domain context each entry point works in."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Flask, current_app
from sqlalchemy.orm import Session

from knowledge_base.usage import record_use
from workorders.calendar_store import load_calendar
from workorders.clock import Clock, format_offset
from workorders.context import Context


def init_app(app: Flask) -> None:
    tz = ZoneInfo(app.config["TIMEZONE"])
    app.extensions["hotline.tz"] = tz
    app.extensions["hotline.clock"] = app.config.get("CLOCK") or Clock.from_settings(
        app.config.get("CLOCK_NOW"), app.config.get("CLOCK_OFFSET"), tz
    )
    clock = app.extensions["hotline.clock"]
    if not clock.is_real:
        app.logger.warning("%s: not the real time", clock.describe())

    @app.context_processor
    def clock_banner():
        return {"clock_banner": None if clock.is_real else clock_description(clock)}


def clock(app: Flask | None = None) -> Clock:
    return (app or current_app).extensions["hotline.clock"]


def timezone(app: Flask | None = None) -> ZoneInfo:
    return (app or current_app).extensions["hotline.tz"]


def domain_context(session: Session, app: Flask | None = None) -> Context:
    app = app or current_app
    return Context(
        session=session,
        now=clock(app).now(),
        calendar=load_calendar(session),
        tz=timezone(app),
        secret=app.config["SECRET_KEY"].encode(),
        record_article_use=record_use,
    )


def clock_description(clock: Clock) -> str:
    """The banner's words for a clock that is not the real one, in the user's language."""
    from flask_babel import gettext  # noqa: PLC0415 (only pages ask, inside a request)

    if clock.is_frozen:
        return gettext("clock frozen")
    return gettext("clock shifted by %(offset)s", offset=format_offset(clock.offset))
