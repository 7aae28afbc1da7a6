"""The leader mailboxes, kept on a page by the hotline office (admin and supervisors)."""
from __future__ import annotations

from sqlalchemy import func, select

from tests.functional.portal_support import Citizen, Staff, order_numbered
from workorders.citizen import mailboxes
from workorders.citizen.models import Mailbox
from workorders.models import WorkOrder

PAGE = "/portal/manage/mailboxes"


def test_a_supervisor_opens_a_mailbox_that_citizens_then_write_to(app, make_user, client, session):
    supervisor, _ = make_user("supervisor")
    staff = Staff(app.test_client(), locale="zh_CN").login(supervisor.username)
    saved = staff.post(PAGE, {"code": "bureau.ecology2", "name_zh": "生态局局长信箱", "name_en": "Ecology mailbox",
                              "kind": "bureau", "department": "ecology", "active": "yes"})
    assert saved.status_code == 302
    page = staff.get(PAGE).get_data(as_text=True)
    assert "信箱 bureau.ecology2 已保存。" in page and 'data-mailbox="bureau.ecology2"' in page

    citizen = Citizen(client, locale="zh_CN")
    assert "生态局局长信箱" in citizen.get("/portal/").get_data(as_text=True)
    written = citizen.write(mailbox="bureau.ecology2").get_data(as_text=True)
    number = written.split('id="order-number">')[1].split("<")[0]
    order = order_numbered(session, number)
    assert order.channel == "mailbox"
    assert mailboxes.mailbox_of(session, order.id).department.code == "ecology"


def test_closing_a_mailbox_takes_it_off_the_portal_but_keeps_it_on_the_page(app, make_user, client, session):
    mailboxes.install_defaults(session)
    session.commit()
    admin, _ = make_user("admin")
    staff = Staff(app.test_client()).login(admin.username)
    box = session.scalar(select(Mailbox).where(Mailbox.code == "mayor"))
    closed = staff.post(PAGE, {"code": "mayor", "name_zh": box.name_zh, "name_en": box.name_en, "kind": "mayor",
                               "department": "hotline"})  # the "open" box unticked
    assert closed.status_code == 302
    session.expire_all()
    assert box.active is False
    assert "市长信箱" not in Citizen(client, locale="zh_CN").get("/portal/").get_data(as_text=True)
    assert 'data-mailbox="mayor"' in staff.get(PAGE).get_data(as_text=True)
    orders = session.scalar(select(func.count()).select_from(WorkOrder))
    assert Citizen(client).write(mailbox="mayor").status_code == 422  # the form again, with the reason
    refused = Citizen(client, locale="zh_CN").write(mailbox="mayor")
    assert refused.status_code == 422 and "没有“mayor”这个信箱，或该信箱已关闭。" in refused.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(WorkOrder)) == orders


def test_a_bad_mailbox_is_refused_with_the_reason_and_nothing_written(app, make_user, session):
    supervisor, _ = make_user("supervisor")
    staff = Staff(app.test_client(), locale="zh_CN").login(supervisor.username)
    before = session.scalar(select(func.count()).select_from(Mailbox))
    for form, reason in [
        ({"code": "x", "name_zh": "某信箱", "name_en": "X", "kind": "bureau", "department": "nowhere"},
         "没有“nowhere”这个单位"),
        ({"code": "", "name_zh": "某信箱", "name_en": "X", "kind": "bureau", "department": "housing"},
         "信箱需要代码"),
        ({"code": "y", "name_zh": "某信箱", "name_en": "Y", "kind": "king", "department": "housing"},
         "信箱类别须为以下之一：市长信箱、区长信箱、局长信箱。"),
        ({"code": "水务 局", "name_zh": "某信箱", "name_en": "Z", "kind": "bureau", "department": "housing"},
         "信箱代码只能由字母、数字"),
        ({"code": "z", "name_zh": "长" * 121, "name_en": "Z", "kind": "bureau", "department": "housing"},
         "信箱名称最多 120 个字符"),
    ]:
        assert staff.post(PAGE, {**form, "active": "yes"}).status_code == 302
        assert reason in staff.get(PAGE).get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Mailbox)) == before


def test_agents_and_departments_cannot_change_mailboxes(app, make_user):
    for role, department in (("agent", None), ("department", "housing")):
        user, _ = make_user(role, department)
        staff = Staff(app.test_client()).login(user.username)
        assert staff.get(PAGE).status_code == 403


def test_the_intake_queue_and_the_order_page_show_which_mailbox_a_letter_went_to(app, make_user, client, session):
    mailboxes.install_defaults(session)
    session.commit()
    letter = Citizen(client).write(mailbox="bureau.housing").get_data(as_text=True)
    number = letter.split('id="order-number">')[1].split("<")[0]
    to_hotline = Citizen(client, ip="198.51.100.20").written(caller_phone="13900001111")[0]
    agent, _ = make_user("agent")
    staff = Staff(app.test_client(), locale="zh_CN").login(agent.username)

    queue = staff.get("/desk/intake").get_data(as_text=True)
    row = queue[queue.index(f'data-order="{number}"'):]
    assert "住建局局长信箱" in row[:row.index("</tr>")]
    other = queue[queue.index(f'data-order="{to_hotline}"'):]
    assert "tag-mailbox" not in other[:other.index("</tr>")]  # written to the hotline itself
    assert "住建局局长信箱" in staff.get(f"/orders/{number}").get_data(as_text=True)
