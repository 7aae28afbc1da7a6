"""Open311 refusals: the spec's error list, 403 for api_key, 404 for unknown things, 400 else."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select

from workorders.models import WorkOrder

BASE = "/open311/v2"
GOOD = {"service_code": "complaint-environment", "address_string": "人民路口", "description": "路灯不亮",
        "attribute[public_consent]": "no"}


@pytest.fixture
def api_key(runner):
    return runner.invoke(args=["open311", "key", "create", "--name", "test app"]).output.strip().splitlines()[-1]


def orders(session) -> int:
    return session.scalar(select(func.count(WorkOrder.id)))


def error_of(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert isinstance(body, list) and body[0]["code"] == status and body[0]["description"]
    return body[0]["description"]


@pytest.mark.parametrize("key", [None, "", "not-a-key"])
def test_filing_without_a_valid_api_key_is_refused_with_403(client, session, key):
    before = orders(session)
    form = dict(GOOD) if key is None else {**GOOD, "api_key": key}
    assert "api_key" in error_of(client.post(f"{BASE}/requests.json", data=form), 403)
    assert orders(session) == before


def test_a_403_in_xml_is_an_errors_document(client):
    response = client.post(f"{BASE}/requests.xml", data=GOOD)
    assert response.status_code == 403 and response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "errors" and root.find("error/code").text == "403"
    assert "api_key" in root.find("error/description").text


@pytest.mark.parametrize("change, status, words", [
    ({"service_code": None}, 400, "service_code was not provided"),
    ({"service_code": "complaint-nowhere"}, 404, "service_code 'complaint-nowhere' was not found"),
    ({"address_string": None}, 400, "location is required"),
    ({"address_string": None, "lat": "95", "long": "10"}, 400, "'lat' must be between"),
    ({"address_string": None, "lat": "30"}, 400, "lat and long must be sent together"),
    ({"description": None}, 400, "description is required"),
    ({"description": "长" * 4001}, 400, "4000 characters"),
    ({"attribute[public_consent]": None}, 400, "attribute[public_consent] is required"),
    ({"attribute[public_consent]": "maybe"}, 400, "must be one of: yes, no"),
    ({"attribute[color]": "red"}, 400, "unknown attribute(s)"),
    ({"phone": "call me"}, 400, "not a phone number"),
])
def test_bad_filings_are_refused_saying_why_and_write_nothing(client, session, api_key, change, status, words):
    form = {**GOOD, "api_key": api_key, **change}
    form = {k: v for k, v in form.items() if v is not None}
    before = orders(session)
    assert words in error_of(client.post(f"{BASE}/requests.json", data=form), status)
    assert orders(session) == before


@pytest.mark.parametrize("path", [
    "/requests/20260302-99999.json", "/tokens/no-such-token.json", "/services/nothing-here.json",
    "/requests/20260302-99999.xml", "/unknown.json", "/services.yaml",
])
def test_unknown_things_are_404_in_the_specs_format(client, path):
    response = client.get(f"{BASE}{path}")
    assert response.status_code == 404
    if path.endswith(".xml"):
        assert ET.fromstring(response.data).tag == "errors"
    else:
        error_of(response, 404)


def test_a_foreign_jurisdiction_is_404_and_ours_is_accepted(client):
    error_of(client.get(f"{BASE}/services.json?jurisdiction_id=sfgov.org"), 404)
    assert client.get(f"{BASE}/services.json?jurisdiction_id=12345.hotline").status_code == 200


def test_malformed_dates_and_statuses_are_400(client):
    error_of(client.get(f"{BASE}/requests.json?start_date=yesterday"), 400)
    error_of(client.get(f"{BASE}/requests.json?start_date=2026-03-01T00:00:00"), 400)
    error_of(client.get(f"{BASE}/requests.json?status=pending"), 400)


def test_other_methods_are_refused_in_the_specs_format(client):
    error_of(client.put(f"{BASE}/requests.json"), 400)
