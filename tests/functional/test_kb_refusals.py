"""The knowledge base's refusals: English on the API and the CLI, the user's language on the pages.

No page edits articles yet (the API and `hotline kb` do), so the pages' side is shown by the pages'
own rendering of the refusal the operation raises: the error page, and the text a flash would show.
"""
from __future__ import annotations

import pytest
from flask import session as browser_session

from hotline.web.errors import error_page
from hotline.web.refusals import refusal_text
from knowledge_base import operations, transfer
from tests.integration.kb_helpers import SUPERVISOR, published
from tests.web_support import text_of
from workorders.context import Actor
from workorders.errors import Conflict, Invalid


def test_publishing_a_published_article_is_refused_in_english_on_the_api_and_in_chinese_on_a_page(
        app, desk, session, clock):
    article = published(session, clock, title="居住证办理流程", answer="携带身份证到社区服务中心办理。")
    session.commit()
    r = desk["supervisor"].post(f"/kb/articles/{article.id}/publish")
    assert r.status_code == 409 and r.get_json()["error"] == f"article {article.id} is already published"

    with pytest.raises(Conflict) as refused:
        operations.publish(session, SUPERVISOR, article, clock.now())
    with app.test_request_context("/"):  # zh_CN, the default language
        page, status = error_page(refused.value.status, refused.value, kind="refused")
    assert status == 409
    assert f"知识库文章 {article.id} 已经发布。" in text_of(page)
    assert "already published" not in text_of(page)  # the Chinese alone (issue 13)
    with app.test_request_context("/"):
        browser_session["locale"] = "en"
        assert refusal_text(refused.value) == f"article {article.id} is already published"


def test_a_bad_line_of_an_import_is_named_and_its_own_refusal_translated_inside(app, session, clock):
    rows = [(3, {"title": "路灯报修", "answer": "拨打12345。", "category": "nowhere"})]
    with pytest.raises(Invalid) as refused:
        transfer.import_articles(session, rows, Actor.system("import"), clock.now())
    assert refused.value.message == "line 3: unknown category 'nowhere'"  # what `hotline kb import` prints
    with app.test_request_context("/"):
        assert refusal_text(refused.value) == "第 3 行：没有“nowhere”这个诉求分类。"
