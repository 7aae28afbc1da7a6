"""Flask's signed-cookie sessions, without their cost for requests that carry no session.

Twilio's webhooks, the JSON API and the Open311 clients send no session cookie, yet Flask's
`SecureCookieSessionInterface` builds its signing serializer (key derivation included) to open
every request's session and reads seven cookie settings to save it. For such a request nothing
can be loaded and, unless the view wrote to the session, nothing is saved: this interface skips
straight to that answer and leaves everything else to Flask's own code.
"""
from __future__ import annotations

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSessionInterface, SessionMixin


class CookieSessions(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request):
        if not app.secret_key:
            return None  # Flask's own refusal: a session needs a secret key
        if "HTTP_COOKIE" not in request.environ or not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)
