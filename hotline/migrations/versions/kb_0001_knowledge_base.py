"""knowledge base: articles, versions, uses, search log, synonyms, search index

Revision ID: kb_0001
Revises: 0001_foundation
Create Date: 2026-11-22 04:00:00
"""
import sqlalchemy as sa
from alembic import op

import workorders.models.base

revision = "kb_0001"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

UTC = workorders.models.base.UTCDateTime(timezone=True)

# Words callers and articles use for the same thing; supervisors add more through the API.
DEFAULT_SYNONYMS = [
    "医保 医疗保险 基本医疗保险",
    "社保 社会保险",
    "养老保险 养老金 退休金",
    "公积金 住房公积金",
    "失业保险 失业金 失业保险金",
    "计生 计划生育",
    "二胎 二孩",
    "户口 户籍",
    "落户 入户 上户口",
    "身份证 居民身份证",
    "新农合 农村合作医疗",
    "低保 最低生活保障",
    "公租房 公共租赁住房",
    "廉租房 廉租住房",
    "拆迁 房屋征收",
    "业委会 业主委员会",
    "噪音 噪声",
    "停水 断水",
    "停电 断电",
    "燃气 天然气 煤气",
    "自来水 供水",
    "出租车 的士 出租汽车",
    "公交 公交车 公共汽车",
    "地铁 轨道交通",
    "驾照 驾驶证",
    "违建 违章建筑 违法建设",
    "欠薪 拖欠工资",
    "工资 薪酬 薪资",
    "营业执照 工商执照",
    "城管 城市管理",
    "环保 生态环境",
    "幼儿园 幼稚园",
    "小升初 初中招生",
    "网约车 网络预约出租汽车",
    "电动车 电动自行车",
    "充电桩 充电设施",
    "垃圾分类 生活垃圾分类",
    "厨余垃圾 湿垃圾",
    "其他垃圾 干垃圾",
    "物业费 物业服务费",
]


def upgrade() -> None:
    op.create_table(
        "kb_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("keywords", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("usage_count", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("published_at", UTC, nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("source_order_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"], name=op.f("fk_kb_articles_category_id_categories")),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"], name=op.f("fk_kb_articles_department_id_departments")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_kb_articles_created_by_id_users")),
        sa.ForeignKeyConstraint(["source_order_id"], ["work_orders.id"], name=op.f("fk_kb_articles_source_order_id_work_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_articles")),
    )
    op.create_index(op.f("ix_kb_articles_category_id"), "kb_articles", ["category_id"])
    op.create_index(op.f("ix_kb_articles_department_id"), "kb_articles", ["department_id"])
    op.create_index(op.f("ix_kb_articles_status"), "kb_articles", ["status"])

    op.create_table(
        "kb_article_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("keywords", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.Column("editor_name", sa.String(length=120), nullable=False),
        sa.Column("editor_role", sa.String(length=20), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["kb_articles.id"], name=op.f("fk_kb_article_versions_article_id_kb_articles")),
        sa.ForeignKeyConstraint(["editor_id"], ["users.id"], name=op.f("fk_kb_article_versions_editor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_article_versions")),
        sa.UniqueConstraint("article_id", "version", name=op.f("uq_kb_article_versions_article_id")),
    )
    op.create_index(op.f("ix_kb_article_versions_article_id"), "kb_article_versions", ["article_id"])

    op.create_table(
        "kb_article_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["kb_articles.id"], name=op.f("fk_kb_article_uses_article_id_kb_articles")),
        sa.ForeignKeyConstraint(["order_id"], ["work_orders.id"], name=op.f("fk_kb_article_uses_order_id_work_orders")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_kb_article_uses_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_article_uses")),
    )
    op.create_index(op.f("ix_kb_article_uses_article_id"), "kb_article_uses", ["article_id"])
    op.create_index(op.f("ix_kb_article_uses_at"), "kb_article_uses", ["at"])

    op.create_table(
        "kb_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("query", sa.String(length=500), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("result_count", sa.Integer(), nullable=False),
        sa.Column("article_ids", sa.JSON(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("clicked_article_id", sa.Integer(), nullable=True),
        sa.Column("clicked_at", UTC, nullable=True),
        sa.Column("used_article_id", sa.Integer(), nullable=True),
        sa.Column("used_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_kb_searches_user_id_users")),
        sa.ForeignKeyConstraint(["order_id"], ["work_orders.id"], name=op.f("fk_kb_searches_order_id_work_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_searches")),
    )
    op.create_index(op.f("ix_kb_searches_at"), "kb_searches", ["at"])
    op.create_index(op.f("ix_kb_searches_order_id"), "kb_searches", ["order_id"])
    op.create_index("ix_kb_searches_user_at", "kb_searches", ["user_id", "at"])

    synonyms = op.create_table(
        "kb_synonym_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("terms", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_synonym_groups")),
    )
    op.bulk_insert(synonyms, [{"terms": terms} for terms in DEFAULT_SYNONYMS])

    op.create_table(
        "kb_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_terms")),
        sa.UniqueConstraint("text", name=op.f("uq_kb_terms_text")),
    )
    op.create_table(
        "kb_index_documents",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("term_ids", sa.LargeBinary(), nullable=False),
        sa.Column("freqs", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["kb_articles.id"], name=op.f("fk_kb_index_documents_article_id_kb_articles")),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_kb_index_documents")),
    )
    op.create_table(
        "kb_index_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_index_changes")),
    )


def downgrade() -> None:
    for table in ("kb_index_changes", "kb_index_documents", "kb_terms", "kb_synonym_groups", "kb_searches",
                  "kb_article_uses", "kb_article_versions", "kb_articles"):
        op.drop_table(table)
