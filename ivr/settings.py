"""Telephony configuration (SPEC §5, §10): environment first, `create_app(test_config)` overrides.

Every text the caller hears, the `<Say>` voice and language and the speech-recognition language
are configuration with Mandarin defaults, so a hotline can re-record its wording without code.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from flask import Flask

from .prompts import DEFAULT_PROMPTS


def defaults_from_environment() -> dict:
    env = os.environ.get
    return {
        # "off" only for development without a Twilio account; the app logs it loudly.
        "IVR_SIGNATURES": env("HOTLINE_TWILIO_SIGNATURES", "on"),
        # A HMAC-SHA256 webhook SharedKey's secret, when the account signs with one.
        "TWILIO_WEBHOOK_SHARED_KEY": env("TWILIO_WEBHOOK_SHARED_KEY"),
        # Where the REST client sends requests (a proxy, or a fake Twilio in tests).
        "TWILIO_API_BASE_URL": env("TWILIO_API_BASE_URL"),
        # twilio / console; unset: twilio when the account is configured, else console.
        "IVR_TELEPHONY": env("HOTLINE_TELEPHONY"),
        # Unset: the call centre is staffed 7×24 (the staffing schedule's default); set, it seeds
        # the schedule (those hours on Monday–Friday) the first time the schedule is read.
        "IVR_WORKING_HOURS": env("HOTLINE_WORKING_HOURS"),
        "IVR_VOICE": env("HOTLINE_IVR_VOICE", "Polly.Zhiyu-Neural"),
        "IVR_LANGUAGE": env("HOTLINE_IVR_LANGUAGE", "cmn-CN"),
        "IVR_SPEECH_LANGUAGE": env("HOTLINE_IVR_SPEECH_LANGUAGE", "cmn-Hans-CN"),
        "IVR_AGENT_QUEUE": env("HOTLINE_AGENT_QUEUE", "agents"),
        "IVR_AGENT_NUMBER": env("HOTLINE_AGENT_NUMBER"),
        "IVR_QUERY_ATTEMPTS_PER_CALL": int(env("HOTLINE_IVR_QUERY_ATTEMPTS_PER_CALL", "3")),
        "IVR_PROMPTS": _prompts_from_environment(),
        # The call centre (docs/call-centre.md).
        "CC_HOLD_AUDIO_URL": env("HOTLINE_HOLD_AUDIO_URL"),
        "CC_MAX_WAIT_SECONDS": int(env("HOTLINE_QUEUE_MAX_WAIT_SECONDS", "300")),
        "CC_ANSWER_SECONDS": int(env("HOTLINE_AGENT_ANSWER_SECONDS", "20")),
        "CC_WRAP_UP_SECONDS": int(env("HOTLINE_WRAP_UP_SECONDS", "30")),
        "CC_RECORD_CALLS": env("HOTLINE_RECORD_CALLS", "off"),
        # How long a web process answers calls from its copy of the staffing schedule and calendar
        # before reading them again (ivr/staffing.py); 0 reads them for every call.
        "CC_STAFFING_COPY_SECONDS": int(env("HOTLINE_STAFFING_COPY_SECONDS", "5")),
        "TWILIO_API_KEY": env("TWILIO_API_KEY"),
        "TWILIO_API_SECRET": env("TWILIO_API_SECRET"),
        "TWILIO_TWIML_APP_SID": env("TWILIO_TWIML_APP_SID"),
    }


def _prompts_from_environment() -> dict[str, str]:
    """HOTLINE_IVR_PROMPTS names a JSON file of texts; HOTLINE_IVR_PROMPT_<NAME> overrides one."""
    prompts: dict[str, str] = {}
    path = os.environ.get("HOTLINE_IVR_PROMPTS")
    if path:
        prompts.update(json.loads(Path(path).read_text(encoding="utf-8")))
    for name in DEFAULT_PROMPTS:
        value = os.environ.get(f"HOTLINE_IVR_PROMPT_{name.upper()}")
        if value:
            prompts[name] = value
    return prompts


HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def parse_working_hours(spec: str) -> list[tuple[time, time | None]]:
    """'08:30-12:00,13:30-17:30' → ranges; an end of 24:00 means to midnight (None)."""
    ranges = []
    for part in spec.split(","):
        match = HOURS.match(part.strip())
        if not match:
            raise ValueError(f"working hours '{part}' are not like 08:30-17:30")
        h1, m1, h2, m2 = map(int, match.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
            raise ValueError(f"working hours '{part}' name an impossible time")
        start, end = time(h1, m1), (None if h2 == 24 else time(h2, m2))
        if end is not None and end <= start:
            raise ValueError(f"working hours '{part}' end before they start")
        ranges.append((start, end))
    return ranges


@dataclass(frozen=True)
class IvrSettings:
    signatures: bool
    auth_token: str | None
    shared_key: str | None
    public_url: str | None
    account_sid: str | None
    number: str | None
    api_base_url: str | None
    telephony: str
    working_hours: list[tuple[time, time | None]] | None
    voice: str
    language: str
    speech_language: str
    agent_queue: str
    agent_number: str | None
    query_attempts_per_call: int
    prompts: dict[str, str]
    hold_audio_url: str | None = None
    max_wait_seconds: int = 300
    answer_seconds: int = 20
    wrap_up_seconds: int = 30
    record_calls: bool = False
    staffing_copy_seconds: int = 5
    api_key: str | None = None
    api_secret: str | None = None
    twiml_app_sid: str | None = None
    # TwiML that depends on nothing but these settings (the greeting), rendered once: see Twiml.fixed.
    rendered: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_app(cls, app: Flask) -> IvrSettings:
        c = app.config
        unknown = sorted(set(c["IVR_PROMPTS"]) - set(DEFAULT_PROMPTS))
        if unknown:
            raise ValueError(f"unknown IVR prompt(s): {', '.join(unknown)}")
        signatures = str(c["IVR_SIGNATURES"]).strip().lower()
        if signatures not in ("on", "off"):
            raise ValueError("HOTLINE_TWILIO_SIGNATURES must be 'on' or 'off'")
        account_ready = bool(c.get("TWILIO_ACCOUNT_SID") and c.get("TWILIO_AUTH_TOKEN") and c.get("TWILIO_NUMBER"))
        telephony = c["IVR_TELEPHONY"] or ("twilio" if account_ready else "console")
        if telephony not in ("twilio", "console"):
            raise ValueError("HOTLINE_TELEPHONY must be 'twilio' or 'console'")
        return cls(
            signatures=signatures == "on",
            auth_token=c.get("TWILIO_AUTH_TOKEN"),
            shared_key=c.get("TWILIO_WEBHOOK_SHARED_KEY"),
            public_url=(c.get("PUBLIC_URL") or "").rstrip("/") or None,
            account_sid=c.get("TWILIO_ACCOUNT_SID"),
            number=c.get("TWILIO_NUMBER"),
            api_base_url=c.get("TWILIO_API_BASE_URL"),
            telephony=telephony,
            working_hours=parse_working_hours(c["IVR_WORKING_HOURS"]) if c["IVR_WORKING_HOURS"] else None,
            voice=c["IVR_VOICE"],
            language=c["IVR_LANGUAGE"],
            speech_language=c["IVR_SPEECH_LANGUAGE"],
            agent_queue=c["IVR_AGENT_QUEUE"],
            agent_number=c.get("IVR_AGENT_NUMBER"),
            query_attempts_per_call=int(c["IVR_QUERY_ATTEMPTS_PER_CALL"]),
            prompts={**DEFAULT_PROMPTS, **c["IVR_PROMPTS"]},
            hold_audio_url=c.get("CC_HOLD_AUDIO_URL") or None,
            max_wait_seconds=_positive(c, "CC_MAX_WAIT_SECONDS"),
            answer_seconds=_positive(c, "CC_ANSWER_SECONDS"),
            wrap_up_seconds=_positive(c, "CC_WRAP_UP_SECONDS", zero=True),
            record_calls=_switch(c, "CC_RECORD_CALLS", "HOTLINE_RECORD_CALLS"),
            staffing_copy_seconds=_positive(c, "CC_STAFFING_COPY_SECONDS", zero=True),
            api_key=c.get("TWILIO_API_KEY") or None,
            api_secret=c.get("TWILIO_API_SECRET") or None,
            twiml_app_sid=c.get("TWILIO_TWIML_APP_SID") or None,
        )


def _positive(config, key: str, zero: bool = False) -> int:
    value = int(config[key])
    if value < 0 or (value == 0 and not zero):
        raise ValueError(f"{key} must be a {'non-negative' if zero else 'positive'} number of seconds")
    return value


def _switch(config, key: str, variable: str) -> bool:
    value = str(config.get(key) or "off").strip().lower()
    if value not in ("on", "off"):
        raise ValueError(f"{variable} must be 'on' or 'off'")
    return value == "on"


def init_app(app: Flask) -> IvrSettings:
    for key, value in defaults_from_environment().items():
        app.config.setdefault(key, value)
    settings = IvrSettings.from_app(app)
    app.extensions["ivr.settings"] = settings
    return settings
