"""The recording player's endpoint and the play log."""
from __future__ import annotations

from flask import Response, current_app, render_template, request, stream_with_context
from flask_login import current_user
from sqlalchemy import select

from ivr.recording_models import Recording, RecordingPlay
from ivr.recordings import RecordingUnavailable, fetch_audio, log_play, recordings_of_calls

from .. import db
from ..runtime import clock
from ..web.security import browser_blueprint, roles_required

bp = browser_blueprint("recordings", __name__, url_prefix="/recordings")

# Hotline staff; departments never hear a caller's voice.
LISTENER_ROLES = ("agent", "supervisor", "leader", "admin")
LOG_READER_ROLES = ("supervisor", "admin")
CHUNK_BYTES = 64 * 1024
PLAYS_SHOWN = 200


def call_recordings(call) -> list[Recording]:
    """For the order page: the call's recordings the signed-in user may play."""
    if not current_user.is_authenticated or current_user.role not in LISTENER_ROLES:
        return []
    return [r for r in recordings_of_calls(db.session(), [call.id]).get(call.id, []) if r.playable]


@bp.get("/<int:recording_id>/audio")
@roles_required(*LISTENER_ROLES)
def audio(recording_id: int):
    session = db.session()
    recording = session.get(Recording, recording_id)
    if recording is None or not recording.playable:
        return Response("no such recording", status=404, mimetype="text/plain")
    try:
        upstream = fetch_audio(current_app.extensions["ivr.settings"], recording)
    except RecordingUnavailable as exc:
        current_app.logger.warning("recording %s not played: %s", recording.recording_sid, exc)
        return Response(f"the recording cannot be fetched now: {exc}", status=502, mimetype="text/plain")
    # The play is on record before a byte of audio leaves.
    log_play(session, recording, current_user.user.id, clock().now())
    session.commit()

    def chunks():
        try:
            yield from upstream.iter_content(CHUNK_BYTES)
        finally:
            upstream.close()

    headers = {"Cache-Control": "no-store"}
    if upstream.headers.get("Content-Length"):
        headers["Content-Length"] = upstream.headers["Content-Length"]
    return Response(stream_with_context(chunks()), mimetype=upstream.headers.get("Content-Type", "audio/mpeg"),
                    headers=headers)


@bp.get("/plays")
@roles_required(*LOG_READER_ROLES)
def plays():
    session = db.session()
    query = select(RecordingPlay).order_by(RecordingPlay.played_at.desc(), RecordingPlay.id.desc())
    recording_id = request.args.get("recording", "")
    if recording_id.isdigit():
        query = query.where(RecordingPlay.recording_id == int(recording_id))
    return render_template("recordings/plays.html", plays=session.scalars(query.limit(PLAYS_SHOWN)).all(),
                           limit=PLAYS_SHOWN)
