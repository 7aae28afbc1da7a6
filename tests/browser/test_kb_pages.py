"""The knowledge base in Chromium (SPEC §6): a department proposes a draft through the pages, a
supervisor finds it among the drafts and publishes it, and the agent then finds it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from knowledge_base.models import Article, ArticleVersion

pytestmark = pytest.mark.browser


def article_and_changes(site, title: str) -> tuple[str, list[tuple[str, str]]]:
    with site.app.app_context(), site.transaction() as session:
        article = session.scalar(select(Article).where(Article.title == title))
        return article.status, [(v.change, v.editor_role) for v in session.scalars(
            select(ArticleVersion).where(ArticleVersion.article_id == article.id).order_by(ArticleVersion.version))]


def test_a_supervisor_publishes_a_departments_draft_through_the_pages(site):
    title = "电动自行车楼道充电规定"
    housing = site.page()
    site.login(housing, "housing")
    housing.click("#nav-kb")
    with housing.expect_navigation():
        housing.click("#kb-tab-new")
    housing.fill("#kb-f-title", title)
    housing.fill("#kb-f-question", "楼道里能给电动自行车充电吗？")
    housing.fill("#kb-f-answer", "严禁在楼道、楼梯间内为电动自行车充电，请到小区集中充电点充电。")
    housing.fill("#kb-f-keywords", "电动自行车, 充电")
    site.shot(housing, "kb-propose")
    with housing.expect_navigation():
        housing.click("#kb-save")
    assert housing.locator("#kb-title").inner_text() == title
    assert "草稿" in housing.locator(".order-head").inner_text()
    assert housing.locator("#kb-publish").count() == 0  # only a supervisor publishes

    supervisor = site.page()
    site.login(supervisor, "supervisor")
    with supervisor.expect_navigation():
        supervisor.click("#nav-kb")
    supervisor.select_option("#kb-status", "draft")
    with supervisor.expect_navigation():
        supervisor.click("#kb-search button[type=submit]")
    row = supervisor.locator("#kb-list tr[data-article]", has_text=title)
    assert "草稿" in row.inner_text()
    site.shot(supervisor, "kb-drafts")
    with supervisor.expect_navigation():
        row.locator("a.kb-title").click()
    with supervisor.expect_navigation():
        supervisor.click("#kb-publish button[type=submit]")
    assert "已发布" in supervisor.locator(".order-head").inner_text()
    assert "文章已发布" in supervisor.locator(".flash-success").inner_text()
    history = supervisor.locator("#kb-history").inner_text()
    assert "起草" in history and "已发布" in history and "housing" in history
    site.shot(supervisor, "kb-article")
    assert article_and_changes(site, title) == ("published", [("created", "department"), ("published", "supervisor")])

    agent = site.page()
    site.login(agent, "agent")
    agent.goto(f"{site.base}/kb")
    agent.fill("#search-q", "楼道充电")
    with agent.expect_navigation():
        agent.keyboard.press("Enter")
    first = agent.locator("#kb-results tr[data-article]").first
    assert title in first.inner_text()
    assert first.locator("mark").count() >= 1  # the matched words highlighted
    site.shot(agent, "kb-search")
