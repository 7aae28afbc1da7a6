"""Work lists (issue 13): timers on waiting states, the board's drill-down, unread marks, notes."""
from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from hotline.cli import main
from tests.web_support import people, text_of
from workorders.models import OrderEvent, WorkOrder


@pytest.fixture
def web(app, make_user):
    return people(app, make_user)


def order_of(session, number: str) -> WorkOrder:
    session.expire_all()
    return session.scalar(select(WorkOrder).where(WorkOrder.number == number))


def actions_of(session, number: str) -> list[str]:
    order = order_of(session, number)
    return list(session.scalars(select(OrderEvent.action).where(OrderEvent.order_id == order.id)
                                .order_by(OrderEvent.seq)))


def waiting_row(page: str, state: str) -> list[int]:
    row = re.search(rf'<tr data-state="{state}">(.*?)</tr>', page, re.S).group(1)
    return [int(n) for n in re.findall(r'class="figure[^"]*">(\d+)</a>', row)]


def figure_links(page: str) -> list[tuple[str, int]]:
    return [(href.replace("&amp;", "&"), int(n))
            for href, n in re.findall(r'<a href="([^"]+)" class="figure[^"]*">(\d+)</a>', page)]


def listed(page: str) -> list[str]:
    return re.findall(r'<tr data-order="([^"]+)">', page)


def sweep(runner) -> str:
    result = runner.invoke(main, ["jobs", "run", "lights"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


# --- acceptance 3: an order left in intake past its limit --------------------------------------

def test_an_order_left_in_intake_turns_yellow_then_red_and_is_urged_once(web, desk, session, clock, runner):
    number = desk["agent"].create()["number"]  # Monday 2 March 09:00; Karamay preset: 24 hours
    supervisor = web("supervisor")
    assert waiting_row(supervisor.page("/supervisor"), "new") == [1, 0, 0, 1]
    clock.advance(timedelta(hours=18))  # the last quarter of the limit
    assert waiting_row(supervisor.page("/supervisor"), "new") == [0, 1, 0, 1]
    assert 'data-light="yellow"' in web("agent").page("/desk/intake")
    sweep(runner)
    assert "urge_waiting" not in actions_of(session, number)
    clock.advance(timedelta(hours=6, seconds=1))  # past the limit
    assert waiting_row(supervisor.page("/supervisor"), "new") == [0, 0, 1, 1]
    sweep(runner)
    sweep(runner)
    assert actions_of(session, number).count("urge_waiting") == 1
    event = session.scalar(select(OrderEvent).where(OrderEvent.action == "urge_waiting"))
    assert event.inputs["to"] == "team_lead" and event.actor_role == "system"
    page = supervisor.page(f"/orders/{number}")
    assert "坐席班长" in text_of(page) or "team lead" in text_of(page)


def test_an_order_awaiting_instruction_is_timed_in_working_days_and_the_leader_urged(web, desk, session, clock,
                                                                                      runner):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "request_instruction", {"note": "请领导批示"})
    order = order_of(session, number)
    assert order.wait_due_at is not None and order.wait_due_at > clock.now()
    clock.advance(timedelta(days=2))  # Wednesday: past one working day
    assert waiting_row(web("leader").page("/supervisor"), "awaiting_instruction") == [0, 0, 1, 1]
    sweep(runner)
    sweep(runner)
    assert actions_of(session, number).count("urge_waiting") == 1
    urge = session.scalar(select(OrderEvent).where(OrderEvent.action == "urge_waiting"))
    assert urge.inputs["to"] == "leader"


# --- drill-down: every figure is the list behind it ----------------------------------------------

def test_every_figure_on_the_board_lists_exactly_its_orders(web, desk, clock):
    agent = desk["agent"]
    late = agent.create()["number"]
    agent.act(late, "dispatch", {"department": "housing"})
    clock.advance(timedelta(days=8))
    for kind in ("complaint", "report"):
        number = agent.create(type=kind)["number"]
        agent.act(number, "dispatch", {"department": "housing"})
    agent.create()  # waiting in intake
    supervisor = web("supervisor")
    links = figure_links(supervisor.page("/supervisor"))
    assert len(links) == 6 + 2 * 4  # one department row, two waiting rows
    for href, n in links:
        assert len(listed(supervisor.page(href))) == n, href
    red = next(href for href, n in links if "department=housing" in href and "light=red" in href)
    assert listed(supervisor.page(red)) == [late]


def test_the_list_filters_sorts_pages_without_a_cap_and_exports_what_it_shows(web, desk, clock):
    agent = desk["agent"]
    numbers = [agent.create(type="complaint" if i % 2 else "consultation")["number"] for i in range(55)]
    for number in numbers[:3]:
        agent.act(number, "dispatch", {"department": "housing"})
    clock.advance(timedelta(days=9))  # Wednesday 11 March: the 3 dispatched complaints/consultations overdue
    supervisor = web("supervisor")
    first = supervisor.page("/orders")
    assert len(listed(first)) == 50 and 'id="pager"' in first
    second = supervisor.page("/orders?page=2")
    assert len(listed(second)) == 5
    assert set(listed(first)) | set(listed(second)) == set(numbers)
    complaints = supervisor.page("/orders?type=complaint&sort=number")
    assert listed(complaints) == sorted(n for i, n in enumerate(numbers) if i % 2)[:50]
    overdue = supervisor.page("/orders?department=housing&overdue=2&sort=due")
    assert sorted(listed(overdue)) == sorted(numbers[:3])
    days = re.findall(r'<td class="days-overdue">(\d*)</td>', overdue)
    assert all(int(d) >= 2 for d in days) and len(days) == 3
    assert listed(supervisor.page("/orders?department=housing&overdue=30")) == []
    today = clock.now().date().isoformat()
    assert listed(supervisor.page(f"/orders?from={today}")) == []
    response = supervisor.get("/orders/export.xlsx?type=complaint")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "工单号"  # in the user's language (zh_CN by default)
    assert sorted(r[0] for r in rows[1:]) == sorted(n for i, n in enumerate(numbers) if i % 2)  # all 27, every page
    assert {r[2] for r in rows[1:]} == {"投诉"}


def test_a_bad_filter_is_a_clear_refusal(web):
    supervisor = web("supervisor")
    page = supervisor.page("/orders?from=2026-13-01", status=422)
    assert "list-error" in page
    assert supervisor.get("/orders?light=purple").status_code == 422
    assert supervisor.get("/orders/export.xlsx?department=nowhere").status_code == 422


# --- acceptance 4: unread instruction and urge, marked until the department opens the order ------

def test_a_clerk_sees_an_unread_urge_and_instruction_until_the_order_is_opened(web, desk, session):
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "request_instruction", {"note": "请领导批示"})
    desk["leader"].act(number, "instruct", {"text": "请住建局三日内办结", "department": "housing"})
    clerk = web("department", "housing")
    inbox = clerk.page("/inbox?tab=to_sign")
    row = re.search(rf'<tr data-order="{number}">(.*?)</tr>', inbox, re.S).group(1)
    assert 'data-unread="instruct"' in row
    page = clerk.page(f"/orders/{number}")
    assert 'id="unread"' in page and "请住建局三日内办结" in text_of(page)
    assert 'data-unread' not in clerk.page("/inbox?tab=to_sign")  # opened: read
    desk["supervisor"].act(number, "urge", {"message": "请加快办理"})
    row = re.search(rf'<tr data-order="{number}">(.*?)</tr>', clerk.page("/inbox?tab=to_sign"), re.S).group(1)
    assert 'data-unread="urge"' in row and 'data-unread="instruct"' not in row
    # Another department's clerk of the same department reads for the whole department.
    web("department", "housing").page(f"/orders/{number}")
    assert 'data-unread' not in clerk.page("/inbox?tab=to_sign")
    assert 'id="unread"' not in clerk.page(f"/orders/{number}")


# --- notes, 催单, 重复诉求 -------------------------------------------------------------------------

def test_notes_repeat_calls_and_repeat_requests(web, desk, session):
    agent = web("agent")
    number = desk["agent"].create()["number"]
    desk["agent"].act(number, "dispatch", {"department": "housing"})
    clerk = web("department", "housing")
    clerk.act(number, "note", {"text": "已联系物业"})
    agent.act(number, "called_again", {"text": "市民再次来电催问"})
    assert agent.act(number, "called_again", {"call_sid": "CA-never-seen"}).status_code == 422
    assert actions_of(session, number)[-2:] == ["note", "called_again"]

    original = desk["agent"].create()["number"]
    desk["agent"].act(original, "answer", {"text": "已答复"})
    desk["supervisor"].act(original, "archive", {"reason": "已办结"})
    repeat = desk["agent"].create()["number"]
    assert agent.act(repeat, "link_original", {"original": number}).status_code == 422  # not archived
    agent.act(repeat, "link_original", {"original": original})
    assert order_of(session, repeat).repeat_of_id == order_of(session, original).id
    assert actions_of(session, original)[-1] == "repeat_linked"
    assert repeat in text_of(agent.page(f"/orders/{original}"))
