"""The scheduler (APScheduler 3): one process at a time runs the jobs, decided by a lease row.

Every process that starts a scheduler — `hotline scheduler` in production, or the web app itself
(the embedded default, for `./scripts/run`) — beats every lease/6 seconds: it renews the lease
while it holds it, or tries to take it when it is free or expired. Only the holder runs jobs, and
every job transaction renews the lease first (`workorders.jobs.lease.fence`), so a process that
lost it cannot commit job work. A holder killed with -9 renews no more; a standby takes over at
most one beat after the lease expires and runs every job at once.

Configuration (environment, or the app's config): HOTLINE_SCHEDULER=off (no embedded scheduler:
web processes when a `hotline scheduler` process runs), HOTLINE_SCHEDULER_LEASE_SECONDS (30),
HOTLINE_SCHEDULER_SWEEP_SECONDS (60: lights and callbacks), HOTLINE_SCHEDULER_BATCH (1000 orders
per transaction).
"""
from __future__ import annotations

import atexit
import logging
import os
import signal
import threading
from datetime import UTC, datetime, timedelta

import click
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from sqlalchemy.orm import Session

from workorders.jobs import lease
from workorders.jobs.lease import LeaseLost

from . import jobs
from .api import jobs as jobs_api
from .cli import main
from .db import database
from .runtime import timezone

log = logging.getLogger("hotline.scheduler")

OFF = {"off", "0", "false", "no"}


class Scheduler:
    """APScheduler plus the lease: jobs run only while this process holds it."""

    def __init__(self, app: Flask, blocking: bool = False, owner: str | None = None):
        self.app = app
        self.owner = owner or jobs.process_name("scheduler")
        self.ttl = timedelta(seconds=float(app.config["SCHEDULER_LEASE_SECONDS"]))
        self.beat_seconds = max(self.ttl.total_seconds() / 6, 0.1)
        self.held = self.stopped = False
        kind = BlockingScheduler if blocking else BackgroundScheduler
        self.apscheduler = kind(
            timezone=timezone(app),
            # Jobs one at a time (no two sweeps racing for SQLite's write lock); the lease beats
            # on its own thread so that a long job never lets the lease lapse.
            executors={"default": ThreadPoolExecutor(1), "lease": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self.apscheduler.add_job(self.beat, "interval", seconds=self.beat_seconds, id="lease",
                                 executor="lease", next_run_time=datetime.now(UTC))
        for spec in jobs.jobs(app).values():
            self.apscheduler.add_job(self.run, "interval", seconds=spec.every.total_seconds(),
                                     args=[spec.name], id=spec.name, name=spec.name)

    def beat(self) -> None:
        try:
            with database(self.app).transaction() as session:
                held = lease.hold(session, self.owner, jobs.real_now(), self.ttl)
        except Exception:
            log.exception("scheduler %s could not reach the lease", self.owner)
            held = False
        if held and not self.held:
            log.info("scheduler %s holds the lease: running jobs", self.owner)
            self.held = True
            now = datetime.now(UTC)
            for name in jobs.jobs(self.app):  # a new holder catches up at once
                self.apscheduler.modify_job(name, next_run_time=now)
        elif not held and self.held:
            log.warning("scheduler %s lost the lease: standing by", self.owner)
            self.held = False

    def run(self, name: str) -> None:
        if not self.held:
            return
        try:
            result = jobs.run_job(self.app, name, self.owner, fence=self.fence)
        except LeaseLost:
            self.held = False
            log.warning("scheduler %s lost the lease before %s: standing by", self.owner, name)
            return
        if result.error is None and result.rows:
            log.info("%s: %s rows touched in %d ms", name, result.rows, result.duration_ms)

    def fence(self, session: Session) -> None:
        lease.fence(session, self.owner, jobs.real_now(), self.ttl)

    def start(self) -> None:
        self.apscheduler.start()

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        if self.apscheduler.running:
            self.apscheduler.shutdown(wait=True)
        try:
            with database(self.app).transaction() as session:
                lease.release(session, self.owner)
        except Exception:
            log.exception("scheduler %s could not release the lease", self.owner)


def init_app(app: Flask) -> None:
    env = os.environ.get
    app.config.setdefault("SCHEDULER_LEASE_SECONDS", float(env("HOTLINE_SCHEDULER_LEASE_SECONDS") or 30))
    app.config.setdefault("SCHEDULER_SWEEP_SECONDS", float(env("HOTLINE_SCHEDULER_SWEEP_SECONDS") or 60))
    app.config.setdefault("SCHEDULER_BATCH", int(env("HOTLINE_SCHEDULER_BATCH") or 1000))
    sweep = timedelta(seconds=float(app.config["SCHEDULER_SWEEP_SECONDS"]))
    for spec in jobs.builtin_jobs(sweep):
        jobs.register_job(app, spec)
    app.extensions.setdefault("hotline.calendar_hooks", []).append(jobs.recompute_after_calendar_import)
    app.extensions.setdefault("hotline.rollup_hooks", [])
    app.register_blueprint(jobs_api.bp)
    for name in ("jobs", "scheduler"):  # on `main` already; `flask --app hotline` sees them too
        if name not in app.cli.commands:
            app.cli.add_command(main.commands[name], name)
    if _embedded(app):
        scheduler = Scheduler(app)
        app.extensions["hotline.scheduler"] = scheduler
        scheduler.start()
        _at_exit(scheduler.stop)


def _at_exit(stop) -> None:
    """Stop before the interpreter shuts thread pools down: a job due at exit would otherwise
    fail to start with a traceback. (`atexit` runs too late for that; threading's own exit
    hooks, which concurrent.futures uses, run first and in reverse order.)"""
    register = getattr(threading, "_register_atexit", None)
    if register is not None:
        register(stop)
    else:
        atexit.register(stop)


def _embedded(app: Flask) -> bool:
    """The web app runs the scheduler inside unless told not to, or tested, or a CLI command
    (`hotline db upgrade`, `hotline scheduler` itself…) built it; `hotline run` serves the web."""
    if str(app.config.get("SCHEDULER", "on")).strip().lower() in OFF or app.testing:
        return False
    command = click.get_current_context(silent=True)
    return command is None or command.info_name == "run"


@main.command("scheduler")
def scheduler_command() -> None:
    """Run the jobs in this process (production: exactly one, besides the web processes)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = Scheduler(current_app._get_current_object(), blocking=True)
    click.echo(f"scheduler {scheduler.owner}: lease {scheduler.ttl.total_seconds():g} s; "
               f"jobs: {', '.join(jobs.jobs())}")

    def stop(signum, frame):
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        scheduler.stop()
        click.echo(f"scheduler {scheduler.owner} stopped")

