"""Issue 14, acceptance 4: departments hear of dispatches, urgings, red lights and send-backs by SMS
(the local fake Twilio REST server) and e-mail (a local aiosmtpd sink), after the commit; a failed
send is retried with backoff and leaves the order as it was; every user has an unread count."""
from __future__ import annotations

import email
import email.policy
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from hotline.jobs import run_job
from tests.ivr_support import FakeTwilioApi, bound_app
from workorders.models import Policy, WorkOrder
from workorders.notifications.models import OutboundMessage

DUTY_PHONE = "+8613900000001"
DUTY_MAIL = "duty@housing.example.gov.cn"


class Sink:
    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def fake_twilio():
    with FakeTwilioApi() as api:
        yield api


@pytest.fixture
def smtp():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    yield sink
    controller.stop()


@pytest.fixture
def app(connection, clock, fake_twilio, smtp):
    return bound_app(connection, clock, IVR_TELEPHONY="twilio", TWILIO_API_BASE_URL=fake_twilio.url,
                     SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, MAIL_FROM="12345@hotline.example.gov.cn")


@pytest.fixture
def housing_contact(runner):
    result = runner.invoke(args=["departments", "contact", "housing", "--phone", DUTY_PHONE, "--email", DUTY_MAIL])
    assert result.exit_code == 0, result.output
    assert "sms=on" in result.output and "mail=on" in result.output


def texts(fake_twilio) -> list[dict]:
    return [r["form"] for r in fake_twilio.requests if r["path"].endswith("/Messages.json")]


def outbox(session, number):
    session.expire_all()
    return list(session.scalars(select(OutboundMessage).join(WorkOrder, WorkOrder.id == OutboundMessage.order_id)
                                .where(WorkOrder.number == number).order_by(OutboundMessage.id)))


def order_row(session, number) -> WorkOrder:
    session.expire_all()
    return session.scalar(select(WorkOrder).where(WorkOrder.number == number))


def test_a_dispatch_is_texted_and_mailed_after_the_commit(app, desk, session, fake_twilio, smtp, housing_contact):
    number = desk["agent"].create()["number"]
    assert desk["agent"].act(number, "dispatch", {"department": "housing"}).status_code == 200
    # Written in the action's transaction; nothing has gone out yet.
    assert [(m.channel, m.status) for m in outbox(session, number)] == [("sms", "pending"), ("email", "pending")]
    assert texts(fake_twilio) == [] and smtp.messages == []

    result = run_job(app, "notifications", "test")
    assert (result.error, result.rows) == (None, 2)
    [sms] = texts(fake_twilio)
    assert sms["To"] == DUTY_PHONE and number in sms["Body"] and "交办" in sms["Body"]
    [mail] = smtp.messages
    assert mail["To"] == DUTY_MAIL and number in mail["Subject"]
    assert [m.status for m in outbox(session, number)] == ["sent", "sent"]

    assert run_job(app, "notifications", "test").rows == 0  # safe to run twice: nothing sent again
    assert len(texts(fake_twilio)) == 1 and len(smtp.messages) == 1


def test_a_failing_send_is_retried_and_the_order_is_unchanged(app, desk, session, clock, fake_twilio, smtp,
                                                               housing_contact):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    run_job(app, "notifications", "test")
    assert desk["supervisor"].act(number, "urge", {"message": "请今天内回复"}).status_code == 200
    before = order_row(session, number)
    version, state = before.version, before.state

    fake_twilio.fail_with = (500, {"code": 20500, "message": "internal error", "status": 500})
    result = run_job(app, "notifications", "test")
    assert result.error is None and "failed" in result.note
    sms, mail = [m for m in outbox(session, number) if m.action == "urge"]
    assert (sms.status, sms.attempts, mail.status) == ("pending", 1, "sent")
    assert "500" in sms.last_error
    after = order_row(session, number)
    assert (after.version, after.state) == (version, state)  # the urge stands

    fake_twilio.fail_with = None
    assert run_job(app, "notifications", "test").rows == 0  # not before its backoff
    clock.advance(timedelta(minutes=1))
    assert run_job(app, "notifications", "test").rows == 1
    urge_texts = [t for t in texts(fake_twilio) if "催办" in t["Body"]]
    assert len(urge_texts) == 2 and "请今天内回复" in urge_texts[-1]["Body"]  # the failed try, then this
    assert outbox(session, number)[-2].status == "sent"


def test_each_channel_can_be_switched_off_per_department(app, desk, session, runner, fake_twilio, smtp,
                                                         housing_contact):
    assert runner.invoke(args=["departments", "contact", "housing", "--no-sms"]).exit_code == 0
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    run_job(app, "notifications", "test")
    assert texts(fake_twilio) == [] and len(smtp.messages) == 1
    assert runner.invoke(args=["departments", "contact", "nowhere"]).exit_code != 0


def test_the_schedulers_red_light_and_a_send_back_notify_too(app, desk, session, clock, fake_twilio,
                                                            housing_contact):
    policy = session.scalar(select(Policy).where(Policy.active.is_(True)))
    policy.rules = {**policy.rules, "reply_review": True}
    session.commit()
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    desk["housing"].act(number, "sign")
    clock.advance(timedelta(days=10))  # past due: the lights job urges and supervises
    assert run_job(app, "lights", "test").error is None
    desk["housing"].act(number, "reply", {"text": "已处理", "resolved": True})
    desk["supervisor"].act(number, "send_back", {"reason": "答复不完整"})
    run_job(app, "notifications", "test")
    bodies = [t["Body"] for t in texts(fake_twilio)]
    assert any("红灯" in b for b in bodies) and any("退回重办" in b for b in bodies)


def test_every_user_has_an_unread_count_and_a_list(app, desk, client, session, make_user):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    desk["housing"].act(number, "return", {"reason": "不属于本单位"})
    body = desk["housing"].get("/notifications").get_json()
    assert body["unread"] == 1 and body["notices"][0]["order"] == number
    assert desk["supervisor"].get("/notifications").get_json()["unread"] >= 1  # the return waits for them
    assert desk["urban"].get("/notifications").get_json()["unread"] == 0
    assert desk["housing"].post("/notifications/read").get_json() == {"unread": 0}
    assert desk["housing"].get("/notifications").get_json()["unread"] == 0


def test_the_office_sets_a_departments_contact_on_the_departments_page(app, desk, session, make_user, fake_twilio,
                                                                      smtp):
    from tests.web_support import people, text_of
    from workorders.audit import AuditRecord
    from workorders.notifications.models import DepartmentContact

    web = people(app, make_user)
    supervisor = web("supervisor")
    page = supervisor.page("/admin/departments")
    assert 'action="/admin/departments/housing/contact"' in page

    # Bad input is refused with a message and writes nothing.
    for form in ({"duty_phone": "12345abc", "email": DUTY_MAIL, "sms_enabled": "1"},
                 {"duty_phone": DUTY_PHONE, "email": "duty at housing", "sms_enabled": "1"}):
        response = supervisor.post("/admin/departments/housing/contact", form, follow_redirects=True)
        assert response.status_code == 200
        assert "不是" in text_of(response.get_data(as_text=True))
    assert session.scalars(select(DepartmentContact)).all() == []
    assert session.scalars(select(AuditRecord).where(AuditRecord.action == "contact")).all() == []
    assert supervisor.post("/admin/departments/nowhere/contact", {"duty_phone": DUTY_PHONE}).status_code == 302
    assert web("agent").post("/admin/departments/housing/contact", {"duty_phone": DUTY_PHONE}).status_code == 403

    # SMS on, e-mail given but switched off: the page shows it, the audit has it, the dispatch texts only.
    response = supervisor.post("/admin/departments/housing/contact",
                               {"duty_phone": DUTY_PHONE, "email": DUTY_MAIL, "sms_enabled": "1"})
    assert response.status_code == 302
    session.expire_all()
    [contact] = session.scalars(select(DepartmentContact)).all()
    assert (contact.duty_phone, contact.email, contact.sms_enabled, contact.email_enabled) == (
        DUTY_PHONE, DUTY_MAIL, True, False)
    row = " ".join(text_of(supervisor.page("/admin/departments")).split())
    assert f"短信 {DUTY_PHONE}" in row and f"电子邮件 {DUTY_MAIL} (关闭)" in row
    audit = " ".join(text_of(supervisor.page("/admin/audit")).split())
    assert "市住房和城乡建设局" in audit and f"值班电话（短信） → {DUTY_PHONE}" in audit and "发送邮件 → 否" in audit

    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    assert run_job(app, "notifications", "test").rows == 1
    assert [t["To"] for t in texts(fake_twilio)] == [DUTY_PHONE] and smtp.messages == []
