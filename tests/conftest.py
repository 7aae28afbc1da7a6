"""Shared fixtures: a real database built by the migrations, each test rolled back.

HOTLINE_TEST_DATABASE_URL selects PostgreSQL; otherwise a temporary SQLite file is used. The
schema comes from `alembic upgrade heads`, so the migrations are tested on every run. Reference
data (calendar, policy presets, the demo city's departments and categories) is committed once;
everything a test creates is rolled back when it ends.
"""
from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from hotline import create_app
from hotline.db import make_engine, normalize_url
from hotline.migrate import upgrade
from workorders.clock import Clock

TZ = ZoneInfo("Asia/Shanghai")
# Hundreds of test users: a cheap hash keeps the suite fast; production keeps werkzeug's scrypt.
# Set before anything hashes, and inherited by the servers and schedulers tests start.
os.environ.setdefault("HOTLINE_PASSWORD_HASH", "pbkdf2:sha256:1000")
TEST_SECRET = "test-secret-key"
LONG_SESSIONS = timedelta(days=400)


def beijing(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any connection leaving this machine fails the test; loopback (databases, fakes) is fine."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("/"):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def reference_template(tmp_path_factory):
    """The URL of a committed database with the reference data (tests/committed.py), made once per
    run: tests that need a database of their own take a copy, `committed_database(..., template=)`."""
    from tests.committed import reference_database

    with reference_database(tmp_path_factory.mktemp("reference"), beijing(2026, 1, 1)) as url:
        yield url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("HOTLINE_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return normalize_url(url)


@pytest.fixture(scope="session")
def engine(database_url, tmp_path_factory):
    upgrade(database_url)
    engine = make_engine(database_url)
    app = _make_app(database_url, tmp_path_factory.mktemp("instance"), Clock.frozen(beijing(2026, 3, 2, 9), TZ))
    from hotline.demo import _seed_categories
    from tests.committed import seed_reference

    with app.app_context():
        from hotline.db import database

        with database().transaction() as session:
            seed_reference(session, beijing(2026, 1, 1))
            _seed_categories(session)
    database(app).dispose()
    yield engine
    engine.dispose()


def _make_app(url: str, instance, clock: Clock):
    return create_app({
        "DATABASE_URL": url,
        "SECRET_KEY": TEST_SECRET,
        "CLOCK": clock,
        "SCHEDULER": "off",
        "TESTING": True,
        "WTF_CSRF_ENABLED": True,
        "PUBLIC_URL": None,
        # Tests move the clock by days within one browser session; the 12-hour default is
        # tested on its own (tests/functional/test_web_auth.py).
        "PERMANENT_SESSION_LIFETIME": LONG_SESSIONS,
    })


@pytest.fixture
def clock() -> Clock:
    """Frozen at Monday 2026-03-02 09:00 Beijing time; tests move it with `clock.advance` or set it."""
    return Clock.frozen(beijing(2026, 3, 2, 9), TZ)


@contextmanager
def rolled_back(engine):
    """A connection in a transaction that is rolled back at the end, whatever happened in it."""
    conn = engine.connect()
    outer = conn.begin()
    try:
        yield conn
    finally:
        outer.rollback()
        conn.close()


@contextmanager
def savepoint(conn):
    """A savepoint of `conn`'s transaction, rolled back at the end: a test's own share of data
    that a module set up once in that transaction (see test_chinese_throughout.py)."""
    nested = conn.begin_nested()
    try:
        yield conn
    finally:
        if nested.is_active:
            nested.rollback()


@pytest.fixture
def connection(engine):
    with rolled_back(engine) as conn:
        yield conn


def app_on(connection, clock, instance):
    """An app whose every session joins `connection`'s transaction (commits become savepoints).
    The caller points HOTLINE_INSTANCE at `instance`."""
    app = _make_app(connection.engine.url.render_as_string(hide_password=False), instance, clock)
    from hotline.db import database

    database(app).dispose()
    database(app).bind_for_tests(connection)
    return app


@pytest.fixture
def app(connection, clock, tmp_path, monkeypatch):
    monkeypatch.setenv("HOTLINE_INSTANCE", str(tmp_path))
    return app_on(connection, clock, tmp_path)


@pytest.fixture
def session(app):
    from hotline.db import database

    s = database(app).sessions()
    yield s
    s.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- people and the API ---------------------------------------------------------------------------

class Api:
    """A JSON client acting with one user's bearer token."""

    def __init__(self, client, token: str):
        self.client, self.token = client, token

    def _headers(self):
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", query_string=params, headers=self._headers())

    def post(self, path: str, body=None):
        return self.client.post(f"/api/v1{path}", json=body if body is not None else {}, headers=self._headers())

    def act(self, number: str, action: str, body=None):
        return self.post(f"/orders/{number}/{action}", body)

    def create(self, **fields):
        body = {"type": "complaint", "channel": "phone", "content": "小区垃圾三天没有清运，气味很大。",
                "caller_name": "王先生", "caller_phone": "13812345678", **fields}
        response = self.post("/orders", body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()


@pytest.fixture
def make_user(app, session, clock):
    """make_user(role, department=None) -> (User, Api)."""
    from hotline.auth import hash_password, issue_token
    from workorders.people import create_user

    counter = iter(range(1, 10_000))

    def make(role: str, department: str | None = None, password: str = "password123"):
        user = create_user(session, username=f"{role}{next(counter)}", password_hash=hash_password(password),
                           role=role, department_code=department, now=clock.now())
        token = issue_token(session, user, clock.now())
        session.commit()
        return user, Api(app.test_client(), token)

    return make


@pytest.fixture
def desk(make_user):
    """One API client per role: agent, supervisor, leader, admin, and two departments."""
    return {
        "agent": make_user("agent")[1],
        "supervisor": make_user("supervisor")[1],
        "leader": make_user("leader")[1],
        "admin": make_user("admin")[1],
        "housing": make_user("department", "housing")[1],
        "urban": make_user("department", "urban")[1],
    }
