"""Real processes on a really committed database (SQLite file, or PostgreSQL with
HOTLINE_TEST_DATABASE_URL): kill -9 mid-sweep loses and repeats nothing (acceptance 2); of two
`hotline scheduler` processes only the lease holder runs jobs, and the other takes over once the
lease expires (acceptance 3); the web app runs the scheduler inside unless told not to.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, func, select

from hotline import create_app
from hotline.cli import main
from hotline.db import database, normalize_url
from hotline.jobs import jobs, run_job
from scripts.bench_sweep import seed_open_orders
from tests.committed import committed_database
from workorders.clock import Clock
from workorders.jobs.models import JobRun, SchedulerLease
from workorders.models import OrderEvent, WorkOrder

pytestmark = pytest.mark.committed

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 Beijing time
HOTLINE = str(Path(sys.executable).with_name("hotline"))
LIGHTS = ("urge", "supervise", "report_severe")


@pytest.fixture
def live(tmp_path, reference_template):
    """A committed database with reference data, an engine watching it, and `start(*args, **env)`
    running `hotline ARGS` on it with the clock frozen at NOW."""
    with committed_database(tmp_path, template=reference_template) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "s", "SCHEDULER": "off", "TESTING": True,
                          "CLOCK": Clock.frozen(NOW)})
        # A plain engine: on SQLite it reads without taking the write lock the app's engine takes.
        watch = create_engine(normalize_url(url))
        env = {**os.environ, "HOTLINE_DATABASE_URL": url, "HOTLINE_NOW": NOW.isoformat(),
               "HOTLINE_INSTANCE": str(tmp_path), "HOTLINE_SECRET_KEY": "s", "HOTLINE_SCHEDULER": "on",
               "HOTLINE_SCHEDULER_LEASE_SECONDS": "2", "HOTLINE_SCHEDULER_BATCH": "10",
               "HOTLINE_SCHEDULER_SWEEP_SECONDS": "3600", "IVR_TELEPHONY": "console"}
        processes = []

        def start(*args, **extra):
            proc = subprocess.Popen([HOTLINE, *args], env={**env, **extra},
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            processes.append(proc)
            return proc

        yield SimpleNamespace(app=app, url=url, watch=watch, start=start, env=env)
        for proc in processes:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        watch.dispose()
        database(app).dispose()


def last_event_id(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.coalesce(func.max(OrderEvent.id), 0)))


def due_orders(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(WorkOrder).where(WorkOrder.next_alarm_at <= NOW))


def lease(engine):
    with engine.connect() as conn:
        return conn.execute(select(SchedulerLease)).one()


def lights_runs(engine):
    with engine.connect() as conn:
        return conn.execute(select(JobRun.owner, JobRun.started_at).where(JobRun.job == "lights")).all()


def pid_of(owner: str) -> int:
    return int(owner.rsplit(":", 1)[1])


def wait_for(condition, what: str, timeout: float = 60, step: float = 0.002):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


def assert_every_transition_happened_once(engine, expected_orders: int, untouched: int):
    with engine.connect() as conn:
        counts = Counter(conn.execute(select(OrderEvent.order_id, OrderEvent.action)).all())
        seqs = Counter(conn.execute(select(OrderEvent.order_id, OrderEvent.seq)).all())
        rows = conn.execute(select(WorkOrder.id, WorkOrder.version, WorkOrder.last_event_seq,
                                   WorkOrder.next_alarm_at, WorkOrder.supervised)).all()
    swept = [r for r in rows if r.last_event_seq]
    assert len(swept) == expected_orders and len(rows) - len(swept) == untouched
    assert all(counts[(r.id, action)] == 1 for r in swept for action in LIGHTS)
    assert sum(counts.values()) == 3 * expected_orders
    assert all(seqs[(r.id, seq)] == 1 for r in swept for seq in (1, 2, 3)) and max(seqs.values()) == 1
    assert all(r.version == 4 and r.last_event_seq == 3 and r.supervised and r.next_alarm_at is None
               for r in swept)


def forked(live, *args, **extra) -> int:
    """`hotline ARGS` in a child process forked from this one, so that the 20 rounds below do
    not pay for importing the app 20 times: the child sets its environment and runs the same
    click command the console script runs, then exits; it shares nothing else with the parent."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        live.watch.dispose(close=False)  # the parent's connections stay the parent's
        os.environ.update({**live.env, **extra})
        main.main(list(args), prog_name="hotline", standalone_mode=False)
        code = 0
    finally:
        os._exit(code)


def test_killing_the_scheduler_mid_sweep_20_times_loses_and_repeats_nothing(live):
    per_round, spare, left_due = 100, 20, []
    for round_ in range(20):
        # Fresh work each round: orders past yellow, red and severe (three transitions each).
        seed_open_orders(live.watch, per_round + spare, per_round, NOW, overdue=True,
                         prefix=f"K{round_:02d}-", seed=round_)
        mark = last_event_id(live.watch)
        # Alternately the long-running scheduler (taking the lease once the killed one's expired)
        # and the operator's one-off run.
        command = ("scheduler",) if round_ % 2 == 0 else ("jobs", "run", "lights")
        victim = forked(live, *command, HOTLINE_SCHEDULER_LEASE_SECONDS="1")
        wait_for(lambda: last_event_id(live.watch) > mark, f"round {round_} to sweep")  # noqa: B023
        os.kill(victim, signal.SIGKILL)
        assert os.waitpid(victim, 0)[1] == signal.SIGKILL
        left_due.append(due_orders(live.watch))
    # Every kill struck mid-run: the victim had swept some orders of its round, and due orders
    # were left (a run ends only when none is due).
    assert all(left_due), left_due

    assert run_job(live.app, "lights", "test").error is None
    assert_every_transition_happened_once(live.watch, expected_orders=20 * per_round, untouched=20 * spare)
    with live.watch.connect() as conn:
        unfinished = conn.execute(select(JobRun.job).where(JobRun.finished_at.is_(None))).scalars().all()
    # Each killed run stays in the history, never finished. The long-running scheduler starts
    # its other jobs beside the sweep, so a kill may also catch one of those mid-run.
    assert unfinished.count("lights") == 20, unfinished
    assert set(unfinished) <= set(jobs(live.app)), unfinished


def test_of_two_schedulers_one_runs_the_jobs_and_the_other_takes_over_when_it_dies(live):
    engine = live.watch
    seed_open_orders(engine, 300, 200, NOW, overdue=True, prefix="A-")
    env = {"HOTLINE_SCHEDULER_LEASE_SECONDS": "3", "HOTLINE_SCHEDULER_SWEEP_SECONDS": "0.5"}
    first, second = live.start("scheduler", **env), live.start("scheduler", **env)

    def held_by(process):
        row = lease(engine)
        return row if row.owner and pid_of(row.owner) == process.pid else None

    holder_pid = pid_of(wait_for(lambda: lease(engine).owner, "a scheduler to take the lease"))
    holder, standby = (first, second) if holder_pid == first.pid else (second, first)
    wait_for(lambda: len(lights_runs(engine)) >= 4, "several sweeps")
    assert {pid_of(owner) for owner, _ in lights_runs(engine)} == {holder.pid}  # the standby ran nothing
    assert due_orders(engine) == 0

    seen = lease(engine)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    taken = wait_for(lambda: held_by(standby), "the standby to take over")
    beat = timedelta(seconds=3 / 6)
    # Not before the dead holder's lease ran out (it may have renewed once after we looked), and
    # within a beat of its end, give or take a busy machine: "within the lease time".
    assert taken.acquired_at >= seen.expires_at
    assert taken.acquired_at <= seen.expires_at + 2 * beat + timedelta(seconds=2)

    seed_open_orders(engine, 60, 60, NOW, overdue=True, prefix="B-", seed=7)
    wait_for(lambda: due_orders(engine) == 0, "the new holder to sweep")
    runs = lights_runs(engine)
    holder_runs = [at for owner, at in runs if pid_of(owner) == holder.pid]
    standby_runs = [at for owner, at in runs if pid_of(owner) == standby.pid]
    assert {pid_of(owner) for owner, _ in runs} == {holder.pid, standby.pid}
    assert max(holder_runs) < taken.acquired_at <= min(standby_runs)  # never both at once
    assert_every_transition_happened_once(engine, expected_orders=260, untouched=100)

    standby.send_signal(signal.SIGTERM)  # a clean stop gives the lease back at once
    assert standby.wait(timeout=30) == 0, standby.stderr.read()
    assert lease(engine).owner is None


def test_the_web_app_runs_the_scheduler_inside_unless_it_is_turned_off(live):
    seed_open_orders(live.watch, 30, 30, NOW, overdue=True, prefix="W-")
    off = create_app({"DATABASE_URL": live.url, "SECRET_KEY": "s", "SCHEDULER": "off"})
    assert "hotline.scheduler" not in off.extensions
    database(off).dispose()

    app = create_app({"DATABASE_URL": live.url, "SECRET_KEY": "s", "SCHEDULER_LEASE_SECONDS": 2,
                      "CLOCK": Clock.frozen(NOW)})
    scheduler = app.extensions["hotline.scheduler"]
    try:
        wait_for(lambda: due_orders(live.watch) == 0, "the embedded scheduler to sweep", step=0.05)
    finally:
        scheduler.stop()
        database(app).dispose()
    assert_every_transition_happened_once(live.watch, expected_orders=30, untouched=0)
    assert lease(live.watch).owner is None  # released on stop
