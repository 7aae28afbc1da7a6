"""Helpers for the web UI tests: a signed-in browser session over Flask's test client."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "password123"


def csrf_token(page: str) -> str:
    found = CSRF.search(page)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def action_forms(page: str) -> list[str]:
    """The actions the order page offers, in order (one form per action)."""
    return re.findall(r'class="[^"]*\baction-form\b[^"]*" data-action="([a-z_]+)"', page)


class _FormReader(HTMLParser):
    """The fields of one form of a page: name -> what the browser would send untouched."""

    def __init__(self, action_url: str):
        super().__init__()
        self.action_url, self.inside, self.found = action_url, False, False
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and html.unescape(attrs.get("action") or "") == self.action_url:
            self.inside = self.found = True
        elif self.inside and tag in ("input", "textarea", "select") and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in attrs:
                self.fields.setdefault(attrs["name"], "")
            else:
                self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def page_form(page: str, action_url: str) -> dict[str, str]:
    """The form of `page` posting to `action_url`, as its fields (fails when there is none)."""
    reader = _FormReader(action_url)
    reader.feed(page)
    assert reader.found, f"the page has no form posting to {action_url}"
    return reader.fields


def annotation_forms(page: str) -> list[str]:
    """The notes and links the order page offers (note, 催单, 重复诉求), in order."""
    return re.findall(r'class="grid-form annotation-form" data-action="([a-z_]+)"', page)


def text_of(page: str) -> str:
    """The page's text without tags (entities decoded), to look for what a person reads."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


class WebSession:
    """One person in one browser: cookies, the CSRF token of the session, forms posted as a browser does."""

    def __init__(self, app, username: str | None = None, password: str = PASSWORD):
        self.app = app
        self.client = app.test_client()
        self.username = username
        if username:
            response = self.login(username, password)
            assert response.status_code == 302, response.get_data(as_text=True)

    def login(self, username: str, password: str = PASSWORD):
        token = csrf_token(self.client.get("/login").get_data(as_text=True))
        return self.client.post("/login", data={"username": username, "password": password, "csrf_token": token})

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def page(self, path: str, status: int = 200) -> str:
        response = self.client.get(path)
        assert response.status_code == status, (path, response.status_code, response.get_data(as_text=True)[:2000])
        return response.get_data(as_text=True)

    def token(self) -> str:
        return csrf_token(self.client.get("/login" if not self.username else "/orders").get_data(as_text=True))

    def post(self, path: str, data: dict | None = None, csrf: bool = True, **kwargs):
        data = dict(data or {})
        if csrf:
            data["csrf_token"] = self.token()
        return self.client.post(path, data=data, **kwargs)

    def act(self, number: str, action: str, data: dict | None = None, **kwargs):
        return self.post(f"/orders/{number}/{action}", data, **kwargs)

    def act_on_page(self, number: str, action: str, typed: dict | None = None, **kwargs):
        """Fill in the order page's own form of `action` as a person would: only its fields."""
        url = f"/orders/{number}/{action}"
        fields = page_form(self.page(f"/orders/{number}"), url)
        missing = sorted(set(typed or {}) - set(fields))
        assert not missing, f"the form of {action} has no field {missing}; it has {sorted(fields)}"
        return self.client.post(url, data={**fields, **(typed or {})}, **kwargs)


def people(app, make_user):
    """For a test module's `web` fixture: web(role, department=None) -> a WebSession of a new user."""
    def signed_in(role: str, department: str | None = None) -> WebSession:
        user, _api = make_user(role, department)
        return WebSession(app, user.username)

    return signed_in
