"""`/ivr/recording/status`: Twilio's recordingStatusCallback for the agents' recorded calls.

Parameters: RecordingSid, RecordingUrl, RecordingDuration, RecordingStatus, CallSid (the caller's
call, the parent of the recorded `<Dial>`). Stored once per RecordingSid, whatever Twilio repeats.
"""
from __future__ import annotations

from hotline import db
from hotline.runtime import domain_context

from .blueprint import BadWebhook, bp, inbound_call, param, twiml, whole_number
from .recordings import RECORDING_SID, store_recording
from .twiml import Twiml

RECORDING_STATUSES = ("in-progress", "completed", "absent", "failed")


@bp.post("/recording/status")
def recording_status():
    session = db.session()
    ctx = domain_context(session)
    sid = param("RecordingSid")
    if not RECORDING_SID.match(sid):
        raise BadWebhook("parameter RecordingSid is not a Twilio recording id")
    status = param("RecordingStatus", required=False, limit=20) or "completed"
    if status not in RECORDING_STATUSES:
        raise BadWebhook(f"unknown RecordingStatus {status}")
    call = inbound_call(ctx)
    store_recording(session, call, sid, "call", status, whole_number("RecordingDuration"), ctx.now)
    call.updated_at = ctx.now
    session.commit()
    return Twiml.send(twiml().empty())
