"""An Open311 app files a request, follows it by token and id, and sees it closed once the
hotline has handled and archived the order (issue #8, acceptance 2)."""
from __future__ import annotations

import pytest

from tests.functional.open311_support import Open311Client, Open311Error, valid


@pytest.fixture
def app_client(client, runner):
    result = runner.invoke(args=["open311", "key", "create", "--name", "随手拍 app"])
    assert result.exit_code == 0, result.output
    return Open311Client(client, api_key=result.output.strip().splitlines()[-1])


def test_an_open311_app_files_follows_and_sees_its_request_closed(app_client, client, desk):
    services = app_client.services()
    service = next(s for s in services if s["group"] == "市政建设" and s["service_code"].startswith("help-"))
    assert service["metadata"] == "true"
    definition = app_client.definition(service["service_code"])
    required = [a.findtext("code") for a in definition.iter("attribute") if a.findtext("required") == "true"]
    assert required == ["public_consent"]

    filed = app_client.post(service_code=service["service_code"], lat="30.5728", long="104.0668",
                            description="人民南路与滨江路口的井盖缺失，夜里很危险。", first_name="Wei",
                            last_name="Zhang", phone="13700001111", **{"attribute[public_consent]": "yes"})
    assert filed["token"] and "service_request_id" not in filed

    by_token = app_client.token(filed["token"])
    request_id = by_token["service_request_id"]
    assert by_token["token"] == filed["token"]
    request = app_client.request(request_id)
    assert (request["status"], request["service_code"]) == ("open", service["service_code"])
    assert request["description"] == "人民南路与滨江路口的井盖缺失，夜里很危险。"
    assert request_id in [r["service_request_id"] for r in app_client.requests(status="open")]

    # The hotline handles it through its own API: dispatch, sign, reply, satisfied callback.
    assert desk["agent"].act(request_id, "dispatch", {"department": "housing"}).status_code == 200
    assert app_client.request(request_id)["agency_responsible"] == "市住房和城乡建设局"
    assert desk["housing"].act(request_id, "sign").status_code == 200
    assert desk["housing"].act(request_id, "reply", {"text": "已补装井盖。", "resolved": True}).status_code == 200
    assert app_client.request(request_id)["status"] == "open"  # replied, awaiting the call-back
    response = desk["agent"].act(request_id, "callback", {"satisfaction": "satisfied", "resolved": True})
    assert response.get_json()["state"] == "archived"

    closed = app_client.request(request_id)
    assert closed["status"] == "closed" and closed["updated_datetime"].startswith("2026-03-02T09:00:00")
    assert request_id in [r["service_request_id"] for r in app_client.requests(status="closed")]
    assert request_id not in [r["service_request_id"] for r in app_client.requests(status="open")]
    as_json = client.get(f"/open311/v2/requests/{request_id}.json").get_json()
    valid("requests.json", as_json)
    assert as_json[0]["status"] == "closed"


def test_the_client_hears_a_wrong_key_as_403(client):
    with pytest.raises(Open311Error) as refused:
        Open311Client(client, api_key="stolen").post(service_code="help-municipal", address_string="x",
                                                     description="y")
    assert refused.value.status == 403
