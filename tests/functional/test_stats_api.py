"""GET /api/v1/stats and /api/v1/stats/hotspots: the figures over HTTP, refusals with a message."""
from __future__ import annotations

import pytest

from tests.stats_support import TZ, Office, march_2026
from workorders.stats import rollup

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def march(app, session, clock):
    with app.app_context():
        orders = march_2026(Office(session, clock))
        rollup.refresh(session, clock.now(), TZ)  # the scheduler's job, on its first run
        session.commit()
    return orders


def rows_by_key(body):
    return {row["key"]: row for row in body["rows"]}


def test_the_api_gives_the_hand_counted_figures_by_department_code(march, desk):
    r = desk["supervisor"].get("/stats", group="department", **MARCH)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["from"], body["to"], body["group"]) == ("2026-03-01", "2026-03-31", "department")
    assert body["as_of"] == "2026-04-01T09:00:00+08:00"
    rows = rows_by_key(body)
    housing, urban = rows["housing"], rows["urban"]
    assert (housing["dispatched"], housing["replied"], housing["on_time_rate"], housing["returns"]) == (5, 4, 0.75, 1)
    assert (urban["dispatched"], urban["held_past_due"], urban["severe_overdue"], urban["unreachable"]) == (3, 1, 1, 1)
    assert rows["dongcheng.xinhe"]["parent_key"] == "dongcheng" and rows["dongcheng"]["dispatched"] == 1
    assert rows[""]["received"] == 12 and rows[""]["name"] == "not dispatched"
    total = body["total"]
    assert (total["received"], total["dispatched"], total["replied"], total["callbacks_reached"]) == (12, 9, 7, 7)
    assert (total["overdue_rate"], total["satisfaction_rate"], total["average_reply_days"]) == (0.3333, 0.8571, 8.18)


def test_a_period_can_be_named_instead_of_dated(march, desk):
    by_dates = desk["agent"].get("/stats", group="type", **MARCH).get_json()
    by_month = desk["agent"].get("/stats", group="type", period="month", date="2026-03-17").get_json()
    assert by_month["rows"] == by_dates["rows"] and by_month["total"] == by_dates["total"]
    week = desk["agent"].get("/stats", period="week", date="2026-03-04").get_json()
    assert (week["from"], week["to"]) == ("2026-03-02", "2026-03-08")
    assert rows_by_key(desk["agent"].get("/stats", group="channel", **MARCH).get_json())["web"]["received"] == 4


@pytest.mark.parametrize("params, message", [
    ({"from": "2026-03-31", "to": "2026-03-01"}, "'from' must not be after 'to'"),
    ({"from": "2026-03-01", "to": "2026-03-31", "group": "colour"}, "unknown group 'colour'"),
    ({"from": "2026-02-30", "to": "2026-03-31"}, "'from' must be a date"),
    ({"to": "2026-03-31"}, "'from' is required"),
    ({"from": "2016-01-01", "to": "2026-03-31"}, "longer than ten years"),
    ({"period": "fortnight"}, "unknown period 'fortnight'"),
    ({"period": "month", "from": "2026-03-01"}, "not both"),
    ({"from": "2026-03-01", "to": "2026-03-31", "colour": "red"}, "unknown parameter(s): colour"),
])
def test_an_impossible_request_is_refused_with_a_message(desk, params, message):
    r = desk["supervisor"].get("/stats", **params)
    assert r.status_code == 422
    assert message in r.get_json()["error"]


def test_a_department_sees_only_its_own_departments(march, make_user):
    _, street = make_user("department", "dongcheng")
    body = street.get("/stats", group="department", **MARCH).get_json()
    assert [row["key"] for row in body["rows"]] == ["dongcheng", "dongcheng.xinhe"]
    assert body["total"]["dispatched"] == 1 and body["total"]["received"] == 0
    r = street.get("/stats", group="type", **MARCH)
    assert r.status_code == 403 and "group=department" in r.get_json()["error"]
    assert street.get("/stats/hotspots").status_code == 403


def test_the_stats_need_a_token(client):
    assert client.get("/api/v1/stats?from=2026-03-01&to=2026-03-31").status_code == 401


def test_the_openapi_document_describes_the_stats(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    parameters = {p["name"] for p in paths["/stats"]["get"]["parameters"]}
    assert parameters == {"from", "to", "group", "period", "date"}
    assert "422" in paths["/stats"]["get"]["responses"] and "/stats/hotspots" in paths
