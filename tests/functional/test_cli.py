"""The `hotline` command as an operator uses it (issue #2)."""
from __future__ import annotations

import json

from sqlalchemy import select

from hotline.cli import main
from workorders.models import CalendarDay, User


def invoke(runner, *args):
    result = runner.invoke(main, list(args), catch_exceptions=False)
    return result


def test_calendar_due_prints_the_due_time_alone_on_its_last_line(runner):
    result = invoke(runner, "calendar", "due", "--start", "2026-04-30T10:00:00+08:00", "--working-days", "5")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "2026-05-11T23:59:59+08:00"


def test_calendar_due_beyond_coverage_says_it_is_provisional(runner):
    result = invoke(runner, "calendar", "due", "--start", "2027-03-01T10:00:00+08:00", "--working-days", "5")
    assert result.exit_code == 0
    assert result.output.strip().splitlines()[-1] == "2027-03-08T23:59:59+08:00"
    assert "provisional" in result.output


def test_calendar_due_rejects_a_bad_start(runner):
    result = invoke(runner, "calendar", "due", "--start", "yesterday", "--working-days", "5")
    assert result.exit_code != 0 and "ISO 8601" in result.output


def test_calendar_import_adds_a_year_and_changes_due_dates(runner, tmp_path, session):
    file = tmp_path / "2027.json"
    file.write_text(json.dumps({"years": {"2027": {
        "holidays": ["2027-01-01", "2027-03-02", "2027-03-03"], "workdays": ["2027-03-06"]}}}))
    result = invoke(runner, "calendar", "import", str(file))
    assert result.exit_code == 0, result.output
    assert "2027" in result.output
    assert session.get(CalendarDay, __import__("datetime").date(2027, 3, 2)).is_workday is False
    result = invoke(runner, "calendar", "due", "--start", "2027-03-01T10:00:00+08:00", "--working-days", "5")
    assert result.output.strip().splitlines()[-1] == "2027-03-09T23:59:59+08:00"
    assert "provisional" not in result.output
    show = invoke(runner, "calendar", "show", "2027")
    assert "2027-03-06 Sat working day" in show.output and "2027-03-02 Tue holiday" in show.output


def test_calendar_import_rejects_a_malformed_file_and_writes_nothing(runner, tmp_path, session):
    file = tmp_path / "bad.json"
    file.write_text(json.dumps({"years": {"2028": {"holidays": ["2028-02-30"], "workdays": []}}}))
    result = invoke(runner, "calendar", "import", str(file))
    assert result.exit_code != 0 and "rejected" in result.output
    assert session.scalar(select(CalendarDay).where(CalendarDay.day >= __import__("datetime").date(2028, 1, 1))) is None
    (tmp_path / "junk.json").write_text("{nope")
    assert "not a JSON file" in invoke(runner, "calendar", "import", str(tmp_path / "junk.json")).output


def test_users_create_and_token_print_the_token_alone_on_the_last_line(runner, client, session):
    result = invoke(runner, "users", "create", "--username", "clerk", "--password", "clerk-pass-2026",
                    "--role", "department", "--department", "housing")
    assert result.exit_code == 0, result.output
    result = invoke(runner, "users", "token", "--username", "clerk")
    token = result.output.strip().splitlines()[-1]
    r = client.get("/api/v1/orders", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    user = session.scalar(select(User).where(User.username == "clerk"))
    assert user.role == "department" and user.department.code == "housing"


def test_users_create_refuses_bad_input(runner):
    assert "department" in invoke(runner, "users", "create", "--username", "x1", "--password", "clerk-pass-2026",
                                  "--role", "department").output
    assert "role" in invoke(runner, "users", "create", "--username", "x2", "--password", "clerk-pass-2026",
                            "--role", "wizard").output
    assert "12 characters" in invoke(runner, "users", "create", "--username", "x3", "--password", "short-pass",
                                     "--role", "agent").output
    assert "too common" in invoke(runner, "users", "create", "--username", "x4", "--password", "password1234",
                                  "--role", "agent").output
    assert "no user" in invoke(runner, "users", "token", "--username", "ghost").output


def test_departments_list_prints_code_and_name(runner):
    lines = invoke(runner, "departments", "list").output.strip().splitlines()
    assert "housing 市住房和城乡建设局" in lines
    assert all(len(line.split(" ", 1)) == 2 for line in lines)
