"""Every administrative change is an audit record; the personal-data view log is readable; history
is append-only on PostgreSQL (issue 12, acceptance 4)."""
from __future__ import annotations

import io
import json
import os
import re

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.functional.test_web_admin import policy_form
from tests.web_support import people, text_of
from workorders.models import Policy, User


@pytest.fixture
def web(app, make_user):
    return people(app, make_user)


def _records(api, **params):
    response = api.get("/audit", **params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["records"]


def test_a_policy_edit_a_role_change_and_a_token_issue_are_in_the_audit_with_before_and_after(
        web, desk, make_user, session):
    admin = web("admin")
    clerk, _ = make_user("agent")
    rules = session.scalar(select(Policy).where(Policy.name == "karamay")).rules
    assert admin.post("/admin/policy/karamay", policy_form(rules, limit_complaint="7")).status_code == 302
    assert admin.post(f"/admin/users/{clerk.id}/role", {"role": "department", "department": "housing"}).status_code == 302
    assert admin.post(f"/admin/users/{clerk.id}/tokens", {"name": "robot"}).status_code == 201

    records = _records(desk["admin"])
    by_entity = {(r["entity"], r["action"]): r for r in records}
    policy = by_entity[("policy", "update")]
    assert policy["entity_id"] == "karamay" and policy["actor"] == admin.username
    assert policy["before"]["rules"]["limits"]["complaint"]["days"] == 5
    assert policy["after"]["rules"]["limits"]["complaint"]["days"] == 7
    role = by_entity[("user", "update")]
    assert role["entity_id"] == clerk.username
    assert role["before"]["role"] == "agent" and role["after"]["role"] == "department"
    assert role["before"]["department_id"] is None and role["after"]["department_id"] is not None
    token = by_entity[("token", "issue")]
    assert token["after"] == {"user": clerk.username, "name": "robot"}
    assert "token" not in json.dumps(token["after"]).replace('"token"', "")  # never the token itself
    # Supervisors read it too, filtered by entity; agents and departments do not.
    assert [r["entity"] for r in _records(desk["supervisor"], entity="policy")] == ["policy"]
    assert desk["agent"].get("/audit").status_code == 403
    assert desk["housing"].get("/audit").status_code == 403
    # The page shows the same, in Chinese.
    page = text_of(admin.page("/admin/audit"))
    assert clerk.username in page and "角色" in page and "话务员 → 承办单位" in " ".join(page.split())


def test_users_departments_routing_calendar_mailboxes_and_synonyms_are_audited(web, desk, session):
    admin, supervisor = web("admin"), web("supervisor")
    admin.post("/admin/users", {"username": "newclerk", "password": "river-lantern-42", "role": "agent"})
    user = session.scalar(select(User).where(User.username == "newclerk"))
    admin.post(f"/admin/users/{user.id}/active")
    admin.post(f"/admin/users/{user.id}/password", {"password": "harbour-kite-77"})
    admin.post("/admin/departments", {"code": "water", "name": "水务局", "kind": "bureau"})
    admin.post("/admin/departments/water/active")
    admin.post("/admin/categories/traffic/routing", {"department": "police"})
    admin.post("/admin/policy/active", {"name": "pingshan"})
    year = {"years": {"2027": {"holidays": ["2027-01-01"], "workdays": []}}}
    admin.post("/admin/calendar", {"file": (io.BytesIO(json.dumps(year).encode()), "2027.json")},
               content_type="multipart/form-data")
    supervisor.post("/portal/manage/mailboxes", {"code": "mayor", "name_zh": "市长信箱", "name_en": "Mayor",
                                                 "kind": "mayor", "department": "hotline", "active": "yes"})
    assert desk["supervisor"].post("/kb/synonyms", {"terms": ["医保", "医疗保险"]}).status_code == 201
    seen = {(r["entity"], r["action"]) for r in _records(desk["admin"])}
    assert {("user", "create"), ("user", "deactivate"), ("user", "reset_password"), ("department", "create"),
            ("department", "deactivate"), ("routing", "update"), ("policy", "activate"), ("calendar", "import"),
            ("mailbox", "create"), ("synonym", "create")} <= seen
    routing = next(r for r in _records(desk["admin"], entity="routing"))
    assert routing["before"]["default_department_id"] != routing["after"]["default_department_id"]
    serialized = json.dumps(_records(desk["admin"]))
    assert "river-lantern-42" not in serialized and "harbour-kite-77" not in serialized


def test_the_audit_page_shows_every_department_category_policy_rule_and_unit_by_its_name(web, session):
    admin = web("admin")
    clerk = web("agent")
    rules = session.scalar(select(Policy).where(Policy.name == "karamay")).rules
    assert admin.post("/admin/policy/karamay", {**policy_form(rules, limit_complaint="7", unit_help="natural"),
                                                "callback_types": ["complaint", "help"]}).status_code == 302
    assert admin.post("/admin/categories/traffic/routing", {"department": "police"}).status_code == 302
    assert admin.post("/admin/departments", {"code": "water", "name": "水务局", "kind": "bureau",
                                             "parent": "housing"}).status_code == 302
    clerk_id = session.scalar(select(User.id).where(User.username == clerk.username))
    assert admin.post(f"/admin/users/{clerk_id}/role", {"role": "department", "department": "housing"}).status_code == 302

    page = " ".join(text_of(admin.page("/admin/audit")).split())
    assert "投诉：时限（天） 5 → 7" in page
    assert "求助：时限单位 工作 → 自然" in page
    assert "回访类型" in page and "投诉、求助" in page
    assert "交通管理" in page and "市公安局" in page  # the routing change: category and department by name
    assert "水务局" in page and "委办局" in page and "市住房和城乡建设局" in page  # parent and kind by name
    titles = " ".join(session.scalars(select(Policy.title)))  # data, in both languages
    words = set(re.findall(r"[A-Za-z][\w.]*[A-Za-z0-9]", page, flags=re.ASCII))
    # Names people type (users, the new department's code) and product names stay as they are.
    words -= {admin.username, clerk.username, "water", "API", "Open311", "English"}
    words -= set(titles.split())
    assert not words, words  # no rule key, field name, unit, kind or type code leaks into the page

    admin.post("/locale", {"locale": "en"})
    page = " ".join(text_of(admin.page("/admin/audit")).split())
    assert "Complaint: limit (days) 5 → 7" in page and "Request for help: limit unit working → natural" in page


def test_a_refused_change_writes_no_audit_record(web, desk):
    admin = web("admin")
    admin.post("/admin/users", {"username": "weak", "password": "password1234", "role": "agent"})
    assert not [r for r in _records(desk["admin"], entity="user") if r["entity_id"] == "weak"]


def test_a_departments_view_of_a_callers_phone_appears_in_the_view_log(web, desk, make_user):
    number = desk["agent"].create(caller_phone="13912340000")["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    clerk = web("department", "housing")
    assert "13912340000" in clerk.page(f"/orders/{number}")
    for reader in (web("supervisor"), web("admin")):
        page = reader.page("/admin/views")
        row = next(line for line in page.split("<tr>") if number in line)
        assert clerk.username in row and "13912340000" in row and "工单页面" in text_of(row)
    views = desk["supervisor"].get("/audit/views", order=number).get_json()["views"]
    assert views[0]["user"] == clerk.username and views[0]["caller_phone"] == "13912340000"
    assert web("agent").get("/admin/views").status_code == 403


@pytest.mark.skipif(not os.environ.get("HOTLINE_TEST_DATABASE_URL"), reason="the trigger is PostgreSQL's")
def test_order_events_and_audit_records_refuse_update_and_delete_on_postgresql(desk, session):
    from workorders.audit import record_audit

    desk["agent"].create()
    record_audit(session, None, "policy", "karamay", "activate", None, {"active": "karamay"})
    session.commit()
    for statement in ("UPDATE order_events SET action = 'forged'", "DELETE FROM order_events",
                      "UPDATE audit_records SET actor_name = 'nobody'", "DELETE FROM audit_records"):
        with pytest.raises(DBAPIError, match="append-only"):
            with session.begin_nested():
                session.execute(text(statement))
