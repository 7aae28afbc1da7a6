"""knowledge base: each article's pull, measured over past queries, for search to discount

Revision ID: kb_0002
Revises: kb_0001
"""
import sqlalchemy as sa
from alembic import op

import workorders.models.base

revision = "kb_0002"
down_revision = "kb_0001"
branch_labels = None
depends_on = None

UTC = workorders.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "kb_article_pulls",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("pull", sa.Float(), nullable=False),
        sa.Column("calibrated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["kb_articles.id"], ondelete="CASCADE",
                                name=op.f("fk_kb_article_pulls_article_id_kb_articles")),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_kb_article_pulls")),
    )


def downgrade() -> None:
    op.drop_table("kb_article_pulls")
