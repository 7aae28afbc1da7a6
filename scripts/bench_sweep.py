"""sweep: one traffic-light sweep over N open orders of which M cross a threshold.

Seeds N open orders (dispatched, in progress, committed) in one bulk insert — sqlite3
executemany or PostgreSQL COPY, not the ORM — with thresholds spread the way a live hotline has
them: M just turned yellow (due now), the others green, yellow and urged, red and supervised, or
severely overdue and reported (alarms in the future or none). Then it times one run of the
`lights` job exactly as the scheduler runs it (batches, each its own transaction, run history),
checks it wrote one `urge` event per changing order, and times a second, idle run.

Thresholds are synthetic (whole days around "now", not counted on the calendar): the sweep only
compares stored times, so how they were counted does not change its cost.

Database: a fresh temporary SQLite file, or with --database-url postgresql://… a scratch database
created beside it and dropped afterwards (the URL's own database is not touched).
Run: scripts/bench sweep --open 1000000 --changing 10000 [--database-url URL]
"""
from __future__ import annotations

import functools
import json
import random
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

DJANGO_HELPDESK_MS_PER_TICKET = (15, 19)  # escalate_tickets, django-helpdesk 2.6.1, this machine
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 Beijing time, a Tuesday
DAY = timedelta(days=1)
SEED = 12345


def add_arguments(parser) -> None:
    parser.add_argument("--open", dest="open_n", type=int, default=100_000, help="open orders")
    parser.add_argument("--changing", dest="changing_m", type=int, default=10_000,
                        help="of which crossing a threshold now")
    parser.add_argument("--database-url", default=None,
                        help="postgresql://… (a scratch database is made beside it); default SQLite")
    parser.add_argument("--batch", type=int, default=None,
                        help="orders per transaction (default: the scheduler's, HOTLINE_SCHEDULER_BATCH)")


def main(args) -> dict:
    return run(args.open_n, args.changing_m, args.database_url, args.batch)


def run(open_n: int, changing_m: int, database_url: str | None = None, batch: int | None = None) -> dict:
    if not 0 <= changing_m <= open_n:
        raise SystemExit("--changing must be between 0 and --open")
    from sqlalchemy import func, select

    from hotline import create_app
    from hotline.db import database
    from hotline.jobs import process_name, run_job
    from workorders.calendar_store import load_calendar, seed_from_chinesecalendar
    from workorders.clock import Clock
    from workorders.models import OrderEvent
    from workorders.policy_store import install_presets

    with _scratch_database(database_url) as url:
        config = {"DATABASE_URL": url, "SCHEDULER": "off", "SECRET_KEY": "bench", "CLOCK": Clock.frozen(NOW)}
        if batch:
            config["SCHEDULER_BATCH"] = batch
        app = create_app(config)
        batch = app.config["SCHEDULER_BATCH"]
        engine = database(app).engine
        with app.app_context(), database(app).transaction() as session:
            seed_from_chinesecalendar(session, NOW)
            install_presets(session)
        began = time.perf_counter()
        seed_open_orders(engine, open_n, changing_m, NOW)
        seed_seconds = time.perf_counter() - began
        _settle(engine)
        with database(app).transaction() as session:
            load_calendar(session)  # a running scheduler has its calendar cached
        first = run_job(app, "lights", process_name("bench"))
        second = run_job(app, "lights", process_name("bench"))
        with engine.connect() as conn:
            events = conn.scalar(select(func.count()).select_from(OrderEvent.__table__)
                                 .where(OrderEvent.__table__.c.action == "urge"))
        engine.dispose()
    if first.error or second.error:
        raise SystemExit(f"sweep failed: {first.error or second.error}")
    sweep = first.duration_ms / 1000
    per_order_ms = first.duration_ms / changing_m if changing_m else None
    return {
        "benchmark": "sweep",
        "database": url.split(":", 1)[0].split("+", 1)[0],
        "open_orders": open_n,
        "changing_orders": changing_m,
        "batch": batch,
        "seed_seconds": round(seed_seconds, 1),
        "sweep_seconds": round(sweep, 3),
        "orders_changed": first.rows,
        "urge_events_written": events,
        "ms_per_changed_order": round(per_order_ms, 4) if per_order_ms else None,
        "idle_sweep_seconds": round(second.duration_ms / 1000, 3),
        "idle_sweep_rows": second.rows,
        "django_helpdesk_ms_per_escalated_ticket": list(DJANGO_HELPDESK_MS_PER_TICKET),
        "times_less_per_changed_order": (
            round(DJANGO_HELPDESK_MS_PER_TICKET[0] / per_order_ms) if per_order_ms else None),
    }


def _settle(engine) -> None:
    """What a live database has done long before a sweep: PostgreSQL has statistics about the
    table (autovacuum's ANALYZE), SQLite has checkpointed the write-ahead log of the bulk load."""
    raw = engine.raw_connection()  # outside any transaction: a checkpoint cannot run inside one
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            cursor.execute("ANALYZE work_orders")
            raw.commit()
        else:
            busy, _, _ = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            assert busy == 0, "the write-ahead log could not be checkpointed"
    finally:
        raw.close()


# --- seeding ----------------------------------------------------------------------------------

COLUMNS = (
    "number", "version", "last_event_seq", "type", "channel", "state", "content", "confidential",
    "public_consent", "urgent", "access_code_hash", "created_at", "updated_at", "extension_days",
    "provisional", "supervised", "callback_attempts", "department_id", "handling", "dispatched_at",
    "rules", "limit_days", "limit_unit", "due_at", "yellow_at", "severe_at", "return_deadline_at",
    "next_alarm_at", "urged_at", "severe_reported_at",
)


def seed_open_orders(engine, open_n: int, changing_m: int, now: datetime, *, overdue: bool = False,
                     prefix: str = "B", seed: int = SEED) -> None:
    """N open orders, M of them due now (just yellow; with `overdue`, past yellow, red and severe,
    so three transitions each). Bulk inserted; orders only, no events (seq starts at 0)."""
    from workorders.policies import KARAMAY

    with engine.connect() as conn:
        department_id = conn.exec_driver_sql("SELECT min(id) FROM departments").scalar()
        if department_id is None:
            conn.exec_driver_sql("INSERT INTO departments (code, name, kind, active) "
                                 "VALUES ('bench', 'bench department', 'bureau', true)")
            conn.commit()
            department_id = conn.exec_driver_sql("SELECT min(id) FROM departments").scalar()
    rules = json.dumps(KARAMAY.to_json())
    plan = _plan(open_n, changing_m, overdue, random.Random(seed))
    if engine.dialect.name == "postgresql":
        _copy(engine, plan, now, prefix, department_id, rules)
    else:
        _executemany(engine, plan, now, prefix, department_id, rules)


STATES = ("dispatched", "in_progress", "in_progress", "in_progress", "committed")
CONTENT = "小区门口道路破损，雨天积水严重。"


def _plan(open_n, changing_m, overdue, rng):
    """(kind, whole days from now to the due day, seconds) per order, in insertion order."""
    for i in range(open_n):
        if i < changing_m:
            if overdue:  # everything passed: urge, supervise, report_severe all due
                yield "overdue", -rng.randint(7, 12), 0
            else:  # turned yellow within the last minute
                yield "yellow_now", 1, rng.randint(0, 59)
            continue
        roll = rng.random()
        if roll < 0.60:
            yield "green", rng.randint(3, 20), 0
        elif roll < 0.85:
            yield "yellow_urged", rng.randint(0, 1), 0
        elif roll < 0.95:
            yield "red_supervised", -rng.randint(1, 6), 0
        else:
            yield "severe_reported", -rng.randint(8, 30), 0


def _times(now, kind, days, seconds):
    """The stored times of one kind of order: few distinct combinations, so computed once each."""
    second = timedelta(seconds=1)
    due = now + days * DAY + timedelta(seconds=seconds)
    yellow, severe = due - 2 * DAY + second, due + 7 * DAY
    urged = supervised = reported = None
    if kind == "yellow_now":
        yellow = now - timedelta(seconds=seconds)
        alarm = yellow
    elif kind == "overdue":
        severe = now - DAY
        alarm = yellow
    elif kind == "green":
        alarm = yellow
    elif kind == "yellow_urged":
        urged, alarm = yellow, due + second
    elif kind == "red_supervised":
        urged, supervised, alarm = yellow, True, severe + second
    else:
        urged, supervised, reported, alarm = yellow, True, severe + second, None
    dispatched = due - 7 * DAY
    return bool(supervised), (dispatched, due, yellow, severe, dispatched + DAY, alarm, urged, reported)


def _executemany(engine, plan, now, prefix, department_id, rules) -> None:
    """sqlite3 straight, in the stored form SQLAlchemy uses (naive UTC text, 0/1 booleans)."""
    def stored(value):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if value else None

    @functools.cache
    def times(kind, days, seconds):
        supervised, t = _times(now, kind, days, seconds)
        dispatched, due, yellow, severe, window, alarm, urged, reported = map(stored, t)
        return ((dispatched, dispatched, 0, 0, int(supervised), 0, department_id, "time_limited",
                 dispatched, rules, 5, "working"), (due, yellow, severe, window, alarm, urged, reported))

    def rows():
        for i, (kind, days, seconds) in enumerate(plan):
            middle, end = times(kind, days, seconds)
            yield (f"{prefix}{i:09d}", 1, 0, "complaint", "phone", STATES[i % 5], CONTENT, 0, 0, 0,
                   "x" * 64, *middle, *end)

    sql = f"INSERT INTO work_orders ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN")
        cursor.executemany(sql, rows())
        cursor.execute("COMMIT")
    finally:
        raw.close()


def _copy(engine, plan, now, prefix, department_id, rules) -> None:
    """PostgreSQL COPY in text format, streamed in chunks."""
    def text(value):
        return "\\N" if value is None else value.isoformat()

    @functools.cache
    def times(kind, days, seconds):
        supervised, t = _times(now, kind, days, seconds)
        dispatched, due, yellow, severe, window, alarm, urged, reported = map(text, t)
        return "\t".join([dispatched, dispatched, "0", "f", "t" if supervised else "f", "0", str(department_id),
                          "time_limited", dispatched, rules.replace("\\", "\\\\"), "5", "working",
                          due, yellow, severe, window, alarm, urged, reported])

    fixed = "\t".join(["1", "0", "complaint", "phone"])
    flags = "\t".join([CONTENT, "f", "f", "f", "x" * 64])
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY work_orders ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            lines = []
            for i, (kind, days, seconds) in enumerate(plan):
                lines.append(f"{prefix}{i:09d}\t{fixed}\t{STATES[i % 5]}\t{flags}\t{times(kind, days, seconds)}\n")
                if len(lines) == 50_000:
                    copy.write("".join(lines))
                    lines = []
            copy.write("".join(lines))
        raw.commit()
    finally:
        raw.close()


@contextmanager
def _scratch_database(url: str | None):
    from hotline.migrate import upgrade

    if not url:
        with tempfile.TemporaryDirectory(prefix="hotline-bench-") as tmp:
            scratch = f"sqlite:///{Path(tmp) / 'sweep.sqlite3'}"
            upgrade(scratch)
            yield scratch
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from hotline.db import normalize_url

    base = make_url(normalize_url(url))
    name = f"{base.database}_sweep_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    scratch = base.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(scratch)
        yield scratch
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    import argparse
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    print(json.dumps(main(parser.parse_args()), indent=2))
