"""TwiML the hotline answers with, built with twilio's `VoiceResponse` / `MessagingResponse`.

Every `<Say>` carries the configured voice and language; every `<Gather>`, `<Record>` and
`<Redirect>` points at one of the blueprint's endpoints, absolute under HOTLINE_PUBLIC_URL when
the app sits behind a proxy (so Twilio calls back where the signature is computed).
"""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from flask import Response
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from .settings import IvrSettings

TWIML_MIMETYPE = "text/xml"
# Long enough for a citizen to explain a problem; Twilio's own ceiling is 4 hours.
MAX_RECORDING_SECONDS = 180


class Twiml:
    def __init__(self, settings: IvrSettings):
        self.settings = settings

    # -- building blocks ---------------------------------------------------------------------------

    def url(self, path: str, **query: str) -> str:
        base = self.settings.public_url or ""
        return base + path + (("?" + urlencode(query)) if query else "")

    def text(self, key: str, **values: str) -> str:
        return self.settings.prompts[key].format(**values)

    def say(self, node, key: str, **values: str) -> None:
        node.say(self.text(key, **values), voice=self.settings.voice, language=self.settings.language)

    @staticmethod
    def send(response) -> Response:
        return Response(str(response), mimetype=TWIML_MIMETYPE)

    def fixed(self, name: str, build: Callable[[], VoiceResponse]) -> str:
        """TwiML made of configuration only, rendered on first use and then reused as text.

        Every call starts with the greeting: building and serialising it each time cost as much as
        logging the call.
        """
        text = self.settings.rendered.get(name)
        if text is None:
            text = self.settings.rendered[name] = str(build())
        return text

    # -- the caller's path -------------------------------------------------------------------------

    def menu(self, *prefix: str, welcome: bool = False) -> VoiceResponse:
        response = VoiceResponse()
        if welcome:
            self.say(response, "welcome")
        for key in prefix:
            self.say(response, key)
        gather = response.gather(num_digits=1, action=self.url("/ivr/menu"), method="POST", timeout=6)
        self.say(gather, "menu")
        # No key pressed: /ivr/menu without Digits counts a silent round and plays the menu again.
        response.redirect(self.url("/ivr/menu"), method="POST")
        return response

    def record(self, *keys: str, welcome: bool = False) -> VoiceResponse:
        response = VoiceResponse()
        if welcome:
            self.say(response, "welcome")
        for key in keys:
            self.say(response, key)
        response.record(
            action=self.url("/ivr/recording"), method="POST", max_length=MAX_RECORDING_SECONDS,
            finish_on_key="#", play_beep=True, timeout=6,
        )
        # Twilio goes on here only when nothing was recorded.
        self.say(response, "recording_missing")
        self.say(response, "goodbye")
        response.hangup()
        return response

    def speech(self) -> VoiceResponse:
        response = VoiceResponse()
        gather = response.gather(
            input="speech", action=self.url("/ivr/speech"), method="POST",
            language=self.settings.speech_language, speech_timeout="auto", timeout=6,
        )
        self.say(gather, "speech")
        response.redirect(self.url("/ivr/speech"), method="POST")
        return response

    def to_agent(self) -> VoiceResponse:
        """Only when HOTLINE_AGENT_NUMBER sends every caller to one outside number (no queue)."""
        response = VoiceResponse()
        self.say(response, "to_agent")
        response.dial(self.settings.agent_number)
        return response

    # -- the agents' queue (docs/call-centre.md) ------------------------------------------------

    def enqueue(self, *keys: str) -> VoiceResponse:
        response = VoiceResponse()
        for key in keys:
            self.say(response, key)
        response.enqueue(self.settings.agent_queue, wait_url=self.url("/ivr/queue/wait"), wait_url_method="POST",
                         action=self.url("/ivr/queue/left"), method="POST")
        return response

    def queue_wait(self, position: int, minutes: int, leave: bool) -> VoiceResponse:
        """What a waiting caller hears, then Twilio asks the wait URL again."""
        response = VoiceResponse()
        if leave:
            response.leave()
            return response
        if position <= 1:
            self.say(response, "queue_next")
        else:
            self.say(response, "queue_position", ahead=str(position - 1), minutes=str(minutes))
        if self.settings.hold_audio_url:
            response.play(self.settings.hold_audio_url)
        else:
            response.pause(length=15)
        return response

    def redirect_to(self, path: str, **query: str) -> VoiceResponse:
        response = VoiceResponse()
        response.redirect(self.url(path, **query), method="POST")
        return response

    def connect_agent(self, entry_id: int, identity: str, phone: str | None, caller: str | None,
                      ring_seconds: int, call_sid: str = "") -> VoiceResponse:
        """The caller's leg rings the assigned agent: the browser (`<Client>`) or their phone."""
        response = VoiceResponse()
        self.say(response, "to_agent")
        options = {}
        if self.settings.record_calls:
            options = {"record": "record-from-answer-dual", "recording_status_callback_method": "POST",
                       "recording_status_callback": self.url("/ivr/recording/status")}
        dial = response.dial(timeout=ring_seconds, action=self.url("/ivr/queue/dialed", entry=str(entry_id)),
                             method="POST", **options)
        answered = self.url("/ivr/queue/answered", entry=str(entry_id))
        if phone:
            dial.number(phone, url=answered, method="POST")
        else:
            client = dial.client(url=answered, method="POST")
            client.identity(identity)
            client.parameter(name="entry", value=str(entry_id))
            client.parameter(name="caller", value=caller or "")
            client.parameter(name="call_sid", value=call_sid)
        return response

    def hold(self, entry_id: int) -> VoiceResponse:
        """The agent put the caller on hold: hold audio (or silence) until the agent resumes."""
        response = VoiceResponse()
        self.say(response, "queue_hold")
        if self.settings.hold_audio_url:
            response.play(self.settings.hold_audio_url)
        else:
            response.pause(length=30)
        response.redirect(self.url("/ivr/queue/hold", entry=str(entry_id)), method="POST")
        return response

    def query_number(self, *prefix: str) -> VoiceResponse:
        return self._query_gather(prefix, "query_number", "number", 13)

    def query_code(self, *prefix: str) -> VoiceResponse:
        return self._query_gather(prefix, "query_code", "code", 6)

    def _query_gather(self, prefix, prompt: str, step: str, digits: int) -> VoiceResponse:
        response = VoiceResponse()
        for key in prefix:
            self.say(response, key)
        gather = response.gather(
            num_digits=digits, finish_on_key="#", timeout=10, method="POST",
            action=self.url("/ivr/query", step=step),
        )
        self.say(gather, prompt)
        response.redirect(self.url("/ivr/menu"), method="POST")
        return response

    def query_result(self, state: str, has_reply: bool) -> VoiceResponse:
        response = VoiceResponse()
        self.say(response, "query_state", state=state)
        if has_reply:
            self.say(response, "query_has_reply")
        gather = response.gather(num_digits=1, action=self.url("/ivr/menu"), method="POST", timeout=6)
        self.say(gather, "menu")
        response.redirect(self.url("/ivr/menu"), method="POST")
        return response

    def goodbye(self, *keys: str, **values: str) -> VoiceResponse:
        response = VoiceResponse()
        for key in keys:
            self.say(response, key, **values)
        response.hangup()
        return response

    @staticmethod
    def empty() -> VoiceResponse:
        """For callbacks whose answer Twilio ignores (call status)."""
        return VoiceResponse()

    def apology(self) -> VoiceResponse:
        return self.goodbye("apology")

    # -- the satisfaction survey -------------------------------------------------------------------

    def survey_question(self, order_number: str, step: str, *prefix: str) -> VoiceResponse:
        response = VoiceResponse()
        for key in prefix:
            self.say(response, key)
        gather = response.gather(
            num_digits=1, timeout=8, method="POST",
            action=self.url("/ivr/survey", order=order_number, step=step),
        )
        self.say(gather, "survey_satisfaction" if step == "satisfaction" else "survey_resolved")
        self.say(response, "survey_no_answer")
        response.hangup()
        return response

    # -- SMS ---------------------------------------------------------------------------------------

    def sms(self, key: str | None, **values: str) -> MessagingResponse:
        response = MessagingResponse()
        if key is not None:
            response.message(self.text(key, **values))
        return response
