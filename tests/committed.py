"""A database whose data is really committed, for tests of concurrency and of other processes.

SQLite: a fresh file. PostgreSQL: a fresh database beside the test database, dropped afterwards.
Either way the schema comes from the migrations and the reference data from the real commands.
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hotline.db import normalize_url
from hotline.migrate import upgrade


@contextmanager
def committed_database(tmp_path):
    base = os.environ.get("HOTLINE_TEST_DATABASE_URL")
    if not base:
        url = f"sqlite:///{tmp_path / f'committed-{uuid.uuid4().hex[:8]}.sqlite3'}"
        upgrade(url)
        yield url
        return
    base_url = make_url(normalize_url(base))
    name = f"{base_url.database}_c{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base_url.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
