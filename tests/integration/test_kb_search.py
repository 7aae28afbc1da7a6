"""Chinese search in the knowledge base, the same on SQLite and PostgreSQL (issue 5, acceptance 1)."""
from __future__ import annotations

import re
from datetime import date, timedelta

from knowledge_base import operations
from knowledge_base.search import Filters, search
from tests.integration.kb_helpers import SUPERVISOR, draft, published

TODAY = date(2026, 3, 2)  # the frozen clock's day


def titles(session, query, filters=None, limit=10):
    return [hit.article.title for hit in search(session, query, filters or Filters.for_agents(TODAY), limit)]


def test_garbage_sorting_finds_an_article_that_says_garbage_and_sorting_apart(session, clock):
    published(session, clock, title="小区环境卫生须知",
              answer="请将生活垃圾按照可回收物、有害垃圾等类别进行分类后投放到指定地点。")
    published(session, clock, title="物业费收费标准", answer="物业服务收费实行政府指导价。")
    assert titles(session, "垃圾分类") == ["小区环境卫生须知"]


def test_a_query_segmented_differently_from_the_article_still_matches(session, clock):
    published(session, clock, title="燃气开户办理", answer="请携带身份证到燃气公司营业厅办理开户。")
    published(session, clock, title="自来水开户办理", answer="请携带身份证到供水公司营业厅办理开户。")
    assert titles(session, "怎么开通燃气")[0] == "燃气开户办理"


def test_medical_insurance_abbreviation_finds_the_full_term_through_synonyms(session, clock):
    published(session, clock, title="门诊费用怎样报销", answer="参加职工基本医疗保险的人员，门诊费用超过起付标准的部分按比例报销。")
    published(session, clock, title="差旅费报销流程", answer="单位职工出差的交通费、住宿费凭发票报销。")
    assert titles(session, "医保报销")[0] == "门诊费用怎样报销"


def test_a_synonym_alone_finds_an_article_sharing_no_character_with_the_query(session, clock):
    published(session, clock, title="出租车拒载怎么投诉", answer="请记下车牌号，拨打服务监督电话投诉。")
    assert titles(session, "的士") == ["出租车拒载怎么投诉"]


def test_keywords_find_an_article_whose_text_never_uses_the_word(session, clock):
    published(session, clock, title="门诊共济保障政策", answer="职工门诊费用纳入统筹基金支付范围。", keywords=["医保", "报销"])
    published(session, clock, title="门诊预约挂号", answer="可通过医院公众号预约门诊号源。")
    assert titles(session, "医保报销")[0] == "门诊共济保障政策"


def test_a_title_match_ranks_above_a_body_match(session, clock):
    published(session, clock, title="小区停车管理规定", answer="小区内车辆应停放在划定的车位内，噪音问题请联系物业。")
    published(session, clock, title="噪音扰民投诉", answer="夜间施工或娱乐活动影响休息的，可以向有关部门反映。")
    hits = search(session, "噪音", Filters.for_agents(TODAY))
    assert [h.article.title for h in hits] == ["噪音扰民投诉", "小区停车管理规定"]
    assert hits[0].score > hits[1].score > 0


def test_expired_and_not_yet_effective_articles_are_never_suggested(session, clock):
    published(session, clock, title="旧版医保报销比例", answer="医保报销比例为百分之七十。",
              expires_on=(TODAY - timedelta(days=1)).isoformat())
    published(session, clock, title="新版医保报销比例", answer="医保报销比例为百分之八十。",
              effective_on=(TODAY + timedelta(days=1)).isoformat())
    published(session, clock, title="现行医保报销比例", answer="医保报销比例为百分之七十五。",
              effective_on="2026-01-01", expires_on=TODAY.isoformat())
    assert titles(session, "医保报销比例") == ["现行医保报销比例"]
    later = Filters.for_agents(TODAY + timedelta(days=1))
    assert titles(session, "医保报销比例", later) == ["新版医保报销比例"]


def test_drafts_and_retired_articles_are_not_suggested_but_supervisors_can_find_them(session, clock):
    draft(session, clock, title="居住证办理草稿", answer="居住证办理流程。")
    retired = published(session, clock, title="居住证旧规定", answer="居住证办理旧流程。")
    operations.retire(session, SUPERVISOR, retired, clock.now())
    assert titles(session, "居住证") == []
    assert titles(session, "居住证", Filters(statuses=("draft",))) == ["居住证办理草稿"]
    assert titles(session, "居住证", Filters(statuses=("retired",))) == ["居住证旧规定"]


def test_publishing_a_draft_makes_it_searchable_at_once(session, clock):
    article = draft(session, clock, title="身份证补办", answer="到任一户政窗口补领。")
    assert titles(session, "身份证") == []
    operations.publish(session, SUPERVISOR, article, clock.now())
    assert titles(session, "身份证") == ["身份证补办"]


def test_an_edit_changes_what_the_article_is_found_by(session, clock):
    article = published(session, clock, title="停水通知", answer="计划停水会提前公告。")
    operations.edit(session, SUPERVISOR, article, {"title": "停电通知", "answer": "计划停电会提前公告。"}, clock.now())
    assert titles(session, "停水") == []
    assert titles(session, "停电") == ["停电通知"]


def test_filters_by_category_including_sub_categories_and_by_department(session, clock):
    published(session, clock, title="占道经营投诉", answer="流动摊贩占道经营的处理。", category="digital_city",
              department="urban")
    published(session, clock, title="占道施工许可", answer="占道施工须办理许可。", category="municipal",
              department="housing")
    from sqlalchemy import select

    from knowledge_base.search import category_scope
    from workorders.models import Category, Department

    tree = session.execute(select(Category.id, Category.parent_id)).all()
    city = session.scalar(select(Category.id).where(Category.code == "city_management"))
    housing = session.scalar(select(Department.id).where(Department.code == "housing"))
    assert titles(session, "占道", Filters.for_agents(TODAY, category_ids=category_scope(tree, city))) == ["占道经营投诉"]
    assert titles(session, "占道", Filters.for_agents(TODAY, department_ids=frozenset({housing}))) == ["占道施工许可"]


def test_snippets_mark_matches_and_never_turn_article_text_into_markup(session, clock):
    published(session, clock, title="垃圾分类<script>alert(1)</script>",
              answer='<img src=x onerror="alert(1)">生活垃圾请分类投放 & 按时清运')
    hit = search(session, "垃圾 img", Filters.for_agents(TODAY))[0]
    assert "<img" not in hit.snippet and "<script" not in hit.title_html
    assert "&lt;<mark>img</mark> src=x onerror=&quot;alert(1)&quot;&gt;" in hit.snippet
    assert "<mark>垃圾</mark>" in hit.snippet and "&amp;" in hit.snippet
    assert hit.title_html.startswith("<mark>垃圾</mark>分类&lt;script&gt;")


def test_equal_scores_come_back_in_article_order(session, clock):
    ids = [published(session, clock, title=f"路灯报修 {n}", answer="路灯不亮请报修。").id for n in range(3)]
    hits = search(session, "路灯", Filters.for_agents(TODAY), limit=2)
    assert [h.article.id for h in hits] == ids[:2]
    assert hits[0].score == hits[1].score


def test_a_query_with_nothing_searchable_finds_nothing(session, clock):
    published(session, clock, title="路灯报修", answer="路灯不亮请报修。")
    assert titles(session, "？！。，") == []
    assert titles(session, "完全无关的火星文字") == []


def test_common_terms_kept_dense_rank_exactly_as_their_postings_do(session, clock, monkeypatch):
    import knowledge_base.search as kb_search
    import knowledge_base.segment as kb_segment

    for n, text in enumerate(["小区垃圾清运", "小区停车收费", "小区噪音扰民", "道路积水", "小区垃圾分类"]):
        published(session, clock, title=f"问题{n}", answer=f"{text}，请向有关部门反映。")
    sparse = [(h.article.id, h.score) for h in search(session, "小区垃圾", Filters.for_agents(TODAY))]
    monkeypatch.setattr(kb_segment, "DENSE_MIN", 0)
    kb_search.forget_indexes()
    assert kb_search.load_index(session).base.dense.shape[0] > 0
    dense = [(h.article.id, h.score) for h in search(session, "小区垃圾", Filters.for_agents(TODAY))]
    assert dense == sparse and len(dense) == 4


# Issue 13: suggestions followed the filler words of a question (请问, 什么, 材料 …), not its subject.
def test_the_subject_of_a_question_outweighs_its_filler_words(session, clock):
    published(session, clock, title="居住证办理需要什么材料？", question="请问办理居住证需要什么材料？",
              answer="需要身份证、居住证明和近期照片。")
    published(session, clock, title="护照申请", answer="申请护照请携带身份证到出入境管理部门。")
    assert titles(session, "请问办护照需要什么材料")[0] == "护照申请"
    assert titles(session, "你好，我想问一下怎么申请护照")[0] == "护照申请"


def test_a_shared_filler_word_alone_makes_no_match(session, clock):
    published(session, clock, title="燃气费怎么交", answer="可在燃气公司营业厅或网上缴纳燃气费。")
    published(session, clock, title="路灯不亮报修", answer="路灯故障请报市政部门维修。")
    assert titles(session, "路灯坏了怎么办") == ["路灯不亮报修"]


def test_filler_words_are_not_marked_in_the_snippet(session, clock):
    published(session, clock, title="护照申请", answer="申请护照需要什么材料：身份证和照片。")
    hit = search(session, "请问申请护照需要什么材料", Filters.for_agents(TODAY))[0]
    marked = re.findall(r"<mark>(.*?)</mark>", hit.snippet)
    assert any("护照" in m for m in marked) and not any("什么" in m or "材料" in m for m in marked), hit.snippet
