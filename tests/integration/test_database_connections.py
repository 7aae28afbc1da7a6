"""The database layer's two shortcuts for hot paths, on a committed database (SQLite or PostgreSQL).

- `Database.single_statements()`: each statement is its own transaction, committed as it runs
  (no BEGIN/COMMIT round trips for /ivr/voice), so another connection sees it at once.
- PostgreSQL connections, of both pools, are tested before use only after sitting idle: a server
  that dropped them (a restart) costs no request.
"""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text

from hotline import db as hotline_db
from hotline.db import Database
from ivr.models import Call
from ivr.records import start_call
from tests.committed import committed_database
from tests.conftest import beijing

pytestmark = pytest.mark.committed


@pytest.fixture
def url(tmp_path, reference_template):
    with committed_database(tmp_path, template=reference_template) as url:
        yield url


def seen_elsewhere(url: str, query):
    """What another connection (another process, in effect) reads now."""
    other = create_engine(hotline_db.normalize_url(url))
    try:
        with other.connect() as conn:
            return conn.scalar(query)
    finally:
        other.dispose()


def test_a_statement_on_single_statements_is_committed_as_it_runs(url):
    database = Database(url)
    try:
        with database.single_statements() as connection:
            logged = start_call(connection, "CA-single-1", beijing(2026, 3, 2, 9), from_number="+8613900000001",
                                after_hours=True)
            # Still inside the block: another connection already sees the row.
            assert seen_elsewhere(url, select(func.count()).select_from(Call).where(Call.call_sid == "CA-single-1")) == 1
            again = start_call(connection, "CA-single-1", beijing(2026, 3, 2, 10), from_number="+8613900000001")
        # The retry inserts nothing and hears the first copy's decision.
        assert logged.created and not again.created and again.after_hours
        # Ordinary sessions still hold their writes until they commit.
        with database.sessions() as session:
            session.execute(text("UPDATE ivr_calls SET menu_rounds = 7 WHERE call_sid = 'CA-single-1'"))
            assert seen_elsewhere(url, text("SELECT menu_rounds FROM ivr_calls WHERE call_sid = 'CA-single-1'")) == 0
            session.rollback()
    finally:
        database.dispose()


@pytest.mark.parametrize("pool", ["sessions", "single statements"])
def test_a_pooled_postgresql_connection_the_server_dropped_is_replaced_after_idling(url, monkeypatch, pool):
    if not url.startswith("postgresql"):
        pytest.skip("SQLite has no server to drop connections (this runs in the PostgreSQL suite)")
    database = Database(url)
    connect = database.engine.connect if pool == "sessions" else database.single_statements
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with connect() as conn:
            dropped = conn.scalar(text("SELECT pg_backend_pid()"))
        with admin.connect() as conn:  # what a server restart does to every pooled connection
            assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
        monkeypatch.setattr(hotline_db, "PING_AFTER_IDLE_SECONDS", 0.0)
        with connect() as conn:
            replacement = conn.scalar(text("SELECT pg_backend_pid()"))
        assert replacement != dropped
    finally:
        database.dispose()
        admin.dispose()
