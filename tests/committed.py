"""A database whose data is really committed, for tests of concurrency and of other processes.

SQLite: a fresh file. PostgreSQL: a fresh database beside the test database, dropped afterwards.
Either way the schema comes from the migrations and the reference data from the real commands;
a module or a suite that needs many databases with the same start may make them once, in a
template, and take a copy for each test (`committed_database(tmp_path, template=url)`). The
`reference_template` fixture (conftest) is such a template with the reference data every hotline
starts from; a copy costs a tenth of a second where migrating and seeding cost three to four.
"""
from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from hotline.db import make_engine, normalize_url
from hotline.migrate import upgrade


@contextmanager
def committed_database(tmp_path, template: str | None = None):
    """The URL of a new database: migrated, or a copy of `template` (the URL of another one made
    here, to which nothing may be connected)."""
    base = os.environ.get("HOTLINE_TEST_DATABASE_URL")
    if not base:
        path = tmp_path / f"committed-{uuid.uuid4().hex[:8]}.sqlite3"
        url = f"sqlite:///{path}"
        if template:
            # With no connection left, SQLite has checkpointed the write-ahead log into the file.
            source = Path(make_url(template).database)
            assert not source.with_name(source.name + "-wal").exists(), f"{template} is still in use"
            shutil.copyfile(source, path)
        else:
            upgrade(url)
        yield url
        return
    base_url = make_url(normalize_url(base))
    name = f"{base_url.database}_c{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    copy_of = f' TEMPLATE "{make_url(template).database}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
    url = base_url.set(database=name).render_as_string(hide_password=False)
    try:
        if not template:
            upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed_reference(session, now) -> None:
    """The reference data every test hotline starts from: the calendar, the policy presets
    (karamay active) and the demo city's departments."""
    from hotline.demo import _seed_departments
    from workorders.calendar_store import seed_from_chinesecalendar
    from workorders.policy_store import install_presets

    seed_from_chinesecalendar(session, now)
    install_presets(session, "karamay")
    _seed_departments(session)


@contextmanager
def reference_database(tmp_path, now):
    """A committed database holding `seed_reference`'s data. Nothing stays connected to it, so it
    can be a template."""
    with committed_database(tmp_path) as url:
        engine = make_engine(url)
        try:
            with Session(engine) as session, session.begin():
                seed_reference(session, now)
        finally:
            engine.dispose()
        yield url
