"""The scheduled jobs as the app runs them: what each is, how often, and one run of one job.

A job here wires a domain job (`workorders.jobs`) to the app: its clock, calendar, database and
telephony. `run_job` records the run (job, start, duration, rows touched, error) around the work;
the work itself runs in batches, each its own transaction behind the lease fence, so a killed
process loses at most the batch it was in and nothing is ever done twice.

Other packages add jobs with `register_job(app, JobSpec(...))` in their `init_app`; the daily
statistics roll-up is a hook: append `fn(session, day)` to `app.extensions["hotline.rollup_hooks"]`
and it is called once for every local day that ended, catching up missed days (up to a month).
"""
from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import click
from flask import Flask, current_app
from sqlalchemy.orm import Session

from knowledge_base.usage import record_use
from workorders.calendar_store import load_calendar
from workorders.context import Actor, Context
from workorders.deadlines import local_date
from workorders.jobs import history
from workorders.jobs.callbacks import ConsolePlacer, claim_calls, place_calls, time_out_callbacks
from workorders.jobs.coverage import coverage_warning
from workorders.jobs.lights import sweep_lights
from workorders.jobs.models import JobMark
from workorders.jobs.provisional import recompute_provisional

from .cli import main
from .db import database
from .runtime import clock, timezone

log = logging.getLogger("hotline.jobs")

ROLLUP_CATCH_UP_DAYS = 31


@dataclass
class Outcome:
    rows: int
    note: str | None = None


@dataclass
class JobRun:
    """What one run of a job works with: the app, the time it runs as of, and its transactions."""

    app: Flask
    now: datetime
    batch: int
    # Called first in every transaction of the run; raises to stop a process that lost the lease.
    fence: Callable[[Session], None] = field(default=lambda session: None)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with database(self.app).transaction() as session:
            self.fence(session)
            yield session

    def context(self, session: Session) -> Context:
        return Context(session=session, now=self.now, calendar=load_calendar(session),
                       tz=timezone(self.app), secret=self.app.config["SECRET_KEY"].encode(),
                       record_article_use=record_use)


@dataclass(frozen=True)
class JobSpec:
    name: str
    description: str
    every: timedelta
    work: Callable[[JobRun], Outcome]


@dataclass
class RunResult:
    name: str
    rows: int | None
    note: str | None
    error: str | None
    duration_ms: int


# --- the jobs -------------------------------------------------------------------------------

def _lights(run: JobRun) -> Outcome:
    changed = 0
    while True:
        with run.transaction() as session:
            selected, batch_changed = sweep_lights(run.context(session), run.batch)
        changed += batch_changed
        if selected < run.batch:
            return Outcome(changed)


def _callback_timeouts(run: JobRun) -> Outcome:
    total = 0
    while True:
        with run.transaction() as session:
            n = time_out_callbacks(run.context(session), run.batch)
        total += n
        if n < run.batch:
            return Outcome(total)


def _callback_calls(run: JobRun) -> Outcome:
    placer = run.app.extensions.get("hotline.callback_placer") or ConsolePlacer()
    placed = failed = 0
    while True:
        with run.transaction() as session:
            claimed = claim_calls(run.context(session), run.batch)
        # Outbound calls only after the claim is committed (never for a rolled-back claim).
        ok, bad = place_calls(lambda: database(run.app).transaction(), placer, claimed, run.now)
        placed, failed = placed + ok, failed + bad
        if len(claimed) < run.batch:
            return Outcome(placed + failed, f"{failed} call(s) failed" if failed else None)


def _provisional(run: JobRun) -> Outcome:
    with run.transaction() as session:
        return Outcome(recompute_provisional(run.context(session), batch=run.batch))


def _calendar_coverage(run: JobRun) -> Outcome:
    with run.transaction() as session:
        calendar = load_calendar(session)
    warning = coverage_warning(calendar, local_date(run.now, timezone(run.app)))
    if warning:
        log.warning(warning)
    return Outcome(0, warning)


def _daily_rollup(run: JobRun) -> Outcome:
    hooks = run.app.extensions.get("hotline.rollup_hooks", [])
    if not hooks:
        return Outcome(0, "no roll-up registered")
    yesterday = local_date(run.now, timezone(run.app)) - timedelta(days=1)
    with run.transaction() as session:
        mark = session.get(JobMark, "daily_rollup")
        first = mark.day + timedelta(days=1) if mark else yesterday
    first = max(first, yesterday - timedelta(days=ROLLUP_CATCH_UP_DAYS - 1))
    day, rolled = first, 0
    while day <= yesterday:
        with run.transaction() as session:
            for hook in hooks:
                hook(session, day)
            _set_mark(session, "daily_rollup", day)
        day, rolled = day + timedelta(days=1), rolled + 1
    return Outcome(rolled, f"rolled up {first}..{yesterday}" if rolled else None)


def _set_mark(session: Session, job: str, day: date) -> None:
    mark = session.get(JobMark, job)
    if mark is None:
        session.add(JobMark(job=job, day=day))
    else:
        mark.day = day


MINUTE, HOUR = timedelta(minutes=1), timedelta(hours=1)


def builtin_jobs(sweep: timedelta = MINUTE) -> list[JobSpec]:
    return [
        JobSpec("lights", "traffic lights: urge on yellow, supervise on red, report severe overdue",
                sweep, _lights),
        JobSpec("callback_timeouts", "callback windows that passed unanswered: an unreachable attempt",
                sweep, _callback_timeouts),
        JobSpec("callback_calls", "place the automatic satisfaction-survey calls that are due",
                sweep, _callback_calls),
        JobSpec("provisional_deadlines", "count provisional deadlines again on the current calendar",
                HOUR, _provisional),
        JobSpec("calendar_coverage", "warn 60 days before the working-day calendar runs out",
                24 * HOUR, _calendar_coverage),
        JobSpec("daily_rollup", "statistics roll-up of every finished day (hooks)", HOUR, _daily_rollup),
    ]


def jobs(app: Flask | None = None) -> dict[str, JobSpec]:
    return (app or current_app).extensions["hotline.jobs"]


def register_job(app: Flask, spec: JobSpec) -> None:
    app.extensions.setdefault("hotline.jobs", {})[spec.name] = spec


# --- one run --------------------------------------------------------------------------------

def real_now() -> datetime:
    return datetime.now(UTC)


def process_name(kind: str) -> str:
    return f"{kind}:{socket.gethostname()}:{os.getpid()}"


def run_job(app: Flask, name: str, owner: str,
            fence: Callable[[Session], None] | None = None) -> RunResult:
    """Run one job once, now, recording the run; the job's error is recorded, not raised."""
    spec = jobs(app)[name]
    run = JobRun(app, clock(app).now(), app.config["SCHEDULER_BATCH"], fence or (lambda session: None))
    began = time.perf_counter()
    with run.transaction() as session:
        run_id = history.start_run(session, name, owner, run.now, real_now())
    outcome, error = None, None
    try:
        with app.app_context():
            outcome = spec.work(run)
    except Exception as exc:  # recorded for the admins, then the next run tries again
        log.exception("job %s failed", name)
        error = f"{type(exc).__name__}: {exc}"
    duration_ms = round((time.perf_counter() - began) * 1000)
    rows, note = (outcome.rows, outcome.note) if outcome else (None, None)
    with database(app).transaction() as session:
        history.finish_run(session, run_id, real_now(), duration_ms, rows, error, note)
    return RunResult(name, rows, note, error, duration_ms)


# --- the calendar hook ----------------------------------------------------------------------

def recompute_after_calendar_import(session: Session) -> None:
    """Registered in `hotline.calendar_hooks`: runs inside the import's own transaction."""
    app = current_app._get_current_object()
    run = JobRun(app, clock(app).now(), app.config["SCHEDULER_BATCH"])
    changed = recompute_provisional(run.context(session), Actor.system("calendar import"))
    if changed:
        log.info("calendar import: %d provisional deadline(s) counted again", changed)


# --- CLI ------------------------------------------------------------------------------------

@main.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs: list them, or run one once now."""


@jobs_group.command("list")
def jobs_list() -> None:
    """One job name a line."""
    for name in jobs():
        click.echo(name)


@jobs_group.command("run")
@click.argument("name")
def jobs_run(name: str) -> None:
    """Run job NAME once, now, and print the rows it touched."""
    if name not in jobs():
        raise click.ClickException(f"no job named '{name}'; jobs are: {', '.join(jobs())}")
    result = run_job(current_app._get_current_object(), name, process_name("cli"))
    if result.error:
        raise click.ClickException(f"{name} failed: {result.error}")
    click.echo(f"{name}: {result.rows} rows touched" + (f" ({result.note})" if result.note else ""))
