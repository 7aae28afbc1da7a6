"""The public replies board: supervisor-approved, consented, archived orders without personal
data; searchable; rated once by the order's own citizen; low ratings reviewed by a supervisor."""
from __future__ import annotations

import html

import pytest

from tests.functional.portal_support import TOKEN, Citizen, Staff

NAME, PHONE, ADDRESS = "孙悟空", "13812349876", "花果山水帘洞1号"


def archived(desk, **fields) -> tuple[str, str]:
    created = desk["agent"].create(**{
        "caller_name": NAME, "caller_phone": PHONE, "address": ADDRESS, "category": "municipal",
        "content": f"我是{NAME}，电话{PHONE}，人行道地砖松动，老人容易摔倒。", "public_consent": True, **fields})
    number = created["number"]
    for api, action, body in [
        (desk["agent"], "dispatch", {"department": "housing"}),
        (desk["housing"], "sign", {}),
        (desk["housing"], "reply", {"text": f"{NAME}您好，已安排施工队重新铺设地砖。", "resolved": True}),
        (desk["agent"], "callback", {"satisfaction": "satisfied", "resolved": True}),
    ]:
        response = api.act(number, action, body)
        assert response.status_code == 200, response.get_json()
    return number, created["access_code"]


@pytest.fixture
def supervisor(app, make_user):
    user, _ = make_user("supervisor")
    return Staff(app.test_client()).login(user.username)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def publish(supervisor, number, **form):
    response = supervisor.post(f"/portal/manage/publications/{number}", {"decision": "approve", **form},
                               token_from="/portal/manage/publications")
    assert response.status_code == 302, text_of(response)


def test_an_approved_reply_is_shown_without_the_callers_personal_data(desk, supervisor, client):
    number, _ = archived(desk)
    waiting = text_of(supervisor.get("/portal/manage/publications"))
    assert number in waiting and "孙**" in waiting and "138****9876" in waiting
    assert number not in text_of(client.get("/portal/replies"))  # not before approval
    publish(supervisor, number)
    board = text_of(client.get("/portal/replies"))
    entry = text_of(client.get(f"/portal/replies/{number}"))
    assert number in board and "人行道地砖松动" in board
    assert "已安排施工队重新铺设地砖。" in entry and "市住房和城乡建设局" in entry
    for page in (board, entry):
        for secret in (NAME, PHONE, ADDRESS):
            assert secret not in page
    assert f'data-order="{number}"' not in text_of(supervisor.get("/portal/manage/publications"))


def test_the_supervisor_may_edit_the_texts_but_not_bring_personal_data_back(desk, supervisor, client):
    number, _ = archived(desk)
    publish(supervisor, number, public_content=f"{NAME}反映：人行道地砖松动。", public_reply="已重新铺设。")
    entry = text_of(client.get(f"/portal/replies/{number}"))
    assert "孙**反映：人行道地砖松动。" in entry and "已重新铺设。" in entry and NAME not in entry


@pytest.mark.parametrize("fields", [{"public_consent": False}, {"type": "report"}, {"confidential": True}])
def test_orders_without_consent_reports_and_confidential_ones_are_never_published(desk, supervisor, fields):
    number, _ = archived(desk, **fields)
    assert f'data-order="{number}"' not in text_of(supervisor.get("/portal/manage/publications"))
    response = supervisor.post(f"/portal/manage/publications/{number}", {"decision": "approve"},
                               token_from="/portal/manage/publications")
    assert response.status_code == 409
    assert supervisor.get(f"/portal/replies/{number}").status_code == 404


def test_only_supervisors_decide_publication(app, make_user, client):
    agent, _ = make_user("agent")
    assert Staff(app.test_client()).login(agent.username).get("/portal/manage/publications").status_code == 403
    assert client.get("/portal/manage/ratings").status_code == 302  # to the login page


def test_the_board_is_searchable(desk, supervisor, client):
    first, _ = archived(desk)
    second = desk["agent"].create(content="公园里的健身器材坏了。", public_consent=True, category="municipal")["number"]
    desk["agent"].act(second, "answer", {"text": "已转告公园管理处维修。"})
    desk["agent"].act(second, "callback", {"satisfaction": "satisfied", "resolved": True})
    publish(supervisor, first)
    publish(supervisor, second)
    found = text_of(client.get("/portal/replies", query_string={"q": "健身器材"}))
    assert second in found and first not in found
    assert first in text_of(client.get("/portal/replies", query_string={"q": "地砖"}))
    assert "No reply found." in text_of(Citizen(client).get("/portal/replies", q="100%_不存在"))


def test_the_citizen_rates_once_with_the_code_and_low_ratings_reach_the_supervisor(desk, supervisor, client):
    number, code = archived(desk)
    publish(supervisor, number)
    citizen = Citizen(client)
    path = f"/portal/replies/{number}"
    wrong = "000000" if code != "000000" else "111111"
    assert citizen.post(path, {"code": wrong, "stars": "2"}).status_code == 403
    assert citizen.post(path, {"code": code, "stars": "9"}).status_code == 422
    rated = citizen.post(path, {"code": code, "stars": "2", "comment": f"只修了一半，{PHONE}"})
    assert rated.status_code == 200 and "your rating has been recorded" in text_of(rated)
    assert "2 of 5" in text_of(client.get(path))
    # Once only: the form is gone, and a forged second post is refused.
    assert 'id="rate-form"' not in text_of(citizen.get(path))
    token = TOKEN.search(text_of(citizen.get("/portal/query"))).group(1)
    again = client.post(path, data={"csrf_token": token, "code": code, "stars": "5"})
    assert again.status_code == 409

    review = text_of(supervisor.get("/portal/manage/ratings"))
    assert number in review and "只修了一半，138****9876" in review and PHONE not in review
    import re

    rating_id = re.search(r"/portal/manage/ratings/(\d+)", review).group(1)
    done = supervisor.post(f"/portal/manage/ratings/{rating_id}", {"note": "已回访，补修剩余地砖。"},
                           token_from="/portal/manage/ratings")
    assert done.status_code == 302
    assert f'data-order="{number}"' not in text_of(supervisor.get("/portal/manage/ratings"))


def test_a_good_rating_does_not_go_to_review(desk, supervisor, client):
    number, code = archived(desk)
    publish(supervisor, number)
    assert Citizen(client).post(f"/portal/replies/{number}", {"code": code, "stars": "5"}).status_code == 200
    assert f'data-order="{number}"' not in text_of(supervisor.get("/portal/manage/ratings"))
