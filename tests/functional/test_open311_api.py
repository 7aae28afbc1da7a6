"""Open311 GeoReport v2 responses against the official schemas, in JSON and in XML (issue #8, 1)."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from jsonschema.exceptions import ValidationError
from sqlalchemy import select

from tests.functional.open311_support import valid, validator
from workorders.citizen.models import Open311Request
from workorders.models import WorkOrder

BASE = "/open311/v2"
NAME, PHONE, ADDRESS = "欧阳娜娜", "13912345678", "幸福小区3栋502室"


@pytest.fixture
def api_key(app, runner):
    result = runner.invoke(args=["open311", "key", "create", "--name", "城市随手拍"])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def post(client, fmt="json", **fields):
    return client.post(f"{BASE}/requests.{fmt}", data=fields)


def file_one(client, api_key, **extra):
    fields = {"api_key": api_key, "service_code": "complaint-environment", "lat": "30.66", "long": "104.06",
              "address_string": ADDRESS, "first_name": "娜娜", "last_name": "欧阳", "phone": PHONE,
              "email": "nana@example.cn", "description": "河边每天夜里有人焚烧垃圾，烟很大。",
              "attribute[public_consent]": "yes", "attribute[district]": "dongcheng", **extra}
    response = post(client, **fields)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()[0]


def test_the_schema_validator_really_checks_date_times():
    record = {"service_request_id": "1", "status": "open", "service_code": "x", "requested_datetime": "yesterday"}
    with pytest.raises(ValidationError):
        validator("request.json").validate(record)


def test_services_are_one_per_type_and_top_level_category_with_its_group(client):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    services = response.get_json()
    valid("services.json", services)
    codes = {s["service_code"] for s in services}
    assert {"complaint-environment", "report-environment", "consultation-traffic"} <= codes
    assert "complaint-digital_city" not in codes  # a sub-category is no service of its own
    environment = [s for s in services if s["service_code"].endswith("-environment")]
    assert len(environment) == 7 and {s["group"] for s in environment} == {"环保"}
    assert all(s["type"] == "batch" for s in services)


def test_services_in_xml_use_the_specs_element_names(client):
    response = client.get(f"{BASE}/services.xml")
    assert response.status_code == 200 and response.mimetype == "text/xml"
    assert response.data.startswith(b"<?xml")
    root = ET.fromstring(response.data)
    assert root.tag == "services"
    first = root.find("service")
    assert [child.tag for child in first] == [
        "service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
    assert first.findtext("metadata") in ("true", "false")


def test_a_service_definition_lists_the_attributes_its_form_needs(client):
    response = client.get(f"{BASE}/services/complaint-environment.json")
    body = response.get_json()
    valid("service-definition.json", body)
    attributes = {a["code"]: a for a in body["attributes"]}
    assert attributes["public_consent"]["required"] is True
    assert {v["key"] for v in attributes["district"]["values"]} == {"dongcheng", "xicheng", "gaoxin"}
    # A report is never published, so it asks nothing more.
    report = client.get(f"{BASE}/services/report-environment.json").get_json()
    valid("service-definition.json", report)
    assert report["attributes"] == []
    root = ET.fromstring(client.get(f"{BASE}/services/complaint-environment.xml").data)
    assert root.tag == "service_definition"
    attribute = root.find("attributes/attribute")
    assert attribute.findtext("code") == "public_consent"
    assert [v.findtext("key") for v in attribute.findall("values/value")] == ["yes", "no"]


def test_discovery_names_the_endpoint_and_both_formats(client):
    body = client.get(f"{BASE}/discovery.json").get_json()
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = ET.fromstring(client.get(f"{BASE}/discovery.xml").data)
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_filing_creates_a_new_open311_order_and_answers_with_a_token(client, api_key, session):
    answer = file_one(client, api_key)
    assert set(answer) == {"token", "service_notice", "account_id"}
    filed = session.scalar(select(Open311Request).where(Open311Request.token == answer["token"]))
    order = session.get(WorkOrder, filed.order_id)
    assert (order.state, order.channel, order.type, order.category.code) == ("new", "open311", "complaint", "environment")
    assert (order.caller_name, order.caller_phone, order.address) == (NAME, PHONE, ADDRESS)
    assert order.district == "东城区" and order.public_consent is True
    assert (filed.lat, filed.long) == (30.66, 104.06)
    token = client.get(f"{BASE}/tokens/{answer['token']}.json").get_json()
    assert token == [{"service_request_id": order.number, "token": answer["token"]}]


def test_a_request_never_shows_the_callers_name_phone_address_or_position(client, api_key, desk):
    number = client.get(f"{BASE}/tokens/{file_one(client, api_key)['token']}.json").get_json()[0]["service_request_id"]
    # A staff order whose citizen consented and wrote their phone into the text.
    staff = desk["agent"].create(content=f"我的电话{PHONE}，楼下餐馆油烟太大。", caller_name=NAME,
                                 caller_phone=PHONE, address=ADDRESS, public_consent=True, category="environment")
    for path in (f"/requests/{number}", f"/requests/{staff['number']}", "/requests"):
        for fmt in ("json", "xml"):
            text = client.get(f"{BASE}{path}.{fmt}").get_data(as_text=True)
            assert number in text and staff["number"] in text or path != "/requests"
            for secret in (NAME, "娜娜", PHONE, ADDRESS, "30.66", "104.06", "nana@example.cn"):
                assert secret not in text, (path, fmt, secret)
    one = client.get(f"{BASE}/requests/{staff['number']}.json").get_json()
    valid("requests.json", one)
    assert one[0]["description"] == "我的电话139****5678，楼下餐馆油烟太大。"


def test_a_request_without_consent_shows_no_description_to_the_client_that_filed_it(client, api_key):
    number = client.get(f"{BASE}/tokens/{file_one(client, api_key, **{'attribute[public_consent]': 'no'})['token']}.json"
                        ).get_json()[0]["service_request_id"]
    body = client.get(f"{BASE}/requests/{number}.json", query_string={"api_key": api_key}).get_json()
    valid("requests.json", body)
    assert body[0]["description"] is None and body[0]["status"] == "open"


def test_anonymous_clients_see_only_what_the_portal_may_show_publicly(client, desk):
    """Issue 12: reports and confidential or unconsented orders are not listed, nor found by id."""
    public = desk["agent"].create(public_consent=True)["number"]
    hidden = [desk["agent"].create(type="report", public_consent=True)["number"],
              desk["agent"].create(confidential=True, public_consent=True)["number"],
              desk["agent"].create(public_consent=False)["number"]]
    listed = [r["service_request_id"] for r in client.get(f"{BASE}/requests.json").get_json()]
    assert public in listed and not set(hidden) & set(listed)
    by_id = client.get(f"{BASE}/requests.json", query_string={"service_request_id": ",".join(hidden)}).get_json()
    assert by_id == []
    for number in hidden:
        response = client.get(f"{BASE}/requests/{number}.json")
        assert response.status_code == 404 and "was not found" in response.get_json()[0]["description"]
    assert client.get(f"{BASE}/requests.json", query_string={"api_key": "forged"}).status_code == 403


def test_requests_are_filtered_by_id_service_status_and_dates(client, api_key, desk, clock):
    from datetime import timedelta

    old = desk["agent"].create(type="help", category="traffic", public_consent=True)["number"]
    clock.advance(timedelta(days=100))
    recent = desk["agent"].create(type="help", category="traffic", public_consent=True)["number"]
    closed = desk["agent"].create(type="complaint", category="environment", public_consent=True)["number"]
    desk["supervisor"].act(closed, "archive", {"reason": "重复来电"})

    def ids(**params):
        response = client.get(f"{BASE}/requests.json", query_string=params)
        assert response.status_code == 200, response.get_json()
        valid("requests.json", response.get_json())
        return [r["service_request_id"] for r in response.get_json()]

    assert old not in ids() and {recent, closed} <= set(ids())  # the last 90 days by default
    assert ids(service_code="help-traffic") == [recent]
    assert ids(status="closed") == [closed]
    assert closed not in ids(status="open")
    assert ids(service_request_id=f"{old},{recent}") == [old, recent]  # ids override the window
    assert ids(start_date="2026-03-01T00:00:00+08:00", end_date="2026-03-03T00:00:00Z") == [old]
    too_long = client.get(f"{BASE}/requests.json", query_string={
        "start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"})
    assert too_long.status_code == 400 and "90 days" in too_long.get_json()[0]["description"]


def test_the_listing_is_capped_at_a_thousand(client, session, desk, monkeypatch):
    from workorders.citizen import open311

    monkeypatch.setattr(open311, "MAX_REQUESTS", 2)  # the cap, not the number, is under test
    for _ in range(3):
        desk["agent"].create(public_consent=True)
    assert len(client.get(f"{BASE}/requests.json").get_json()) == 2
