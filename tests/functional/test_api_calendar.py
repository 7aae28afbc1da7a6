"""/api/v1/calendar and the OpenAPI document (issue #2, acceptance 2)."""
from __future__ import annotations


def test_due_over_labour_day_2026_matches_the_cli(desk):
    r = desk["agent"].get("/calendar/due", start="2026-04-30T10:00:00+08:00", working_days=5)
    assert r.status_code == 200
    assert r.get_json() == {"due_at": "2026-05-11T23:59:59+08:00", "due_day": "2026-05-11", "provisional": False}


def test_a_receipt_just_after_local_midnight_counts_from_the_beijing_date(desk):
    # 00:30 on Saturday 9 May 2026 (an adjusted working day) is still 16:30 UTC on Friday 8 May.
    r = desk["agent"].get("/calendar/due", start="2026-05-08T16:30:00+00:00", working_days=1)
    assert r.get_json()["due_at"] == "2026-05-11T23:59:59+08:00"


def test_workday_answers_for_adjusted_and_holiday_dates(desk):
    assert desk["agent"].get("/calendar/workday", date="2026-05-09").get_json()["workday"] is True
    assert desk["agent"].get("/calendar/workday", date="2026-05-04").get_json()["workday"] is False
    far = desk["agent"].get("/calendar/workday", date="2031-06-02").get_json()
    assert far["workday"] is True and far["provisional"] is True


def test_calendar_rejects_bad_parameters(desk):
    assert desk["agent"].get("/calendar/due", start="nope", working_days=5).status_code == 422
    assert desk["agent"].get("/calendar/due", start="2026-04-30T10:00:00+08:00", working_days=0).status_code == 422
    assert desk["agent"].get("/calendar/due", start="2026-04-30T10:00:00+08:00").status_code == 422
    r = desk["agent"].get("/calendar/due", start="2026-04-30T10:00:00+08:00", working_days=5, extra=1)
    assert r.status_code == 422 and "extra" in r.get_json()["error"]
    assert desk["agent"].get("/calendar/workday", date="2026-13-01").status_code == 422


def test_openapi_documents_every_lifecycle_action(client):
    from workorders.lifecycle import ACTIONS

    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for action in ACTIONS:
        assert f"/orders/{{number}}/{action}" in doc["paths"]
    assert "/calendar/due" in doc["paths"] and "/orders" in doc["paths"]


def test_departments_endpoint_lists_the_tree(desk):
    rows = desk["agent"].get("/departments").get_json()["departments"]
    street = next(d for d in rows if d["code"] == "dongcheng.xinhe")
    assert street["parent"] == "dongcheng"
