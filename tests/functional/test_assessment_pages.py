"""The assessment on the pages (issue #16, acceptance 4 and the notice board): a department sees
its own row only; a supervisor publishes a month's ranking; an admin edits and switches schemes;
the workbook's assessment sheet carries the API's scores."""
from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.assessment_support import assessed_march
from tests.stats_support import TZ, Office
from tests.web_support import WebSession, people, text_of
from workorders.stats import rollup


@pytest.fixture
def march(app, session, clock):
    with app.app_context():
        assessed_march(Office(session, clock))
        rollup.refresh(session, clock.now(), TZ)
        session.commit()


@pytest.fixture
def web(app, make_user):
    return people(app, make_user)


def ranked_rows(page: str) -> list[str]:
    table = page.split('id="assessment"')[1].split("</table>")[0]
    return [chunk.split('"')[0] for chunk in table.split('data-department="')[1:]]


def test_a_department_sees_its_own_row_and_rank_only(march, web):
    page = web("department", "housing").page("/stats/assessment?month=2026-03")
    assert ranked_rows(page) == ["housing"]
    assert 'data-figure="rank">3 / 3<' in page and 'data-figure="score">59.00<' in page
    assert "市城市管理局" not in text_of(page) and "考核" in text_of(page)
    department = web("department", "urban")
    assert ranked_rows(department.page("/stats/assessment?month=2026-03")) == ["urban"]
    assert department.get("/stats/assessment?month=2026-03&scheme=chengnan").status_code == 403
    assert department.get("/stats/").status_code == 403  # the office's dashboard stays the office's


def test_the_office_sees_every_department_ranked_on_the_dashboard_and_the_detail_page(march, web):
    leader = web("leader")
    detail = leader.page("/stats/assessment?month=2026-03&scheme=chengnan")
    assert ranked_rows(detail) == ["urban", "ecology", "housing"]
    assert 'data-figure="severe_overdue">-2.00<' in detail
    dashboard = leader.page("/stats/?from=2026-03-01&to=2026-03-31")
    assert ranked_rows(dashboard) == ["ecology", "urban", "housing"]  # the scheme in force: 成都
    assert "publish" not in detail  # only a supervisor publishes


def test_a_supervisor_publishes_the_month_on_the_notice_board_and_withdraws_it(march, app, web):
    public = WebSession(app)
    assert 'id="notice-assessment"' not in public.page("/notice?month=2026-03")
    supervisor = web("supervisor")
    assert 'action="/stats/assessment/2026-03/publish"' in supervisor.page("/stats/assessment?month=2026-03")
    assert supervisor.post("/stats/assessment/2026-03/publish").status_code == 302
    board = public.page("/notice?month=2026-03")
    section = board.split('id="notice-assessment"')[1]
    assert [c.split('"')[0] for c in section.split('data-department="')[1:]] == ["ecology", "urban", "housing"]
    assert 'data-figure="score">65.00<' in section
    # April has not ended: it cannot be published.
    early = supervisor.post("/stats/assessment/2026-04/publish")
    assert early.status_code == 409 and "只能发布已结束月份的考核结果" in text_of(early.get_data(as_text=True))
    assert supervisor.post("/stats/assessment/2026-13/publish").status_code == 422
    assert 'id="notice-assessment"' not in public.page("/notice?month=2026-02")
    assert web("leader").post("/stats/assessment/2026-03/publish").status_code == 403
    assert supervisor.post("/stats/assessment/2026-03/withdraw").status_code == 302
    assert 'id="notice-assessment"' not in public.page("/notice?month=2026-03")
    assert supervisor.post("/stats/assessment/2026-03/withdraw").status_code == 404


def test_an_admin_edits_a_scheme_and_puts_another_in_force(march, web, desk):
    admin = web("admin")
    page = admin.page("/admin/assessment?name=chengdu")
    assert "seeds/001" in page and 'name="weight_satisfaction_rate"' in page
    # Satisfaction alone, nothing deducted: housing 0.75 → 75, urban 1.0 → 100, ecology 0.5 → 50.
    form = {"weight_reply_rate": "0", "weight_on_time_rate": "0", "weight_resolution_rate": "0",
            "weight_satisfaction_rate": "10", "per_overdue_rate": "0", "per_returns_per_100": "0",
            "per_severe_overdue": "0", "max_deduction": "0"}
    assert admin.post("/admin/assessment/chengdu", form).status_code == 302
    body = desk["supervisor"].get("/stats/assessment", month="2026-03").get_json()
    assert {r["department"]: r["score"] for r in body["departments"]} == {"urban": 100.0, "housing": 75.0,
                                                                          "ecology": 50.0}
    bad = admin.post("/admin/assessment/chengdu", {**form, "weight_satisfaction_rate": "0"})
    assert bad.status_code == 422 and "至少要有一项比率的权重大于 0" in text_of(bad.get_data(as_text=True))
    assert admin.post("/admin/assessment/chengdu", {**form, "per_overdue_rate": "lots"}).status_code == 422
    assert admin.post("/admin/assessment/active", {"name": "chengnan"}).status_code == 302
    assert desk["housing"].get("/stats/assessment", month="2026-03").get_json()["departments"][0]["score"] == 65.0
    assert web("supervisor").get("/admin/assessment").status_code == 403


def test_the_workbook_carries_the_assessment_of_the_api(march, web, desk):
    data = web("supervisor").get("/stats/report.xlsx?month=2026-03").data
    ws = load_workbook(BytesIO(data))["考核"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(rows) if row[0] == "rank")
    sheet = {row[3]: (row[4], row[0]) for row in rows[header + 1:]}
    api = desk["supervisor"].get("/stats/assessment", month="2026-03").get_json()
    assert sheet == {row["department"]: (row["score"], row["rank"]) for row in api["departments"]}
