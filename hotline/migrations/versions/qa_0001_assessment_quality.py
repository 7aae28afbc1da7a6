"""assessment schemes and published rankings, quality inspection, stored workbooks

Revision ID: qa_0001
Revises: 0001_foundation
"""
import sqlalchemy as sa
from alembic import op

import workorders.models.base

revision = "qa_0001"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

UTC = workorders.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "qa_assessment_schemes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_assessment_schemes")),
        sa.UniqueConstraint("name", name=op.f("uq_qa_assessment_schemes_name")),
    )
    op.create_table(
        "qa_published_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("scheme_title", sa.String(length=120), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["published_by_id"], ["users.id"],
                                name=op.f("fk_qa_published_assessments_published_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_published_assessments")),
        sa.UniqueConstraint("month", name=op.f("uq_qa_published_assessments_month")),
    )
    op.create_table(
        "qa_checklist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("guidance", sa.Text(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_checklist_items")),
        sa.UniqueConstraint("code", name=op.f("uq_qa_checklist_items_code")),
    )
    op.create_table(
        "qa_inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("chosen_by_id", sa.Integer(), nullable=True),
        sa.Column("inspector_id", sa.Integer(), nullable=True),
        sa.Column("scored_at", UTC, nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("appeal", sa.Text(), nullable=True),
        sa.Column("appealed_at", UTC, nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTC, nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("final_score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["work_orders.id"], name=op.f("fk_qa_inspections_order_id_work_orders")),
        sa.ForeignKeyConstraint(["agent_id"], ["users.id"], name=op.f("fk_qa_inspections_agent_id_users")),
        sa.ForeignKeyConstraint(["chosen_by_id"], ["users.id"], name=op.f("fk_qa_inspections_chosen_by_id_users")),
        sa.ForeignKeyConstraint(["inspector_id"], ["users.id"], name=op.f("fk_qa_inspections_inspector_id_users")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_qa_inspections_decided_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_inspections")),
        sa.UniqueConstraint("order_id", name=op.f("uq_qa_inspections_order_id")),
    )
    op.create_index(op.f("ix_qa_inspections_agent_id"), "qa_inspections", ["agent_id"])
    op.create_index(op.f("ix_qa_inspections_week"), "qa_inspections", ["week"])
    op.create_table(
        "qa_inspection_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["inspection_id"], ["qa_inspections.id"],
                                name=op.f("fk_qa_inspection_marks_inspection_id_qa_inspections")),
        sa.ForeignKeyConstraint(["item_id"], ["qa_checklist_items.id"],
                                name=op.f("fk_qa_inspection_marks_item_id_qa_checklist_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_inspection_marks")),
        sa.UniqueConstraint("inspection_id", "item_id", name=op.f("uq_qa_inspection_marks_inspection_id")),
    )
    op.create_index(op.f("ix_qa_inspection_marks_inspection_id"), "qa_inspection_marks", ["inspection_id"])
    op.create_table(
        "stats_workbooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("built_at", UTC, nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_workbooks")),
        sa.UniqueConstraint("kind", "first_day", name=op.f("uq_stats_workbooks_kind")),
    )


def downgrade() -> None:
    op.drop_table("stats_workbooks")
    op.drop_index(op.f("ix_qa_inspection_marks_inspection_id"), table_name="qa_inspection_marks")
    op.drop_table("qa_inspection_marks")
    op.drop_index(op.f("ix_qa_inspections_week"), table_name="qa_inspections")
    op.drop_index(op.f("ix_qa_inspections_agent_id"), table_name="qa_inspections")
    op.drop_table("qa_inspections")
    op.drop_table("qa_checklist_items")
    op.drop_table("qa_published_assessments")
    op.drop_table("qa_assessment_schemes")
