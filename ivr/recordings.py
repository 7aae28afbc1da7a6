"""Recordings: stored from Twilio's callbacks (idempotent on RecordingSid), found for a call, played.

The audio stays at Twilio. `fetch_audio` asks Twilio's REST API for it with the account's
credentials (HTTP basic auth; `TWILIO_API_BASE_URL` sends the request elsewhere, e.g. the tests'
fake Twilio) and hands back the open response to stream; the Twilio URL never leaves the server.
"""
from __future__ import annotations

import re
from datetime import datetime

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Call
from .recording_models import Recording, RecordingPlay
from .records import _claim
from .settings import IvrSettings

TWILIO_API = "https://api.twilio.com"
FETCH_TIMEOUT_SECONDS = 15
RECORDING_SID = re.compile(r"^RE[0-9A-Za-z]{2,62}$")
# The sid at the end of a RecordingUrl Twilio sends (…/Recordings/RE…), for callbacks without RecordingSid.
SID_IN_URL = re.compile(r"/(RE[0-9A-Za-z]{2,62})(?:\.\w+)?$")


class RecordingUnavailable(Exception):
    """Twilio did not hand over the audio (unknown, deleted, not configured, unreachable)."""


def recording_sid_of(sid: str | None, url: str | None) -> str | None:
    if sid and RECORDING_SID.match(sid):
        return sid
    match = SID_IN_URL.search(url or "")
    return match.group(1) if match else None


def store_recording(session: Session, call: Call, sid: str, kind: str, status: str, duration: int | None,
                    now: datetime) -> Recording:
    """The recording's row, created once; a later callback (in-progress → completed) updates it."""
    recording, created = _claim(
        session,
        lambda: session.scalar(select(Recording).where(Recording.recording_sid == sid)),
        lambda: Recording(recording_sid=sid, call_id=call.id, kind=kind, status=status, duration=duration,
                          created_at=now, updated_at=now),
    )
    if not created and recording.status != "completed":
        recording.status, recording.updated_at = status, now
        recording.duration = duration if duration is not None else recording.duration
    return recording


def recordings_of_calls(session: Session, call_ids: list[int]) -> dict[int, list[Recording]]:
    found: dict[int, list[Recording]] = {}
    if not call_ids:
        return found
    for recording in session.scalars(select(Recording).where(Recording.call_id.in_(call_ids))
                                     .order_by(Recording.created_at, Recording.id)):
        found.setdefault(recording.call_id, []).append(recording)
    return found


def log_play(session: Session, recording: Recording, user_id: int, now: datetime) -> RecordingPlay:
    play = RecordingPlay(recording_id=recording.id, user_id=user_id, played_at=now)
    session.add(play)
    session.flush()
    return play


def fetch_audio(settings: IvrSettings, recording: Recording) -> requests.Response:
    """Twilio's answer for the recording's MP3, opened for streaming (the caller closes it)."""
    if not (settings.account_sid and settings.auth_token):
        raise RecordingUnavailable("the Twilio account (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN) is not configured")
    base = (settings.api_base_url or TWILIO_API).rstrip("/")
    url = f"{base}/2010-04-01/Accounts/{settings.account_sid}/Recordings/{recording.recording_sid}.mp3"
    try:
        response = requests.get(url, auth=(settings.account_sid, settings.auth_token), stream=True,
                                timeout=FETCH_TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        raise RecordingUnavailable(f"Twilio could not be reached: {exc.__class__.__name__}") from exc
    if response.status_code != 200:
        response.close()
        raise RecordingUnavailable(f"Twilio answered {response.status_code} for recording {recording.recording_sid}")
    return response
