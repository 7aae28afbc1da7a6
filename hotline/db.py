"""The database: one engine per app, one session per entry point, committed once.

Plain SQLAlchemy rather than an extension, because the domain packages, the scheduler and the
CLI use the same sessions outside any request. An entry point whose whole write is one statement
(/ivr/voice logging a call) may instead run it on `Database.single_statements()`: the statement is
its own transaction, without the BEGIN and COMMIT that cost PostgreSQL two more round trips.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from time import monotonic

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker


def normalize_url(url: str) -> str:
    """Plain postgresql:// URLs use psycopg 3, the driver we install."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


# Execution option of SQLite connections that must not BEGIN (see _sqlite_transactions).
SINGLE_STATEMENTS = "hotline_single_statements"


def single_statements(engine: Engine) -> Engine:
    """An engine on which every statement commits by itself."""
    if engine.dialect.name == "sqlite":
        # The same pool: pysqlite runs with isolation_level None (below), so with no BEGIN a
        # statement is its own transaction. (SQLAlchemy's AUTOCOMMIT would hand that setting back
        # to pysqlite on return.)
        return engine.execution_options(**{SINGLE_STATEMENTS: True})
    # A pool of its own whose connections are made in autocommit mode: AUTOCOMMIT as an execution
    # option of the main engine would switch a pooled connection to it and back on every use,
    # which costs /ivr/voice 7% of its time.
    autocommit = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    _ping_after_idle(autocommit)
    return autocommit


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _sqlite_transactions(engine)
        return engine
    engine = create_engine(url)
    _ping_after_idle(engine)
    return engine


# A pooled connection idle this long is tested before use (PostgreSQL may have restarted).
PING_AFTER_IDLE_SECONDS = 1.0


def _ping_after_idle(engine: Engine) -> None:
    """pool_pre_ping, but only for a connection that sat idle in the pool.

    SQLAlchemy's pre-ping costs a round trip on every checkout: under load, when a connection is
    back in use within milliseconds, that is a third of what /ivr/voice spends on the database.
    A restarted server has been gone for longer than PING_AFTER_IDLE_SECONDS, so every connection
    it dropped has been idle that long and is tested; one that fails is replaced (the pool retries
    the checkout on DisconnectionError). A connection in use when the server went away fails its
    statement, and SQLAlchemy then discards every connection of the pool made before that.
    """

    @event.listens_for(engine.pool, "checkin")
    def note_idle_since(dbapi_connection, record):
        record.info["idle_since"] = monotonic()

    @event.listens_for(engine.pool, "checkout")
    def ping_if_idle(dbapi_connection, record, proxy):
        idle_since = record.info.get("idle_since")
        if idle_since is None or monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return  # just connected, or back in use at once
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError(f"a pooled connection failed its ping: {exc}") from exc


def _sqlite_transactions(engine: Engine) -> None:
    """Let SQLAlchemy, not pysqlite, run transactions, and take the write lock up front.

    pysqlite's own transaction handling breaks SAVEPOINTs; BEGIN IMMEDIATE makes concurrent
    writers wait for the lock (busy timeout) instead of failing when they upgrade a read.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL never corrupts the file; a power cut may lose the last commits.
        # PostgreSQL is the production database; this is the embedded default.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if not connection.get_execution_options().get(SINGLE_STATEMENTS):
            connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._single_statements = single_statements(self.engine)
        self._test_connection: Connection | None = None

    def bind_for_tests(self, connection: Connection) -> None:
        """Every session joins the test's outer transaction; commits become savepoints."""
        self.sessions = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        self._test_connection = connection

    @contextmanager
    def single_statements(self) -> Iterator[Connection]:
        """A connection on which each statement is a transaction of its own, committed as it runs.

        Only for an entry point whose write is one statement: two statements here are two
        transactions. (In tests, a savepoint of the test's transaction stands in for it.)
        """
        if self._test_connection is not None:
            with self._test_connection.begin_nested():
                yield self._test_connection
            return
        with self._single_statements.connect() as connection:
            yield connection

    def dispose(self) -> None:
        """Close every pooled connection (of both engines), e.g. before the database is dropped."""
        self.engine.dispose()
        if self._single_statements.pool is not self.engine.pool:
            self._single_statements.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work outside a request (CLI, jobs): commit on success, else roll back."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def init_app(app: Flask) -> None:
    app.extensions["hotline.db"] = Database(app.config["DATABASE_URL"])

    @app.teardown_appcontext
    def close_session(exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()  # whatever the request did not commit is dropped
            session.close()


def database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["hotline.db"]


def session() -> Session:
    """The current request's session (created on first use)."""
    if "db_session" not in g:
        g.db_session = database().sessions()
    return g.db_session
