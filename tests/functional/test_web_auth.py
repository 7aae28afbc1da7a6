"""Signing in and out, attempts limited, secure cookies, password change, the language switch."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.web_support import PASSWORD, WebSession, csrf_token, people, text_of
from workorders.models import User


@pytest.fixture
def web(app, make_user):
    return people(app, make_user)


def test_the_root_sends_strangers_to_login_and_each_role_to_its_own_start_page(app, make_user, client):
    assert client.get("/").location.endswith("/login")
    homes = {"agent": "/desk", "supervisor": "/supervisor", "leader": "/supervisor/instruction",
             "admin": "/admin", "department": "/inbox"}
    for role, home in homes.items():
        user, _ = make_user(role, "housing" if role == "department" else None)
        person = WebSession(app)
        response = person.login(user.username)
        assert response.status_code == 302 and response.location == home
        assert person.get("/").location == home


def test_pages_need_a_signed_in_user(client):
    response = client.get("/desk")
    assert response.status_code == 302 and "/login?next=/desk" in response.location


def test_a_wrong_password_is_refused_and_counted(app, make_user, session):
    user, _ = make_user("agent")
    response = WebSession(app).login(user.username, "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    session.refresh(user)
    assert user.failed_logins == 1


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(app, make_user):
    user, _ = make_user("agent")
    unknown = WebSession(app).login("nobody-here", "whatever")
    known = WebSession(app).login(user.username, "whatever")
    assert unknown.status_code == known.status_code == 401
    assert text_of(unknown.get_data(as_text=True)) == text_of(known.get_data(as_text=True)).replace(
        user.username, "nobody-here")


def _from(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def login_from(app, address: str, username: str, password: str):
    client = app.test_client()
    token = csrf_token(client.get("/login", **_from(address)).get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       **_from(address))


def test_wrong_passwords_slow_down_the_attacker_with_growing_delays_not_the_account(app, make_user, clock):
    victim, _ = make_user("agent")
    attacker = "203.0.113.9"
    for _ in range(5):  # the first five failures of a day cost nothing
        assert login_from(app, attacker, victim.username, "wrong-password").status_code == 401
    assert login_from(app, attacker, victim.username, "wrong-password").status_code == 401  # the sixth: 30 s
    blocked = login_from(app, attacker, victim.username, PASSWORD)
    assert blocked.status_code == 429 and "30 秒" in text_of(blocked.get_data(as_text=True))
    # The victim, from their own desk, signs in at once: the account is not locked.
    assert login_from(app, "10.0.0.7", victim.username, PASSWORD).status_code == 302
    clock.advance(timedelta(seconds=31))
    assert login_from(app, attacker, victim.username, "wrong-password").status_code == 401  # the seventh: 1 min
    clock.advance(timedelta(seconds=31))
    assert login_from(app, attacker, victim.username, PASSWORD).status_code == 429  # the delay grew
    clock.advance(timedelta(seconds=30))
    assert login_from(app, attacker, victim.username, PASSWORD).status_code == 302


def test_unknown_usernames_count_against_the_client_like_known_ones(app, make_user):
    user, _ = make_user("agent")
    for n in range(6):
        assert login_from(app, "198.51.100.4", f"ghost{n}", "whatever").status_code == 401
    assert login_from(app, "198.51.100.4", user.username, PASSWORD).status_code == 429


def test_session_cookies_are_http_only_and_same_site(app, make_user):
    user, _ = make_user("agent")
    person = WebSession(app)
    response = person.login(user.username)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_secure_when_configured(app, make_user):
    app.config["SESSION_COOKIE_SECURE"] = True
    user, _ = make_user("agent")
    response = WebSession(app).login(user.username)
    assert "Secure" in response.headers["Set-Cookie"]


def test_pages_carry_a_strict_content_security_policy(web):
    response = web("agent").get("/desk")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.get_data(as_text=True)  # no inline script: the policy forbids it


def test_login_never_redirects_to_another_site(app, make_user):
    user, _ = make_user("agent")
    person = WebSession(app)
    token = csrf_token(person.get("/login").get_data(as_text=True))
    response = person.client.post("/login?next=//evil.example/x",
                                  data={"username": user.username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.location == "/desk"


def test_logout_ends_the_session(web):
    agent = web("agent")
    assert agent.post("/logout").status_code == 302
    assert agent.get("/desk").status_code == 302


def test_changing_the_password_ends_the_other_sessions(app, make_user, session):
    user, _ = make_user("agent")
    here, elsewhere = WebSession(app, user.username), WebSession(app, user.username)
    refused = here.post("/account/password", {"current": "wrong", "new": "new-password-1", "repeat": "new-password-1"})
    assert refused.status_code == 422
    response = here.post("/account/password", {"current": PASSWORD, "new": "new-password-1",
                                                "repeat": "new-password-1"})
    assert response.status_code == 302
    assert here.get("/desk").status_code == 200
    assert elsewhere.get("/desk").status_code == 302  # signed out
    assert WebSession(app).login(user.username, "new-password-1").status_code == 302


def test_the_language_switch_is_remembered_for_the_session_and_the_user(app, make_user, session):
    user, _ = make_user("agent")
    person = WebSession(app, user.username)
    assert 'lang="zh-CN"' in person.page("/desk")
    response = person.post("/locale", {"locale": "en", "next": "/desk"})
    assert response.location == "/desk"
    page = person.page("/desk")
    assert 'lang="en"' in page and "Agent desk" in text_of(page)
    session.refresh(user)
    assert user.locale == "en"
    # A new session of the same user starts in the language they chose.
    assert 'lang="en"' in WebSession(app, user.username).page("/desk")


def test_an_unknown_language_is_ignored(web):
    agent = web("agent")
    agent.post("/locale", {"locale": "fr", "next": "/desk"})
    assert 'lang="zh-CN"' in agent.page("/desk")


def test_inactive_users_cannot_sign_in(app, make_user, session):
    user, _ = make_user("agent")
    session.get(User, user.id).active = False
    session.commit()
    assert WebSession(app).login(user.username).status_code == 401
    session.expire_all()
    assert session.scalar(select(User.failed_logins).where(User.id == user.id)) == 1  # counted, locks nothing


def test_a_session_lasts_a_shift_not_a_month(app, make_user, clock, connection):
    from hotline import create_app

    default = create_app({"DATABASE_URL": connection.engine.url.render_as_string(hide_password=False),
                          "SECRET_KEY": "x", "SCHEDULER": "off", "TESTING": True})
    assert default.permanent_session_lifetime == timedelta(hours=12)  # Flask's own default is 31 days
    app.config["PERMANENT_SESSION_LIFETIME"] = default.permanent_session_lifetime
    user, _ = make_user("agent")
    person = WebSession(app, user.username)
    clock.advance(timedelta(hours=11, minutes=59))
    assert person.get("/desk").status_code == 200
    clock.advance(timedelta(minutes=2))
    assert person.get("/desk").status_code == 302  # ended on the server, whatever the cookie says


def test_a_cookie_copied_before_logout_no_longer_works_after_it(app, make_user):
    user, _ = make_user("agent")
    person = WebSession(app, user.username)
    copied = person.client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/desk").status_code == 200
    person.post("/logout")
    assert thief.get("/desk").status_code == 302


def test_a_cookie_copied_before_a_password_change_no_longer_works_after_it(app, make_user):
    user, _ = make_user("agent")
    person = WebSession(app, user.username)
    thief = app.test_client()
    thief.set_cookie("session", person.client.get_cookie("session").value)
    response = person.post("/account/password", {"current": PASSWORD, "new": "river-lantern-42",
                                                  "repeat": "river-lantern-42"})
    assert response.status_code == 302
    assert person.get("/desk").status_code == 200
    assert thief.get("/desk").status_code == 302


def test_a_new_password_must_be_twelve_characters_and_not_a_common_one(app, make_user):
    user, _ = make_user("agent")
    person = WebSession(app, user.username)
    for weak in ("short-pw-1", "password1234", "1qaz2wsx3edc"):
        response = person.post("/account/password", {"current": PASSWORD, "new": weak, "repeat": weak})
        assert response.status_code == 422, weak
    assert WebSession(app).login(user.username, PASSWORD).status_code == 302
