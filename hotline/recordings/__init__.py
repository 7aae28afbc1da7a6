"""Playing call recordings and voicemails through the app, for hotline staff only, every play logged.

`GET /recordings/<id>/audio` streams the audio from Twilio (see `ivr.recordings.fetch_audio`) after
logging the play; `/recordings/plays` is the log, for supervisors and admins. Order pages show a
player for each recording of the order's calls (`call_recordings` in the templates).
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import views

    app.register_blueprint(views.bp)
    app.jinja_env.globals["call_recordings"] = views.call_recordings
