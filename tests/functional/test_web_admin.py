"""Administration pages: users and tokens, departments, routing, policy, calendar, job runs (issue 6)."""
from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.auth import user_for_token
from tests.conftest import beijing
from tests.web_support import WebSession, people, text_of
from workorders.calendar_store import covered_years
from workorders.models import ApiToken, Category, Department, Policy, User, WorkOrder


@pytest.fixture
def web(app, make_user):
    return people(app, make_user)


def test_an_admin_creates_a_user_who_can_then_sign_in(app, web, session):
    admin = web("admin")
    response = admin.post("/admin/users", {"username": "clerk.new", "display_name": "新承办人", "role": "department",
                                           "department": "housing", "password": "long-enough-1"})
    assert response.status_code == 302
    user = session.scalar(select(User).where(User.username == "clerk.new"))
    assert user.role == "department" and user.department.code == "housing"
    assert WebSession(app).login("clerk.new", "long-enough-1").location == "/inbox"


def test_a_bad_user_is_refused_with_the_reason_in_the_users_language(web, session):
    admin = web("admin")
    bad_user = {"username": "x y", "role": "agent", "password": "long-enough-1"}
    response = admin.post("/admin/users", bad_user, follow_redirects=True)
    assert "用户名须为2至80个字母、数字或“_”“.”“-”。" in text_of(response.get_data(as_text=True))
    admin.post("/locale", {"locale": "en"})
    response = admin.post("/admin/users", bad_user, follow_redirects=True)
    assert "username: 2–80 letters, digits, '_', '.', '-'" in text_of(response.get_data(as_text=True))
    assert session.scalar(select(User).where(User.username == "x y")) is None


def test_a_refusal_naming_codes_shows_their_labels(web, session):
    admin = web("admin")
    response = admin.post("/admin/users", {"username": "clerk.x", "role": "department", "department": "nowhere",
                                           "password": "long-enough-1"}, follow_redirects=True)
    assert "没有代码为 nowhere 的单位。" in text_of(response.get_data(as_text=True))
    response = admin.post("/admin/users", {"username": "clerk.y", "role": "robot", "password": "long-enough-1"},
                          follow_redirects=True)
    assert "角色须为以下之一：话务员、督办员、领导、承办单位、系统管理员。" in text_of(response.get_data(as_text=True))
    admin.post("/locale", {"locale": "en"})
    response = admin.post("/admin/users", {"username": "clerk.y", "role": "robot", "password": "long-enough-1"},
                          follow_redirects=True)
    assert ("role must be one of: Call agent, Supervisor, Leader, Department, Administrator"
            in text_of(response.get_data(as_text=True)))


def test_a_token_is_shown_once_and_works_until_revoked(web, session, make_user):
    clerk, _ = make_user("agent")
    admin = web("admin")
    response = admin.post(f"/admin/users/{clerk.id}/tokens", {"name": "integration"})
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    token = page.split('<code class="token">')[1].split("</code>")[0]
    assert user_for_token(session, token).id == clerk.id
    assert token not in admin.page("/admin/users")  # never shown again
    row = session.scalar(select(ApiToken).where(ApiToken.name == "integration"))
    admin.post(f"/admin/tokens/{row.id}/revoke")
    session.expire_all()
    assert user_for_token(session, token) is None


def test_a_deactivated_user_is_signed_out(app, web, make_user):
    clerk, _ = make_user("agent")
    person = WebSession(app, clerk.username)
    web("admin").post(f"/admin/users/{clerk.id}/active")
    assert person.get("/desk").status_code == 302


def test_only_admins_manage_users_but_the_office_keeps_reference_data(web):
    supervisor = web("supervisor")
    assert supervisor.get("/admin/users").status_code == 403
    for page in ("/admin", "/admin/departments", "/admin/categories", "/admin/policy", "/admin/calendar",
                 "/admin/jobs"):
        assert supervisor.get(page).status_code == 200, page
    assert web("agent").get("/admin/policy").status_code == 403


def test_departments_form_a_tree(web, session):
    admin = web("admin")
    admin.post("/admin/departments", {"code": "dongcheng.yuhua", "name": "东城区雨花街道办事处", "kind": "street",
                                      "parent": "dongcheng"})
    dept = session.scalar(select(Department).where(Department.code == "dongcheng.yuhua"))
    assert dept.parent.code == "dongcheng"
    page = admin.page("/admin/departments")
    assert page.index("东城区人民政府") < page.index("东城区雨花街道办事处") < page.index("西城区人民政府")


def test_an_admin_gives_a_department_its_short_name_and_agents_dispatch_by_it(web, desk, session):
    admin = web("admin")
    admin.post("/admin/departments", {"code": "data", "name": "市政务服务和数据管理局", "short_name": "数据局",
                                      "kind": "bureau"})
    assert session.scalar(select(Department.short_name).where(Department.code == "data")) == "数据局"
    assert admin.post("/admin/departments/ecology/short-name", {"short_name": "环保局"}).status_code == 302
    session.expire_all()
    assert session.scalar(select(Department.short_name).where(Department.code == "ecology")) == "环保局"
    page = admin.page("/admin/departments")
    assert "数据局" in page and "环保局" in page
    agent = web("agent")
    for typed, code in (("数据局", "data"), ("环保局", "ecology")):
        number = desk["agent"].create()["number"]
        assert agent.act(number, "dispatch", {"department": typed}).status_code == 302
        session.expire_all()
        assert session.scalar(select(WorkOrder).where(WorkOrder.number == number)).department.code == code


def test_a_short_name_is_one_departments_alone(web, session):
    admin = web("admin")
    response = admin.post("/admin/departments/ecology/short-name", {"short_name": "城管局"}, follow_redirects=True)
    assert "简称“城管局”已用于 市城市管理局" in text_of(response.get_data(as_text=True))
    session.expire_all()
    assert session.scalar(select(Department.short_name).where(Department.code == "ecology")) == "生态环境局"
    assert session.scalar(select(Department.short_name).where(Department.code == "urban")) == "城管局"


def test_a_categorys_routing_is_what_the_desk_suggests(web, session):
    admin = web("admin")
    admin.post("/admin/categories/traffic/routing", {"department": "police"})
    assert session.scalar(select(Category).where(Category.code == "traffic")).default_department.code == "police"
    assert 'value="traffic" data-department="police"' in web("agent").page("/desk")
    admin.post("/admin/categories", {"code": "noise", "name": "噪声扰民", "parent": "environment",
                                     "department": "ecology"})
    category = session.scalar(select(Category).where(Category.code == "noise"))
    assert category.parent.code == "environment" and category.default_department.code == "ecology"


def test_a_preset_is_put_in_force_for_new_dispatches(web, desk, session):
    admin = web("admin")
    admin.post("/admin/policy/active", {"name": "pingshan"})
    assert session.scalar(select(Policy.name).where(Policy.active.is_(True))) == "pingshan"
    number = desk["agent"].create()["number"]
    body = desk["agent"].act(number, "dispatch", {"department": "housing"}).get_json()
    assert body["return_deadline_at"] == "2026-03-05T23:59:59+08:00"  # Pingshan: 3 working days


def policy_form(page_rules: dict, **changes) -> dict:
    form = {f"limit_{t}": str(v["days"]) for t, v in page_rules["limits"].items()}
    form.update({f"unit_{t}": v["unit"] for t, v in page_rules["limits"].items()})
    for name in ("return_window_days", "yellow_days", "severe_days", "callback_window_days", "callback_attempts",
                 "max_total_days"):
        form[name] = str(page_rules[name])
    form["callback_channel"] = page_rules["callback_channel"]
    form.update(changes)
    return form


def test_a_policy_is_edited_and_bad_values_are_refused(web, session):
    admin = web("admin")
    rules = session.scalar(select(Policy).where(Policy.name == "karamay")).rules
    response = admin.post("/admin/policy/karamay", {**policy_form(rules, limit_complaint="7"),
                                                     "callback_types": ["complaint", "help"],
                                                     "category_limits": "digital_city 3 natural"})
    assert response.status_code == 302
    session.expire_all()
    saved = session.scalar(select(Policy).where(Policy.name == "karamay")).rules
    assert saved["limits"]["complaint"] == {"days": 7, "unit": "working"}
    assert saved["callback_types"] == ["complaint", "help"]
    assert saved["category_limits"] == {"digital_city": {"days": 3, "unit": "natural"}}
    refused = admin.post("/admin/policy/karamay", policy_form(saved, limit_help="0"), follow_redirects=True)
    assert "“求助”的办理时限：天数须为不小于1的整数。" in text_of(refused.get_data(as_text=True))
    session.expire_all()
    assert session.scalar(select(Policy).where(Policy.name == "karamay")).rules["limits"]["help"]["days"] == 5


def test_the_calendar_page_shows_coverage_and_warns_sixty_days_ahead(web, clock):
    admin = web("admin")
    page = admin.page("/admin/calendar")
    assert "2026-12-31" in page and 'id="coverage-warning"' not in page and 'id="calendar-banner"' not in page
    clock.advance(beijing(2026, 11, 15, 9) - clock.now())  # 46 days before the end
    page = admin.page("/admin/calendar")
    assert 'id="coverage-warning"' in page
    assert 'id="calendar-banner"' in admin.page("/admin/departments")  # the banner is on every page
    assert 'id="calendar-banner"' not in web("agent").page("/desk")  # for the office, not the agents


def test_a_year_is_imported_from_a_json_file(web, session):
    year = {"years": {"2027": {"holidays": ["2027-01-01", "2027-10-01"], "workdays": ["2027-09-26"]}}}
    admin = web("admin")
    response = admin.post("/admin/calendar", {"file": (io.BytesIO(json.dumps(year).encode()), "2027.json")},
                          content_type="multipart/form-data")
    assert response.status_code == 302
    assert 2027 in covered_years(session)
    assert "2027-12-31" in admin.page("/admin/calendar")


def test_a_year_is_imported_from_a_csv_file_and_a_bad_file_is_refused(web, session):
    admin = web("admin")
    csv = "date,kind\n2027-01-01,holiday\n2027-09-26,workday\n"
    admin.post("/admin/calendar", {"file": (io.BytesIO(csv.encode()), "2027.csv")}, content_type="multipart/form-data")
    assert 2027 in covered_years(session)
    bad = admin.post("/admin/calendar", {"file": (io.BytesIO(b"2028-01-01,party\n"), "2028.csv")},
                     content_type="multipart/form-data", follow_redirects=True)
    assert "第 1 行：类别须为 holiday（放假）或 workday（调休上班）。" in text_of(bad.get_data(as_text=True))
    assert 2028 not in covered_years(session)


def test_the_job_runs_page_shows_what_the_scheduler_recorded(app, web, clock):
    from hotline.jobs import run_job

    clock.advance(timedelta(minutes=1))
    run_job(app, "lights", "test-process")
    page = web("admin").page("/admin/jobs")
    # The job by its name in the admin's language (zh_CN), its code kept on the cell.
    assert '<td data-job="lights">亮灯：黄灯催办' in page and "test-process" in page
    assert 'data-job="lights"' not in web("admin").page("/admin/jobs?job=calendar_coverage")
