"""Two people acting on one order at once: one wins, the other is told (HTTP 409)."""
from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from hotline import create_app
from hotline.auth import hash_password, issue_token
from hotline.db import database
from hotline.demo import _seed_categories
from knowledge_base.models import Article, ArticleVersion
from tests.committed import committed_database
from workorders.clock import Clock
from workorders.models import OrderEvent, WorkOrder
from workorders.people import create_user

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def live_app(tmp_path, reference_template):
    with committed_database(tmp_path, template=reference_template) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "s", "SCHEDULER": "off", "TESTING": True,
                          "CLOCK": Clock.frozen(datetime(2026, 3, 2, 9, tzinfo=TZ), TZ)})
        with app.app_context(), database(app).transaction() as session:
            now = datetime(2026, 3, 2, 9, tzinfo=TZ)
            _seed_categories(session)
            tokens = {}
            for name, role, dept in [("ag", "agent", None), ("h1", "department", "housing"),
                                     ("h2", "department", "housing"), ("sv", "supervisor", None)]:
                user = create_user(session, username=name, password_hash=hash_password("pw123456"), role=role,
                                   department_code=dept, now=now)
                tokens[name] = issue_token(session, user, now)
        app.config["TOKENS"] = tokens
        yield app
        database(app).dispose()


def _post(app, token, path, body, method="post"):
    return getattr(app.test_client(), method)(path, json=body, headers={"Authorization": f"Bearer {token}"})


def test_simultaneous_actions_on_one_order_let_exactly_one_win(live_app):
    tokens = live_app.config["TOKENS"]
    r = _post(live_app, tokens["ag"], "/api/v1/orders",
              {"type": "help", "channel": "web", "content": "井盖缺失", "caller_phone": "13800000000"})
    number = r.get_json()["number"]
    assert _post(live_app, tokens["ag"], f"/api/v1/orders/{number}/dispatch", {"department": "housing"}).status_code == 200

    start = threading.Barrier(6)
    statuses, lock = [], threading.Lock()

    def sign(token):
        start.wait()
        response = _post(live_app, token, f"/api/v1/orders/{number}/sign", {})
        with lock:
            statuses.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=sign, args=(tokens["h1" if i % 2 else "h2"],)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    codes = sorted(code for code, _ in statuses)
    assert codes == [200, 409, 409, 409, 409, 409], statuses
    assert all("error" in body for code, body in statuses if code == 409)
    with database(live_app).transaction() as session:
        order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
        signs = session.scalar(select(func.count(OrderEvent.id)).where(
            OrderEvent.order_id == order.id, OrderEvent.action == "sign"))
        assert order.state == "in_progress" and signs == 1


def test_concurrent_intake_gives_every_order_its_own_number(live_app):
    tokens = live_app.config["TOKENS"]
    numbers, lock = [], threading.Lock()
    start = threading.Barrier(8)

    def create():
        start.wait()
        for _ in range(5):
            r = _post(live_app, tokens["ag"], "/api/v1/orders",
                      {"type": "consultation", "channel": "web", "content": "咨询公积金提取"})
            assert r.status_code == 201, r.get_json()
            with lock:
                numbers.append(r.get_json()["number"])

    threads = [threading.Thread(target=create) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(numbers) == 40 and len(set(numbers)) == 40
    assert sorted(numbers)[0] == "20260302-00001" and sorted(numbers)[-1] == "20260302-00040"


def test_simultaneous_edits_of_one_article_at_the_same_version_let_exactly_one_win(live_app):
    token = live_app.config["TOKENS"]["sv"]
    created = _post(live_app, token, "/api/v1/kb/articles", {"title": "燃气开户", "answer": "到营业厅办理。"})
    assert created.status_code == 201, created.get_json()
    article_id, version = created.get_json()["id"], created.get_json()["version"]

    start = threading.Barrier(6)
    statuses, lock = [], threading.Lock()

    def edit(n):
        start.wait()
        response = _post(live_app, token, f"/api/v1/kb/articles/{article_id}",
                         {"answer": f"第{n}种说法。", "version": version}, method="patch")
        with lock:
            statuses.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(code for code, _ in statuses) == [200, 409, 409, 409, 409, 409], statuses
    assert all("changed since you loaded it" in body["error"] for code, body in statuses if code == 409)
    [winner] = [body for code, body in statuses if code == 200]
    with database(live_app).transaction() as session:
        versions = session.scalars(select(ArticleVersion.version).where(ArticleVersion.article_id == article_id))
        assert sorted(versions) == [version, version + 1]
        assert session.get(Article, article_id).answer == winner["answer"]
