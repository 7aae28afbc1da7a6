"""Orders through the JSON API alone, as SPEC §11 names them (issue #2, acceptance 3)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from workorders.models import OrderEvent, WorkOrder


def events_of(session, number):
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    return session.scalar(select(func.count(OrderEvent.id)).where(OrderEvent.order_id == order.id))


def test_a_complaint_goes_from_call_to_archive(desk):
    order = desk["agent"].create()
    assert order["state"] == "new" and len(order["access_code"]) >= 6
    number = order["number"]
    r = desk["agent"].act(number, "dispatch", {"department": "housing"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["state"] == "dispatched" and body["department"] == "housing"
    assert body["due_at"] == "2026-03-09T23:59:59+08:00"  # Mon 2 Mar + 5 working days
    assert body["return_deadline_at"] == "2026-03-02T23:59:59+08:00"  # Karamay: the same day
    assert body["light"] == "green"
    assert desk["housing"].act(number, "sign").get_json()["state"] == "in_progress"
    r = desk["housing"].act(number, "reply", {"text": "已清运。", "resolved": True})
    assert r.get_json()["state"] == "replied"
    r = desk["agent"].act(number, "callback", {"satisfaction": "satisfied", "resolved": True})
    assert r.get_json()["state"] == "archived"
    detail = desk["agent"].get(f"/orders/{number}").get_json()
    assert [e["action"] for e in detail["events"]] == ["create", "dispatch", "sign", "reply", "callback"]
    assert "access_code" not in detail


def test_a_returned_and_reopened_order_goes_round_again(desk, clock):
    number = desk["agent"].create(type="help")["number"]
    assert desk["agent"].act(number, "dispatch", {"department": "urban"}).status_code == 200
    r = desk["urban"].act(number, "return", {"reason": "不属于本单位职责"})
    assert r.get_json()["state"] == "returned", r.get_json()
    assert desk["supervisor"].act(number, "dispatch", {"department": "housing"}).get_json()["state"] == "dispatched"
    assert desk["housing"].act(number, "sign").status_code == 200
    r = desk["housing"].act(number, "interim_reply", {"text": "已列入维修计划", "committed_date": "2026-03-20"})
    body = r.get_json()
    assert body["state"] == "committed" and body["due_at"] == "2026-03-20T23:59:59+08:00"
    assert desk["housing"].act(number, "reply", {"text": "已修复", "resolved": True}).get_json()["state"] == "replied"
    r = desk["agent"].act(number, "callback", {"satisfaction": "dissatisfied", "resolved": False})
    assert r.get_json()["state"] == "under_review"
    r = desk["supervisor"].act(number, "review", {"decision": "redispatch", "reason": "未解决", "department": "housing"})
    assert r.get_json()["state"] == "dispatched"
    assert r.get_json()["reply_text"] is None


def test_a_return_after_the_window_is_refused_naming_its_end(desk, clock, session):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    clock.advance(timedelta(days=1))  # Tuesday: Karamay's window closed at the end of Monday
    before = events_of(session, number)
    r = desk["housing"].act(number, "return", {"reason": "不属于本单位"})
    assert r.status_code == 409
    assert "2026-03-02T23:59:59+08:00" in r.get_json()["error"]
    assert desk["housing"].get(f"/orders/{number}").get_json()["state"] == "dispatched"
    assert events_of(session, number) == before


def test_a_department_cannot_touch_another_departments_order(desk, session):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    before = events_of(session, number)
    r = desk["urban"].act(number, "sign")
    assert r.status_code == 403 and "another department" in r.get_json()["error"]
    assert desk["urban"].get(f"/orders/{number}").status_code == 403
    assert number not in [o["number"] for o in desk["urban"].get("/orders").get_json()["orders"]]
    assert events_of(session, number) == before


def test_refusals_name_the_state_and_the_rule(desk, session):
    number = desk["agent"].create()["number"]
    r = desk["agent"].act(number, "reply", {"text": "x", "resolved": True})
    assert r.status_code == 403 and "department" in r.get_json()["error"]
    r = desk["supervisor"].act(number, "decide_extension", {"approve": True})
    assert r.status_code == 409 and "'new'" in r.get_json()["error"]
    r = desk["agent"].act(number, "dispatch", {"department": "nowhere"})
    assert r.status_code == 422 and "nowhere" in r.get_json()["error"]
    assert events_of(session, number) == 1


def test_bad_requests_get_clear_errors(desk, client):
    assert client.get("/api/v1/orders").status_code == 401
    assert client.get("/api/v1/orders", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert desk["agent"].get("/orders/20990101-00001").status_code == 404
    r = desk["agent"].client.post("/api/v1/orders", data="{not json", content_type="application/json",
                                  headers={"Authorization": f"Bearer {desk['agent'].token}"})
    assert r.status_code == 400 and "JSON" in r.get_json()["error"]
    r = desk["agent"].post("/orders", {"type": "complaint", "channel": "phone", "content": "x"})
    assert r.status_code == 422 and "caller_phone" in r.get_json()["error"]
    r = desk["agent"].post("/orders", {"channel": "web", "content": "x" * 10_001})
    assert r.status_code == 422 and "too long" in r.get_json()["error"]
    r = desk["agent"].post("/orders", {"channel": "web", "content": "hi", "colour": "red"})
    assert r.status_code == 422 and "colour" in r.get_json()["error"]
    number = desk["agent"].create()["number"]
    assert desk["agent"].act(number, "fly").status_code == 404
    assert desk["agent"].get("/orders", light="purple").status_code == 422


def test_a_stale_version_is_told_the_order_changed(desk):
    order = desk["agent"].create()
    r = desk["agent"].act(order["number"], "classify", {"district": "东城区", "version": order["version"]})
    assert r.status_code == 200
    r = desk["agent"].act(order["number"], "classify", {"district": "西城区", "version": order["version"]})
    assert r.status_code == 409 and "changed" in r.get_json()["error"]


def test_departments_see_callers_masked_on_reports_and_confidential_orders(desk, session):
    from workorders.models import PersonalDataView

    open_ = desk["agent"].create()["number"]
    report = desk["agent"].create(type="report")["number"]
    for number in (open_, report):
        desk["agent"].act(number, "dispatch", {"department": "housing"})
    seen = desk["housing"].get(f"/orders/{open_}").get_json()
    hidden = desk["housing"].get(f"/orders/{report}").get_json()
    assert seen["caller_phone"] == "13812345678"
    assert hidden["caller_phone"] == "138****5678" and hidden["caller_name"] == "王**"
    assert "caller_phone" not in hidden["events"][0]["inputs"]
    assert session.scalar(select(func.count(PersonalDataView.id))) == 1
    listed = desk["housing"].get("/orders").get_json()["orders"]
    assert {o["caller_phone"] for o in listed} == {"138****5678"}  # unmasked only on the logged page
    assert desk["agent"].get("/orders").get_json()["orders"][0]["caller_phone"] == "13812345678"


def test_lists_filter_by_state_type_department_and_light(desk, clock):
    a = desk["agent"].create()["number"]
    b = desk["agent"].create(type="consultation")["number"]
    desk["agent"].act(a, "dispatch", {"department": "housing"})
    clock.advance(timedelta(days=6))  # Sunday 8 March: due Monday 9th, so yellow since Friday
    numbers = lambda **f: [o["number"] for o in desk["supervisor"].get("/orders", **f).get_json()["orders"]]  # noqa: E731
    assert numbers(state="new") == [b]
    assert numbers(type="complaint", department="housing") == [a]
    assert numbers(light="yellow") == [a] and numbers(light="red") == []
    clock.advance(timedelta(days=2))
    assert numbers(light="red") == [a]


def test_the_listing_accepts_exactly_the_parameters_its_document_describes(desk, client):
    """Every value the OpenAPI document allows is answered 200 and every value it forbids 422, so
    an integrator (or the fuzzer) learns the listing's rules from the document alone. The one
    rule the document cannot state is data: the department must be one GET /departments lists."""
    from jsonschema import Draft202012Validator

    documented = {p["name"]: p["schema"] for p in
                  client.get("/api/v1/openapi.json").get_json()["paths"]["/orders"]["get"]["parameters"]}
    tries = [("state", "new"), ("state", "new,dispatched,archived"), ("state", "new,"), ("state", "bogus"),
             ("state", "new,bogus"), ("type", "complaint"), ("type", "Complaint"), ("light", "red"),
             ("light", "purple"), ("limit", "1"), ("limit", "1000"), ("limit", "0"), ("limit", "1001"),
             ("limit", "ten"), ("offset", "0"), ("offset", "1000000000"), ("offset", "1000000001"),
             ("offset", "-1")]
    assert {name for name, _ in tries} | {"department"} == set(documented)
    for name, raw in tries:
        schema = documented[name]
        value = int(raw) if schema["type"] == "integer" and raw.lstrip("-").isdigit() else raw
        allowed = Draft202012Validator(schema).is_valid(value)
        status = desk["agent"].get("/orders", **{name: raw}).status_code
        assert status == (200 if allowed else 422), (name, raw, status)
    assert desk["agent"].get("/orders", department="housing").status_code == 200
    refused = desk["agent"].get("/orders", department="nowhere")
    assert refused.status_code == 422 and "nowhere" in refused.get_json()["error"]
