"""Acceptance 1 and the operator's view: HOTLINE_NOW moves the clock, `hotline jobs run` sweeps.

Each moment is a fresh app built from the environment, as a restarted process with another
HOTLINE_NOW would be, on the test's database connection.
"""
from __future__ import annotations

import pytest

from hotline import create_app
from hotline.cli import main
from hotline.db import database
from tests.conftest import TEST_SECRET, Api


@pytest.fixture
def at(connection, monkeypatch, tmp_path):
    """at(iso) -> an app whose clock is frozen there by HOTLINE_NOW."""
    monkeypatch.setenv("HOTLINE_INSTANCE", str(tmp_path))

    def make(iso: str):
        monkeypatch.setenv("HOTLINE_NOW", iso)
        app = create_app({"DATABASE_URL": connection.engine.url.render_as_string(hide_password=False),
                          "SECRET_KEY": TEST_SECRET, "SCHEDULER": "off", "TESTING": True})
        database(app).dispose()
        database(app).bind_for_tests(connection)
        return app

    return make


def sweep(app) -> str:
    result = app.test_cli_runner().invoke(main, ["jobs", "run", "lights"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_a_complaint_dispatched_before_national_day_2025_turns_yellow_and_red_on_time(at, make_user):
    agent, supervisor = make_user("agent")[1], make_user("supervisor")[1]
    start = at("2025-09-30T10:00:00+08:00")
    number = Api(start.test_client(), agent.token).create(type="complaint")["number"]
    order = Api(start.test_client(), agent.token).act(number, "dispatch", {"department": "housing"}).get_json()
    # Karamay: 5 working days. 1–8 October are holidays, Saturday 11 October is a working day:
    # 9, 10, 11, 13, 14 October. Yellow from the start of the working day before the due day.
    assert order["due_at"] == "2025-10-14T23:59:59+08:00"
    assert order["yellow_at"] == "2025-10-13T00:00:00+08:00"
    assert order["severe_at"] == "2025-10-21T23:59:59+08:00"

    steps = [
        ("2025-10-01T10:00:00+08:00", "green", 0),
        ("2025-10-12T23:59:59+08:00", "green", 0),  # Sunday night: still green
        ("2025-10-13T00:00:00+08:00", "yellow", 1),  # the first second of yellow: urged
        ("2025-10-13T15:00:00+08:00", "yellow", 0),
        ("2025-10-14T23:59:59+08:00", "yellow", 0),  # the last on-time second
        ("2025-10-15T00:00:00+08:00", "red", 1),  # overdue: supervised
        ("2025-10-21T23:59:59+08:00", "red", 0),
        ("2025-10-22T00:00:00+08:00", "red", 1),  # severely overdue: reported
        ("2025-11-03T09:00:00+08:00", "red", 0),
    ]
    for now, light, touched in steps:
        app = at(now)
        assert sweep(app) == f"lights: {touched} rows touched", now
        assert sweep(app) == "lights: 0 rows touched", now  # not one per run
        body = Api(app.test_client(), supervisor.token).get(f"/orders/{number}").get_json()
        assert body["light"] == light, now

    events = [(e["action"], e["actor"], e["at"]) for e in body["events"]]
    assert events == [
        ("create", agent_name(body), "2025-09-30T10:00:00+08:00"),
        ("dispatch", agent_name(body), "2025-09-30T10:00:00+08:00"),
        ("urge", "scheduler", "2025-10-13T00:00:00+08:00"),
        ("supervise", "scheduler", "2025-10-15T00:00:00+08:00"),
        ("report_severe", "scheduler", "2025-10-22T00:00:00+08:00"),
    ]
    assert body["supervised"] is True and body["severe"] is True


def agent_name(body):
    return body["events"][0]["actor"]


SCHEDULER_JOBS = ["lights", "callback_timeouts", "callback_calls", "provisional_deadlines",
                  "calendar_coverage", "daily_rollup"]


def test_jobs_list_prints_one_job_name_a_line(app, runner):
    result = runner.invoke(main, ["jobs", "list"], catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines == list(app.extensions["hotline.jobs"])  # other packages' jobs too (statistics)
    assert [name for name in lines if name in SCHEDULER_JOBS] == SCHEDULER_JOBS


def test_running_an_unknown_job_fails_and_names_the_jobs(runner):
    result = runner.invoke(main, ["jobs", "run", "escalate"])
    assert result.exit_code != 0
    assert "no job named 'escalate'; jobs are: " in result.output
    assert all(name in result.output for name in SCHEDULER_JOBS)


def test_admins_read_the_job_runs_and_the_lease(runner, desk):
    assert runner.invoke(main, ["jobs", "run", "lights"]).exit_code == 0
    assert runner.invoke(main, ["jobs", "run", "calendar_coverage"]).exit_code == 0
    response = desk["admin"].get("/jobs/runs")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [r["job"] for r in body["runs"]] == ["calendar_coverage", "lights"]
    run = body["runs"][1]
    assert run["rows"] == 0 and run["error"] is None and run["duration_ms"] >= 0
    assert run["owner"].startswith("cli:") and run["as_of"] == "2026-03-02T09:00:00+08:00"
    assert run["finished_at"] >= run["started_at"]
    assert body["lease"]["owner"] is None  # no scheduler process is running
    assert [r["job"] for r in desk["admin"].get("/jobs/runs", job="lights").get_json()["runs"]] == ["lights"]
    assert desk["admin"].get("/jobs/runs", failed="true").get_json()["runs"] == []


@pytest.mark.parametrize("params, status, message", [
    ({"limit": "0"}, 422, "'limit'"),
    ({"limit": "many"}, 422, "'limit'"),
    ({"job": "escalate"}, 422, "'job' must be one of"),
    ({"failed": "maybe"}, 422, "'failed'"),
    ({"sort": "job"}, 422, "unknown filter"),
])
def test_bad_job_run_queries_are_refused_clearly(desk, params, status, message):
    response = desk["admin"].get("/jobs/runs", **params)
    assert response.status_code == status and message in response.get_json()["error"]


def test_job_runs_are_for_admins_only(client, desk):
    for role in ("supervisor", "agent", "housing"):
        response = desk[role].get("/jobs/runs")
        assert response.status_code == 403 and "administrators" in response.get_json()["error"]
    assert client.get("/api/v1/jobs/runs").status_code == 401


def test_the_openapi_document_describes_the_job_runs(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "admins only" in paths["/jobs/runs"]["get"]["summary"]
    assert paths["/orders/{number}/report_severe"]["post"]["summary"].startswith("report_severe (严重超期通报): by system")


def test_people_cannot_take_the_schedulers_own_actions(desk):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    response = desk["supervisor"].act(number, "report_severe", {"note": "x"})
    assert response.status_code == 403
    assert response.get_json()["error"] == "role 'supervisor' may not report_severe; it is for: the scheduler alone"
    assert "report_severe" not in desk["supervisor"].get(f"/orders/{number}").get_json()["allowed_actions"]


def test_hotline_commands_other_than_run_never_start_a_scheduler(tmp_path, monkeypatch):
    import click

    monkeypatch.setenv("HOTLINE_INSTANCE", str(tmp_path))
    for command in ("upgrade", "seed-demo", "scheduler", "list"):
        with click.Context(click.Command(command), info_name=command):
            app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}", "SECRET_KEY": "s",
                              "SCHEDULER": "on"})
        assert "hotline.scheduler" not in app.extensions, command
