"""The dashboard, the monthly Excel report (download and CLI) and the public notice board
(issue #7, acceptance 2: the workbook's numbers are the API's; the notice board has no personal data)."""
from __future__ import annotations

import html
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.stats_support import TZ, Office, march_2026
from tests.web_support import people, text_of
from workorders.stats import rollup

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def march(app, session, clock):
    with app.app_context():
        orders = march_2026(Office(session, clock))
        rollup.refresh(session, clock.now(), TZ)
        session.commit()
    return orders


@pytest.fixture
def web(app, make_user):
    return people(app, make_user)


def sheet_rows(ws):
    return [list(row) for row in ws.iter_rows(values_only=True)]


def check_workbook_against_api(data: bytes, api):
    wb = load_workbook(BytesIO(data))
    assert len(wb.sheetnames) == 5  # summary, departments, severe-overdue list, assessment, calls (话务)
    summary, departments, severe = wb.worksheets[:3]
    body = api.get("/stats", group="department", **MARCH).get_json()

    # Summary: one figure a row, its code in the third column.
    figures = {row[2]: row[1] for row in sheet_rows(summary) if len(row) > 2 and row[2] and row[2] in body["total"]}
    assert len(figures) >= 25
    for code, value in figures.items():
        assert value == body["total"][code], code

    # Departments: a row of column codes under the header, then one row per department.
    rows = sheet_rows(departments)
    codes = rows[1][2:]
    # The last row is the total; the front desk's row ("not dispatched") has an empty code.
    by_department = {row[1] or "": dict(zip(codes, row[2:], strict=True)) for row in rows[2:-1]}
    api_rows = {row["key"]: row for row in body["rows"]}
    assert set(by_department) == set(api_rows)
    for key, values in by_department.items():
        for code, value in values.items():
            assert value == api_rows[key][code], (key, code)
    total_row = rows[-1]
    assert dict(zip(codes, total_row[2:], strict=True)) == {code: body["total"][code] for code in codes}

    # The severe-overdue list: the street's late reply and the order urban still holds.
    listed = sheet_rows(severe)[1:]
    assert sorted(row[1] for row in listed) == ["东城区新河街道办事处", "市城市管理局"]
    assert sum(1 for row in listed if row[7] == "仍在办理") == 1
    assert len(listed) == body["total"]["severe_overdue"]
    return wb


def test_the_downloaded_workbook_has_the_apis_numbers(march, web, desk):
    supervisor = web("supervisor")
    page = supervisor.page("/stats/?" + "&".join(f"{k}={v}" for k, v in MARCH.items()))
    assert 'href="/stats/report.xlsx?month=2026-03"' in page  # the download button
    response = supervisor.get("/stats/report.xlsx?month=2026-03")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "hotline-report-2026-03.xlsx" in response.headers["Content-Disposition"]
    wb = check_workbook_against_api(response.data, desk["supervisor"])
    assert wb.sheetnames == ["汇总", "单位", "严重超期", "考核", "话务"]


def test_the_report_command_writes_the_same_workbook(march, runner, desk, tmp_path):
    target = tmp_path / "march.xlsx"
    result = runner.invoke(args=["report", "--month", "2026-03", "--xlsx", str(target)])
    assert result.exit_code == 0, result.output
    check_workbook_against_api(target.read_bytes(), desk["supervisor"])
    english = tmp_path / "march-en.xlsx"
    assert runner.invoke(args=["report", "--month", "2026-03", "--xlsx", str(english), "--lang", "en"]).exit_code == 0
    assert load_workbook(english).sheetnames == ["Summary", "Departments", "Severely overdue", "Assessment", "Calls"]
    bad = runner.invoke(args=["report", "--month", "2026-13", "--xlsx", str(tmp_path / "x.xlsx")])
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output and not (tmp_path / "x.xlsx").exists()


def test_the_dashboard_shows_figures_lights_charts_and_ranking(march, web):
    page = web("leader").page("/stats/?from=2026-03-01&to=2026-03-31&rank=on_time_rate")
    text = text_of(page)
    assert "统计与报表" in text and "2026-03-01 – 2026-03-31" in text
    assert 'data-figure="received"><span class="tile-value">12<' in page
    assert 'data-figure="overdue_rate"><span class="tile-value">33.3%<' in page
    assert 'data-light="severe"><strong>1</strong>' in page  # the order urban still holds
    for chart in ("chart-trend", "chart-types", "chart-categories", "chart-ranking"):
        assert f'id="{chart}"' in page
    assert "/static/vendor/echarts/echarts.min.js" in page and 'id="stats-data"' in page
    # Top-level departments ranked by on-time rate: Housing 75%, Urban 100%, Dongcheng 0%.
    ranking = page.split('id="ranking"')[1]
    assert ranking.index('data-department="urban"') < ranking.index('data-department="housing"') \
        < ranking.index('data-department="dongcheng"')
    assert 'data-department="dongcheng.xinhe"' not in ranking  # sub-units are inside their district


def test_the_dashboard_is_for_the_hotline_office(march, web, client):
    for role in ("supervisor", "leader", "admin"):
        assert web(role).get("/stats/").status_code == 200
    assert web("agent").get("/stats/").status_code == 403
    assert web("department", "housing").get("/stats/").status_code == 403
    assert web("department", "housing").get("/stats/report.xlsx?month=2026-03").status_code == 403
    assert "/login" in client.get("/stats/").location
    assert web("supervisor").get("/stats/?from=2026-03-31&to=2026-03-01").status_code == 422


def test_the_notice_board_is_public_and_carries_no_personal_data(march, client, session):
    response = client.get("/notice")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = text_of(page)
    assert "公开通报" in text and "2026-03" in text  # 1 April: the last full month is March
    assert 'data-department="housing"' in page and 'data-department="urban"' in page
    housing = page.split('data-department="housing"')[1].split("</tr>")[0]
    assert 'data-figure="dispatched">5<' in housing and 'data-figure="on_time_rate">75.0%<' in housing
    for order in march.values():
        session.refresh(order)
        for personal in (order.number, order.caller_name, order.caller_phone, order.content, order.address):
            if personal:
                assert personal not in page, personal
    assert "13911112222" not in page and "赵女士" not in page and "139****2222" not in page
    assert client.get("/notice?month=2026-04").status_code == 422  # not finished yet
    assert client.get("/notice?month=2026-02").status_code == 200


def test_a_hot_spot_page_needs_a_known_group(march, web):
    supervisor = web("supervisor")
    assert supervisor.get("/stats/hotspots/colour/red").status_code == 404
    assert supervisor.get("/stats/hotspots/district/nowhere").status_code == 404
    page = supervisor.page("/stats/hotspots/district/东城区?date=2026-03-04")
    assert "Not flagged" in page or "未达到预警" in page


def trend_days(page: str) -> list[str]:
    import json
    import re

    data = json.loads(html.unescape(re.search(r'id="stats-data">(.*?)</script>', page, re.S).group(1)))
    return [d["day"] for d in data["trend"]]


def test_the_daily_chart_stops_at_today(web, desk, clock):
    """Issue 13: the daily chart plotted the month's future days as zeros."""
    desk["agent"].create()
    supervisor = web("supervisor")
    assert trend_days(supervisor.page("/stats/")) == ["2026-03-01", "2026-03-02"]  # Monday 2 March
    assert len(trend_days(supervisor.page("/stats/?from=2026-02-01&to=2026-02-28"))) == 28  # all past
    assert trend_days(supervisor.page("/stats/?from=2026-04-01&to=2026-04-30")) == []  # all to come
