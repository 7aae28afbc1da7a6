"""Hostile input at every entry point gets a clear 4xx, never a 500 (issue 12, on both databases).

Each case is one of the issue's reproductions; on PostgreSQL the NUL cases used to end in
psycopg.DataError (500), on both databases the others did.
"""
from __future__ import annotations

import json

import pytest

from tests.ivr_support import Twilio, bound_app, call_params, new_sid
from tests.web_support import csrf_token

NUL_GETS = [
    "/portal/replies?q=%00",
    "/api/v1/kb/search?q=%00",
    "/open311/v2/requests/%00.json",
    "/open311/v2/requests.json?service_code=a%00b",
]


@pytest.mark.parametrize("path", NUL_GETS)
def test_a_nul_in_a_query_or_path_is_a_400_not_a_500(client, path):
    response = client.get(path)
    assert response.status_code == 400, response.get_data(as_text=True)[:500]


def test_a_nul_in_an_api_path_is_a_json_400(desk):
    response = desk["agent"].get("/orders/2026%00")
    assert response.status_code == 400
    assert "cannot be stored" in response.get_json()["error"]


def test_a_nul_in_an_api_body_is_refused_and_nothing_is_written(desk, session):
    from sqlalchemy import func, select

    from workorders.models import WorkOrder

    before = session.scalar(select(func.count()).select_from(WorkOrder))
    response = desk["agent"].post("/orders", {"type": "complaint", "channel": "phone", "content": "路灯\u0000坏了",
                                              "caller_name": "王", "caller_phone": "13812345678"})
    assert response.status_code == 400
    assert session.scalar(select(func.count()).select_from(WorkOrder)) == before


def test_a_nul_in_the_login_form_is_a_400_page(client):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "agent\x00", "password": "x", "csrf_token": token})
    assert response.status_code == 400
    assert "text/html" in response.headers["Content-Type"]


def test_a_lone_surrogate_in_a_json_body_is_a_400(desk):
    body = b'{"type": "complaint", "channel": "phone", "content": "\\ud83d", "caller_phone": "13812345678"}'
    response = desk["agent"].client.post("/api/v1/orders", data=body, content_type="application/json",
                                         headers=desk["agent"]._headers())
    assert response.status_code == 400
    assert "error" in response.get_json()


def test_a_json_body_nested_a_hundred_thousand_deep_is_a_400(desk):
    response = desk["agent"].client.post("/api/v1/orders", data="[" * 100_000, content_type="application/json",
                                         headers=desk["agent"]._headers())
    assert response.status_code == 400
    assert "error" in response.get_json()


def test_a_signed_webhook_carrying_a_nul_is_a_clean_400(connection, clock):
    app = bound_app(connection, clock)
    twilio = Twilio(app.test_client())
    params = call_params(new_sid())
    response = twilio.client.post("/ivr/survey?order=2026%00", data=params,
                                  headers={"X-Twilio-Signature": twilio.signature("/ivr/survey?order=2026\x00", params)})
    assert response.status_code == 400
    params = call_params(new_sid(), Digits="1\x00")
    assert twilio.post("/ivr/menu", params).status_code == 400


@pytest.mark.parametrize("start", ["2047-01-02T10:00:00+08:00", "9999-12-31T10:00:00+08:00",
                                   "1998-12-31T10:00:00+08:00", "0001-01-01T00:00:00+00:00"])
def test_due_dates_outside_the_calendars_range_are_a_422(desk, start):
    response = desk["agent"].get("/calendar/due", start=start, working_days="5")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "error" in response.get_json()


def test_an_enormous_offset_is_a_422(desk):
    response = desk["agent"].get("/orders", offset="99999999999999999999999")
    assert response.status_code == 422
    assert "offset" in response.get_json()["error"]
    response = desk["supervisor"].get("/kb/articles", offset="99999999999999999999999")
    assert response.status_code == 422


def test_an_unknown_route_under_the_api_answers_json(desk, client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code in (401, 404)
    assert response.is_json
    response = desk["agent"].get("/no-such-thing")
    assert response.status_code == 404
    assert "error" in response.get_json()


def test_open311_post_with_a_json_array_body_is_a_400(client):
    response = client.post("/open311/v2/requests.json", data=json.dumps([1, 2]), content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()[0]["code"] == 400


def test_a_policy_of_99999_days_is_refused_where_it_is_entered(app, make_user, session, desk):
    from sqlalchemy import select

    from tests.functional.test_web_admin import policy_form
    from tests.web_support import WebSession, text_of
    from workorders.models import Policy

    user, _api = make_user("supervisor")
    web = WebSession(app, user.username)
    rules = session.scalar(select(Policy).where(Policy.name == "karamay")).rules
    refused = web.post("/admin/policy/karamay", policy_form(rules, limit_complaint="99999"), follow_redirects=True)
    assert "365" in text_of(refused.get_data(as_text=True))
    refused = web.post("/admin/policy/karamay", policy_form(rules, yellow_days="99999"), follow_redirects=True)
    assert "365" in text_of(refused.get_data(as_text=True))
    session.expire_all()
    assert session.scalar(select(Policy).where(Policy.name == "karamay")).rules["limits"]["complaint"]["days"] == 5
    number = desk["agent"].create()["number"]  # dispatching still works
    assert desk["agent"].act(number, "dispatch", {"department": "housing"}).status_code == 200


def test_an_id_beyond_a_database_integer_is_a_404_for_every_method(desk):
    huge = "/kb/articles/118637674432329515008"
    assert desk["supervisor"].get(huge).status_code == 404
    response = desk["supervisor"].client.patch(f"/api/v1{huge}", json={"answer": "x"},
                                               headers=desk["supervisor"]._headers())
    assert response.status_code == 404 and response.is_json
