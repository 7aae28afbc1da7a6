"""Calls and caller history for the agent desk under /api/v1 (issue 3: caller history)."""
from __future__ import annotations

from datetime import timedelta

from tests.ivr_support import (
    CALLER,
    call_params,
    new_sid,
    twiml,
)


def ring(twilio, frm=CALLER) -> str:
    sid = new_sid()
    twiml(twilio.post("/ivr/voice", call_params(sid, frm, CallStatus="ringing")))
    return sid


def test_a_ringing_call_pops_up_with_the_callers_previous_orders(twilio, desk, clock):
    earlier = desk["agent"].create(caller_phone="13912345678", content="上次反映的噪音问题")  # typed nationally
    desk["agent"].create(caller_phone="13700000000")  # someone else
    clock.advance(timedelta(minutes=5))
    sid = ring(twilio)  # Twilio sends +8613912345678
    body = desk["agent"].get("/calls", active=1).get_json()
    [call] = body["calls"]
    assert (call["call_sid"], call["from"], call["active"], call["status"]) == (sid, CALLER, True, "ringing")
    assert call["started_at"] == "2026-03-02T09:05:00+08:00"
    assert call["caller_history"]["count"] == 1
    assert [o["number"] for o in call["caller_history"]["orders"]] == [earlier["number"]]


def test_a_finished_call_leaves_the_active_list_but_stays_in_the_recent_ones(twilio, desk):
    sid = ring(twilio)
    twiml(twilio.post("/ivr/status", call_params(sid, CallStatus="completed", CallDuration="61")))
    assert desk["agent"].get("/calls", active=1).get_json()["calls"] == []
    [call] = desk["agent"].get("/calls").get_json()["calls"]
    assert (call["call_sid"], call["active"], call["duration"]) == (sid, False, 61)


def test_a_call_without_a_final_status_for_hours_is_no_longer_active(twilio, desk, clock):
    ring(twilio)
    clock.advance(timedelta(hours=5))
    assert desk["agent"].get("/calls", active=1).get_json()["calls"] == []


def test_the_call_shows_the_order_it_created(twilio, desk):
    sid = ring(twilio)
    twiml(twilio.post("/ivr/recording", call_params(sid, RecordingUrl=f"https://api.twilio.com/r/RE{'5' * 32}",
                                                    RecordingDuration="30")))
    body = desk["supervisor"].get(f"/calls/{sid}").get_json()
    [order] = body["orders"]
    assert (order["kind"], order["state"], order["channel"]) == ("voicemail", "new", "voicemail")
    [recording] = body["recordings"]
    assert body["recording_url"] == recording["url"] == f"/recordings/{recording['id']}/audio"
    assert (recording["kind"], recording["duration"]) == ("voicemail", 30)
    assert body["caller_history"]["orders"][0]["number"] == order["number"]


def test_a_callers_orders_are_found_by_any_spelling_of_the_number(desk):
    order = desk["agent"].create(caller_phone="13912345678")
    for spelling in ("13912345678", "+8613912345678", "008613912345678"):
        body = desk["agent"].get(f"/callers/{spelling}/orders").get_json()
        assert [o["number"] for o in body["orders"]] == [order["number"]], spelling


def test_departments_may_not_read_callers_telephone_records(twilio, desk):
    sid = ring(twilio)
    for path in ("/calls", f"/calls/{sid}", f"/callers/{CALLER}/orders"):
        r = desk["housing"].get(path)
        assert r.status_code == 403 and "telephone records" in r.get_json()["error"]


def test_the_call_endpoints_need_a_token(client):
    r = client.get("/api/v1/calls?active=1")
    assert r.status_code == 401 and "bearer" in r.get_json()["error"]


def test_bad_filters_and_unknown_calls_are_clear_4xx(desk):
    assert desk["agent"].get("/calls", active="yes").status_code == 422
    assert desk["agent"].get("/calls", limit="0").status_code == 422
    assert desk["agent"].get("/calls", since="today").status_code == 422
    assert desk["agent"].get("/calls/CAnothing").status_code == 404
    assert desk["agent"].get("/callers/not-a-number/orders").status_code == 422


def test_the_openapi_document_describes_the_call_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/calls", "/calls/{call_sid}", "/callers/{phone}/orders", "/surveys"):
        assert path in paths
    assert paths["/calls"]["get"]["parameters"][0]["name"] == "active"
