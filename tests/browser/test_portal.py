"""A citizen in Chromium writes in on the portal, follows the order with the access code, and
reads the department's reply once it is in (issue #8, acceptance 4).

`site` (conftest) runs the app in a real HTTP server over a committed database; the hotline's
side acts through the JSON API over HTTP, as its own clients would.
"""
from __future__ import annotations

import json
import logging
import urllib.request

import pytest
from sqlalchemy import select

from hotline.auth import issue_token
from workorders.citizen.mailboxes import install_defaults
from workorders.models import User

pytestmark = pytest.mark.browser


def tokens_of(site, *usernames: str) -> dict[str, str]:
    with site.app.app_context(), site.transaction() as session:
        install_defaults(session)
        return {name: issue_token(session, session.scalar(select(User).where(User.username == name)),
                                  site.clock.now()) for name in usernames}


def api(base: str, token: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{base}/api/v1{path}", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        return json.loads(response.read())


def test_a_citizen_writes_in_follows_the_order_and_reads_the_reply(site, caplog):
    caplog.set_level(logging.INFO)
    tokens = tokens_of(site, "agent", "housing")
    page = site.page("zh-CN")
    page.goto(f"{site.base}/portal/")
    page.get_by_role("link", name="住建局局长信箱").click()
    assert page.locator("#mailbox").input_value() == "bureau.housing"
    page.select_option("#type", "complaint")
    page.select_option("#district", "东城区")
    page.fill("#address", "新河街道幸福小区3号楼")
    page.fill("#content", "3号楼电梯坏了一个月，物业一直不修，老人上下楼很困难。")
    page.fill("#caller_name", "钱女士")
    page.fill("#caller_phone", "13600001234")
    page.check("#public_consent")
    page.click("#send")

    number = page.locator("#order-number").inner_text().strip()
    code = page.locator("#access-code").inner_text().strip()
    assert len(code) == 6 and "住建局局长信箱" in page.locator("#answer").inner_text()
    site.shot(page, "portal-answer")

    page.locator("#answer").get_by_role("link", name="查询办理进度").click()
    assert page.locator("#number").input_value() == number
    page.fill("#code", code)
    page.click("#query-send")
    assert "已收到" in page.locator("#status").inner_text()
    assert page.locator("#reply").count() == 0

    # The hotline dispatches; the bureau signs and replies.
    api(site.base, tokens["agent"], f"/orders/{number}/dispatch", {"department": "housing"})
    api(site.base, tokens["housing"], f"/orders/{number}/sign", {})
    api(site.base, tokens["housing"], f"/orders/{number}/reply",
        {"text": "已联系物业更换电梯主板，电梯恢复运行。", "resolved": True})

    page.goto(f"{site.base}/portal/query?number={number}")
    page.fill("#code", code)
    page.click("#query-send")
    assert "市住房和城乡建设局已回复" in page.locator("#status").inner_text()
    assert "已联系物业更换电梯主板，电梯恢复运行。" in page.locator("#reply").inner_text()
    timeline = page.locator("#timeline").inner_text()
    assert "交办市住房和城乡建设局" in timeline and "市住房和城乡建设局回复" in timeline
    site.shot(page, "portal-result")
    body = page.content()
    for personal in ("钱女士", "13600001234", "新河街道幸福小区3号楼", "agent", "housing"):
        assert personal not in body
    assert code not in page.url
    # The server's access log saw every request, and never the code.
    requests = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("POST /portal/query" in line for line in requests)
    assert not any(code in r.getMessage() for r in caplog.records)
