"""Calibrating knowledge-base search: from the command line, by the nightly job and from the
supervisors' reports page (issue 5)."""
from __future__ import annotations

from sqlalchemy import func, select

from hotline.cli import main
from knowledge_base import usage
from knowledge_base.models import ArticlePull
from tests.integration.kb_helpers import published
from tests.integration.test_kb_calibration import DIGEST, TOPICS, past_queries
from tests.web_support import people

QUERY = "公积金提取办理时限"


def make_articles(session, clock):
    for topic, answer in TOPICS.items():
        published(session, clock, title=f"{topic}业务", answer=answer)
    published(session, clock, title="办事咨询汇编", answer=DIGEST)
    session.commit()


def first_title(desk) -> str:
    response = desk["agent"].get("/kb/search", q=QUERY, limit=3)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"][0]["title"]


def test_calibrating_from_a_file_of_past_queries_puts_the_right_article_first(runner, desk, session, clock,
                                                                             tmp_path):
    make_articles(session, clock)
    assert first_title(desk) == "办事咨询汇编"
    queries = tmp_path / "queries.txt"
    queries.write_text("\n".join(past_queries()) + "\n", encoding="utf-8")

    result = runner.invoke(main, ["kb", "calibrate", "--queries", str(queries)])

    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "calibrated 7 articles on 600 past queries"
    assert first_title(desk) == "公积金业务"


def test_calibrating_from_too_few_past_queries_fails_with_the_reason_and_writes_nothing(runner, desk, session,
                                                                                       clock, tmp_path):
    make_articles(session, clock)
    queries = tmp_path / "queries.txt"
    queries.write_text("\n".join(past_queries(120)), encoding="utf-8")

    result = runner.invoke(main, ["kb", "calibrate", "--queries", str(queries)])

    assert result.exit_code != 0
    assert "calibration needs at least 500 different past queries, got 120" in result.output
    assert session.scalar(select(func.count()).select_from(ArticlePull)) == 0
    assert first_title(desk) == "办事咨询汇编"


def test_a_file_that_is_not_utf8_is_refused(runner, tmp_path):
    queries = tmp_path / "queries.txt"
    queries.write_bytes("公积金提取".encode("gbk"))
    result = runner.invoke(main, ["kb", "calibrate", "--queries", str(queries)])
    assert result.exit_code != 0 and "is not UTF-8 text" in result.output


def test_the_nightly_job_calibrates_on_past_searches_and_orders_requests(runner, desk, session, clock):
    make_articles(session, clock)
    for query in past_queries(498):
        usage.log_search(session, kind="search", query=query, user_id=None, order_id=None, article_ids=[],
                         now=clock.now())
    session.commit()

    result = runner.invoke(main, ["jobs", "run", "kb_calibrate"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ("kb_calibrate: 0 rows touched (calibration needs at least 500 different "
                                     "past queries, got 498; the articles' pulls are left as they were)")
    assert first_title(desk) == "办事咨询汇编"  # a search through the API: the 499th past query

    # An order taken on the phone makes the 500th.
    desk["agent"].create(type="consultation", content="城南公积金提取材料咨询")
    result = runner.invoke(main, ["jobs", "run", "kb_calibrate"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "kb_calibrate: 7 rows touched (calibrated on 500 past queries)"
    assert first_title(desk) == "公积金业务"


def test_a_supervisor_sees_the_calibration_and_calibrates_from_the_reports_page(app, make_user, desk, session,
                                                                               clock):
    make_articles(session, clock)
    for query in past_queries(120):
        usage.log_search(session, kind="search", query=query, user_id=None, order_id=None, article_ids=[],
                         now=clock.now())
    session.commit()
    web = people(app, make_user)
    supervisor = web("supervisor")
    page = supervisor.page("/kb/reports")
    assert "尚未校准。" in page and "目前有 120 条不同的历史查询（至少需要 500 条）。" in page

    refused = supervisor.post("/kb/calibrate")
    assert refused.status_code == 422
    assert "校准至少需要 500 条不同的历史查询，目前只有 120 条" in refused.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(ArticlePull)) == 0
    for role, department in (("agent", None), ("department", "housing")):
        assert web(role, department).post("/kb/calibrate").status_code == 403

    for query in past_queries(600)[120:]:
        usage.log_search(session, kind="search", query=query, user_id=None, order_id=None, article_ids=[],
                         now=clock.now())
    session.commit()
    done = supervisor.post("/kb/calibrate", follow_redirects=True)
    assert done.status_code == 200
    page = done.get_data(as_text=True)
    assert "已根据 600 条历史查询完成搜索校准：7 篇文章有吸附度。" in page
    assert "已于 2026-03-02 09:00 校准：7 篇文章有吸附度。" in page
    assert first_title(desk) == "公积金业务"
