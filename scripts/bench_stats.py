"""stats: seed N orders over 12 months, rebuild the roll-up, time the month report and dashboard.

Works on a database of its own: `--database URL` (PostgreSQL: the database is created if missing
and dropped at the end unless --keep), else a temporary SQLite file (deleted at the end). The
schema comes from the migrations; the orders and their events are written in bulk by
`scripts/stats_seed.py` (COPY on PostgreSQL; above a million orders there, one generated year is
copied in SQL, see `stats_seed.seed`). Then, each timed:

- `rollup_rebuild_s`: `hotline stats rebuild` over the 12 months (one transaction);
- `rollup_one_day_s`: rebuilding one busy day (what the scheduler's job does per changed day);
- `month_department_report_s`: October's figures per department (roll-up + open orders);
- `dashboard_queries_s`: everything the dashboard asks (departments, types, categories, daily
  series, lights now, hot spots), and `api_stats_request_s`: GET /api/v1/stats through the app.

Timed queries run three times; the first run is reported (caches as cold as the seeding left
them) and the best. Example: scripts/bench stats --orders 1000000
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
FIRST, LAST = date(2025, 11, 1), date(2026, 10, 31)
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)  # a Monday: October is the last full month
EXTRA_BUREAUS, EXTRA_DISTRICTS, STREETS_PER_DISTRICT = 24, 6, 8


def add_arguments(parser) -> None:
    parser.add_argument("--orders", type=int, default=100_000, help="orders over the 12 months")
    parser.add_argument("--database", default=None,
                        help="a database of its own, e.g. postgresql://postgres@127.0.0.1:5432/hotline_bench "
                             "(default: a temporary SQLite file)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--rollup-from", type=date.fromisoformat, default=FIRST,
                        help="rebuild the roll-up from this day only (default: all 12 months); from "
                             "2026-08-01 covers what October's report and the dashboard read")
    parser.add_argument("--seeded", action="store_true",
                        help="the database was seeded by an earlier run with --keep: skip to the roll-up")


def main(args) -> dict:
    tmp = tempfile.mkdtemp(prefix="hotline-bench-stats-")
    url = args.database or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
    created = False if args.seeded else _create_database(url)
    try:
        return _run(url, args)
    finally:
        if not args.keep:
            _drop_database(url, created)
            shutil.rmtree(tmp, ignore_errors=True)


def _run(url: str, args) -> dict:
    from sqlalchemy import inspect, select, text

    from hotline import create_app
    from hotline.auth import hash_password, issue_token
    from hotline.db import database
    from hotline.migrate import upgrade
    from workorders.clock import Clock
    from workorders.models import User
    from workorders.people import create_user
    from workorders.stats import figures, hotspots, periods, rollup

    from . import stats_seed

    if not args.seeded:
        upgrade(url)
    app = create_app({"DATABASE_URL": url, "SCHEDULER": "off", "SECRET_KEY": "bench", "CLOCK": Clock.frozen(NOW, TZ),
                      "TESTING": True})
    engine = database(app).engine
    if args.seeded and not inspect(engine).has_table("stats_daily"):
        raise SystemExit("--seeded: this database was not seeded by `scripts/bench stats --keep`")
    with app.app_context(), database(app).transaction() as session:
        if args.seeded:
            user = session.scalar(select(User).where(User.username == "bench_supervisor"))
            if user is None:
                raise SystemExit("--seeded: this database was not seeded by `scripts/bench stats --keep`")
        else:
            _reference_data(session)
            user = create_user(session, username="bench_supervisor", password_hash=hash_password("benchmark"),
                               role="supervisor", now=NOW)
        token = issue_token(session, user, NOW)

    seed_seconds = None
    if args.seeded:
        with app.app_context(), database(app).transaction() as session:
            written = stats_seed.count_rows(session)
    else:
        started = time.perf_counter()
        written = stats_seed.seed(engine, args.orders, FIRST, LAST, NOW, args.seed,
                                  progress=lambda day, n: print(f"  seeded {n:,} orders (to {day})", flush=True))
        seed_seconds = time.perf_counter() - started
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))

    october = periods.month(2026, 10)
    with app.app_context(), database(app).transaction() as session:
        started = time.perf_counter()
        rollup_rows = rollup.rollup_days(session, args.rollup_from, NOW.date(), TZ)
        rebuild_seconds = time.perf_counter() - started
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))

    with app.app_context(), database(app).transaction() as session:
        one_day = _timed(lambda: rollup.rollup_day(session, date(2026, 10, 14), TZ))
        report = _timed(lambda: figures.report(session, october, "department", NOW, TZ))
        dashboard = _timed(lambda: _dashboard(session, october, figures, hotspots))
        rows = report["result"]
        total = rows.total.as_dict()
    client = app.test_client()
    api = _timed(lambda: client.get("/api/v1/stats?from=2026-10-01&to=2026-10-31&group=department",
                                    headers={"Authorization": f"Bearer {token}"}))
    assert api["result"].status_code == 200, api["result"].get_data(as_text=True)
    engine.dispose()
    return {
        "benchmark": "stats",
        "database": url.split(":", 1)[0],
        "orders": written["orders"],
        "events": written["events"],
        "months": 12,
        "seed_s": seed_seconds and round(seed_seconds, 1),
        "seed_orders_per_s": seed_seconds and round(written["orders"] / seed_seconds),
        "rollup_rebuilt_days": f"{args.rollup_from}..{NOW.date()}",
        "rollup_rebuild_s": round(rebuild_seconds, 2),
        "rollup_rows": rollup_rows,
        "rollup_one_day_s": one_day["first"],
        "month_department_report_s": report["first"],
        "month_department_report_best_s": report["best"],
        "dashboard_queries_s": dashboard["first"],
        "dashboard_queries_best_s": dashboard["best"],
        "api_stats_request_s": api["first"],
        "api_stats_request_best_s": api["best"],
        "october": {k: total[k] for k in ("received", "dispatched", "reply_rate", "on_time_rate", "overdue_rate",
                                          "severe_overdue", "satisfaction_rate", "resolution_rate",
                                          "average_reply_days", "held")},
        "october_departments": len(rows.rows),
    }


def _dashboard(session, period, figures, hotspots):
    for group in ("department", "type", "category"):
        figures.report(session, period, group, NOW, TZ)
    figures.daily_series(session, period, NOW.date())
    figures.lights_now(session, NOW)
    return hotspots.hotspots(session, NOW.date())


def _timed(fn, runs: int = 3) -> dict:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return {"first": round(times[0], 4), "best": round(min(times), 4), "result": result}


def _reference_data(session) -> None:
    """The demo city's departments and categories, plus enough bureaus, districts and streets for a big city."""
    from hotline.demo import _seed_categories, _seed_departments
    from workorders.calendar_store import seed_from_chinesecalendar
    from workorders.models import Department
    from workorders.policy_store import install_presets

    seed_from_chinesecalendar(session, NOW)
    install_presets(session, "karamay")
    _seed_departments(session)
    _seed_categories(session)
    for i in range(1, EXTRA_BUREAUS + 1):
        session.add(Department(code=f"bureau{i:02d}", name=f"市第{i}委办局", kind="bureau"))
    for d in range(1, EXTRA_DISTRICTS + 1):
        district = Department(code=f"district{d:02d}", name=f"第{d}区人民政府", kind="district")
        session.add(district)
        session.flush()
        for s in range(1, STREETS_PER_DISTRICT + 1):
            session.add(Department(code=f"district{d:02d}.s{s}", name=f"第{d}区第{s}街道", kind="street",
                                   parent_id=district.id))


# --- the benchmark's own database -----------------------------------------------------------------

def _create_database(url: str) -> bool:
    if not url.startswith("postgres"):
        return False
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from hotline.db import normalize_url

    target = make_url(normalize_url(url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}).first()
        if exists:
            raise SystemExit(f"database {target.database} exists: the benchmark wants a fresh one (drop it first)")
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    return True


def _drop_database(url: str, created: bool) -> None:
    if not created:
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from hotline.db import normalize_url

    target = make_url(normalize_url(url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


if __name__ == "__main__":  # python -m scripts.bench_stats --orders N
    import argparse
    import json

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    print(json.dumps(main(parser.parse_args()), ensure_ascii=False, indent=2))
    os._exit(0)
