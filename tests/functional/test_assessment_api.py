"""GET /api/v1/stats/assessment (issue #16, acceptance 1 and 4): the scores and ranks of a
hand-built month under two presets, computed by hand; a department sees its own row only."""
from __future__ import annotations

import pytest

from tests.assessment_support import assessed_march
from tests.stats_support import TZ, Office
from workorders.stats import rollup


@pytest.fixture
def march(app, session, clock):
    with app.app_context():
        assessed_march(Office(session, clock))
        rollup.refresh(session, clock.now(), TZ)
        session.commit()


def ranking(body) -> dict[str, tuple[float, int]]:
    return {row["department"]: (row["score"], row["rank"]) for row in body["departments"]}


def test_the_chengdu_preset_scores_and_ranks_the_month_as_counted_by_hand(march, desk):
    # 成都: reply 30, resolution 30, satisfaction 40 (over 100); 0.5 point per percentage point overdue.
    # housing: 30×0.8 + 30×0.5 + 40×0.75 = 24 + 15 + 30 = 69; overdue 20 pp × 0.5 = 10 → 59
    # urban:   30×0.5 + 30×1.0 + 40×1.0  = 15 + 30 + 40 = 85; overdue 50 pp × 0.5 = 25 → 60
    # ecology: 30×1.0 + 30×0.5 + 40×0.5  = 30 + 15 + 20 = 65; overdue 0 → 65
    r = desk["supervisor"].get("/stats/assessment", month="2026-03", scheme="chengdu")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["from"], body["to"]) == ("2026-03-01", "2026-03-31")
    assert [row["department"] for row in body["departments"]] == ["ecology", "urban", "housing"]
    assert ranking(body) == {"ecology": (65.0, 1), "urban": (60.0, 2), "housing": (59.0, 3)}
    housing = body["departments"][2]["parts"]
    assert housing["reply_rate"] == {"value": 0.8, "weight": 30.0, "points": 24.0}
    assert housing["overdue_rate"] == {"value": 0.2, "per": 0.5, "points": -10.0}


def test_the_chengnan_preset_ranks_the_same_month_otherwise(march, desk):
    # 城南/克拉玛依: on-time 50, satisfaction 50; 2 points per severely overdue dispatch, 0.5 per
    # return per 100 dispatches.
    # housing: 50×0.75 + 50×0.75 = 75; returns 20 per 100 × 0.5 = 10 → 65
    # urban:   50×1.0  + 50×1.0  = 100; 1 severe × 2 = 2 → 98
    # ecology: 50×1.0  + 50×0.5  = 75; nothing deducted → 75
    body = desk["supervisor"].get("/stats/assessment", month="2026-03", scheme="chengnan").get_json()
    assert ranking(body) == {"urban": (98.0, 1), "ecology": (75.0, 2), "housing": (65.0, 3)}
    assert body["departments"][0]["parts"]["severe_overdue"] == {"value": 1, "per": 2.0, "points": -2.0}
    assert body["scheme"]["name"] == "chengnan" and "seeds/002" in body["scheme"]["source"]


def test_without_a_scheme_the_one_in_force_is_used(march, desk):
    default = desk["leader"].get("/stats/assessment", month="2026-03").get_json()
    assert default["scheme"]["name"] == "chengdu"
    assert ranking(default)["ecology"] == (65.0, 1)


def test_a_department_sees_its_own_row_and_rank_only(march, desk, make_user):
    body = desk["housing"].get("/stats/assessment", month="2026-03").get_json()
    assert ranking(body) == {"housing": (59.0, 3)} and body["departments"][0]["peers"] == 3
    assert desk["urban"].get("/stats/assessment", month="2026-03").get_json()["departments"][0]["rank"] == 2
    r = desk["housing"].get("/stats/assessment", month="2026-03", scheme="chengnan")
    assert r.status_code == 403
    _, street = make_user("department", "dongcheng.xinhe")
    assert street.get("/stats/assessment", month="2026-03").get_json()["departments"] == []


@pytest.mark.parametrize("params, status, message", [
    ({"month": "2026-13"}, 422, "a month is written YYYY-MM"),
    ({"month": "March"}, 422, "a month is written YYYY-MM"),
    ({"month": "2026-03", "period": "year"}, 422, "give one of"),
    ({"month": "2026-03", "colour": "red"}, 422, "unknown parameter(s): colour"),
    ({"month": "2026-03", "scheme": "nowhere"}, 404, "no assessment scheme named 'nowhere'"),
])
def test_a_bad_request_is_refused_with_a_message(desk, params, status, message):
    r = desk["supervisor"].get("/stats/assessment", **params)
    assert r.status_code == status and message in r.get_json()["error"]


def test_the_assessment_needs_a_token_and_is_in_the_openapi_document(client):
    assert client.get("/api/v1/stats/assessment?month=2026-03").status_code == 401
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {p["name"] for p in paths["/stats/assessment"]["get"]["parameters"]} >= {"month", "scheme"}
