"""Workbooks of every period (issue #16, acceptance 2): quarter and year workbooks from the CLI and
the pages open with openpyxl and carry the API's counts; the monthly job keeps last month's."""
from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from hotline.jobs import run_job
from tests.stats_support import TZ, Office, march_2026
from tests.web_support import people
from workorders.stats import rollup
from workorders.stats.stored import StoredWorkbook


@pytest.fixture
def march(app, session, clock):
    with app.app_context():
        march_2026(Office(session, clock))
        rollup.refresh(session, clock.now(), TZ)
        session.commit()


def summary_figures(data: bytes) -> dict:
    wb = load_workbook(BytesIO(data))
    rows = wb.worksheets[0].iter_rows(values_only=True)
    return {row[2]: row[1] for row in rows if len(row) > 2 and isinstance(row[2], str)}


def department_rows(data: bytes) -> dict:
    rows = [list(r) for r in load_workbook(BytesIO(data)).worksheets[1].iter_rows(values_only=True)]
    codes = rows[1][2:]
    return {row[1] or "": dict(zip(codes, row[2:], strict=True)) for row in rows[2:-1]}


# The data set has 12 orders received in March, 2 in February and 1 on 1 April.
@pytest.mark.parametrize("period, date, first, last, name, received", [
    ("quarter", "2026-03-31", "2026-01-01", "2026-03-31", "2026-Q1", 12 + 2),
    ("year", "2026-06-30", "2026-01-01", "2026-12-31", "2026", 12 + 2 + 1),
])
def test_quarter_and_year_workbooks_carry_the_apis_received_counts(march, runner, desk, app, make_user, tmp_path,
                                                                   period, date, first, last, name, received):
    api = desk["supervisor"].get("/stats", group="department", period=period, date=date).get_json()
    assert (api["from"], api["to"]) == (first, last)
    target = tmp_path / f"{period}.xlsx"
    result = runner.invoke(args=["report", "--period", period, "--date", date, "--xlsx", str(target)])
    assert result.exit_code == 0, result.output
    web = people(app, make_user)
    downloaded = web("supervisor").get(f"/stats/report.xlsx?period={period}&date={date}")
    assert downloaded.status_code == 200 and f"hotline-report-{name}.xlsx" in downloaded.headers["Content-Disposition"]
    for data in (target.read_bytes(), downloaded.data):
        figures = summary_figures(data)
        assert figures["received"] == api["total"]["received"] == received
        assert figures["dispatched"] == api["total"]["dispatched"]
        by_department = department_rows(data)
        for row in api["rows"]:
            assert by_department[row["key"]]["dispatched"] == row["dispatched"], row["key"]
        assert load_workbook(BytesIO(data)).worksheets[0]["A1"].value == (
            "12345热线季度报表" if period == "quarter" else "12345热线年度报表")


def test_week_and_month_from_the_cli_and_month_still_works(march, runner, desk, tmp_path):
    week = tmp_path / "week.xlsx"
    assert runner.invoke(args=["report", "--period", "week", "--date", "2026-03-04", "--xlsx", str(week)]).exit_code == 0
    api = desk["agent"].get("/stats", period="week", date="2026-03-04").get_json()
    assert summary_figures(week.read_bytes())["received"] == api["total"]["received"]
    month = tmp_path / "month.xlsx"
    assert runner.invoke(args=["report", "--month", "2026-03", "--xlsx", str(month)]).exit_code == 0
    assert summary_figures(month.read_bytes())["received"] == 12


@pytest.mark.parametrize("args, message", [
    (["--period", "quarter"], "--date"),
    (["--month", "2026-03", "--period", "year", "--date", "2026-01-01"], "not both"),
    (["--period", "fortnight", "--date", "2026-01-01"], "fortnight"),
    (["--period", "year", "--date", "2026-02-30"], "must be a date"),
])
def test_a_bad_report_command_writes_nothing(runner, tmp_path, args, message):
    target = tmp_path / "x.xlsx"
    result = runner.invoke(args=["report", *args, "--xlsx", str(target)])
    assert result.exit_code != 0 and message in result.output and not target.exists()


def test_the_job_keeps_last_months_workbook_once(march, app, session, desk, clock):
    # 1 April: March has ended. The job runs twice; one workbook is kept.
    for _ in range(2):
        result = run_job(app, "monthly_workbook", "test")
        assert result.error is None
    kept = session.scalars(select(StoredWorkbook)).all()
    assert [(k.kind, k.first_day.isoformat(), k.last_day.isoformat()) for k in kept] == [
        ("month", "2026-03-01", "2026-03-31")]
    assert summary_figures(kept[0].content)["received"] == 12
    assert load_workbook(BytesIO(kept[0].content)).sheetnames == ["汇总", "单位", "严重超期", "考核", "话务"]
    assert session.scalar(select(func.count()).select_from(StoredWorkbook)) == 1


def test_the_kept_workbook_is_listed_and_downloaded_from_the_dashboard(march, app, make_user, session):
    assert run_job(app, "monthly_workbook", "test").error is None
    kept = session.scalars(select(StoredWorkbook)).one()
    web = people(app, make_user)
    supervisor = web("supervisor")
    assert f'href="/stats/reports/{kept.id}.xlsx"' in supervisor.page("/stats/")
    response = supervisor.get(f"/stats/reports/{kept.id}.xlsx")
    assert response.status_code == 200 and response.data == kept.content
    assert "hotline-report-2026-03.xlsx" in response.headers["Content-Disposition"]
    assert supervisor.get(f"/stats/reports/{kept.id + 1}.xlsx").status_code == 404
    assert web("department", "housing").get(f"/stats/reports/{kept.id}.xlsx").status_code == 403
