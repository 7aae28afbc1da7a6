"""Recordings of calls (agent calls when HOTLINE_RECORD_CALLS is on, and voicemails) and who played them.

Twilio keeps the audio; the hotline keeps the recording's sid and duration, and fetches the audio
with the account's credentials when hotline staff play it, so no Twilio URL is ever shown. Every
play is logged. A call can have several recordings (a voicemail, an agent leg, a transfer's leg),
so they are rows of their own, unique by RecordingSid (Twilio retries the status callback).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workorders.models import Base, User

from .models import Call

RECORDING_KINDS = ("call", "voicemail")


class Recording(Base):
    __tablename__ = "ivr_recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_sid: Mapped[str] = mapped_column(String(64), unique=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("ivr_calls.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # call / voicemail
    # Twilio's RecordingStatus: in-progress, completed, absent, failed.
    status: Mapped[str] = mapped_column(String(20))
    duration: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    call: Mapped[Call] = relationship()

    @property
    def playable(self) -> bool:
        return self.status == "completed"

    def __repr__(self) -> str:
        return f"<Recording {self.recording_sid} {self.status}>"


class RecordingPlay(Base):
    """One play of a recording by one member of the hotline staff."""

    __tablename__ = "ivr_recording_plays"

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("ivr_recordings.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    played_at: Mapped[datetime] = mapped_column(index=True)

    recording: Mapped[Recording] = relationship()
    user: Mapped[User] = relationship()
