"""Helpers of the portal tests: a citizen with a browser-like test client (CSRF tokens and all)."""
from __future__ import annotations

import re

from sqlalchemy import select

from workorders.models import WorkOrder

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Citizen:
    def __init__(self, client, ip: str = "203.0.113.7", locale: str = "en"):
        self.client, self.ip = client, ip
        with client.session_transaction() as cookie_session:
            cookie_session["locale"] = locale  # the language switch's choice

    def _env(self):
        return {"REMOTE_ADDR": self.ip}

    def get(self, path: str, **params):
        return self.client.get(path, query_string=params, environ_base=self._env())

    def post(self, path: str, form: dict, token_from: str | None = None):
        page = self.get(token_from or path)
        match = TOKEN.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {token_from or path}"
        return self.client.post(path, data={"csrf_token": match.group(1), **form}, environ_base=self._env())

    def write(self, **fields):
        form = {"type": "complaint", "content": "小区门口的路灯坏了一个月，晚上很黑。", "district": "东城区",
                "address": "新河街道幸福小区北门", "caller_name": "赵敏", "caller_phone": "13566667777",
                "public_consent": "yes", **fields}
        return self.post("/portal/write", form)

    def written(self, **fields) -> tuple[str, str]:
        """Write in; the order number and access code from the answer page."""
        response = self.write(**fields)
        assert response.status_code == 200, response.get_data(as_text=True)
        html = response.get_data(as_text=True)
        number = re.search(r'id="order-number">([^<]+)<', html).group(1)
        code = re.search(r'id="access-code">([^<]+)<', html).group(1)
        return number, code

    def query(self, number: str, code: str):
        return self.post("/portal/query", {"number": number, "code": code})


def order_numbered(session, number: str) -> WorkOrder:
    session.expire_all()
    return session.scalar(select(WorkOrder).where(WorkOrder.number == number))


class Staff(Citizen):
    """A member of staff in the browser: signed in through the login form."""

    def login(self, username: str, password: str = "password123"):
        response = self.post("/login", {"username": username, "password": password})
        assert response.status_code == 302, response.status_code
        return self
