"""suggestions: learned model versions, imported history, what was suggested, the training claim

Revision ID: sug_0001
Revises: 0001_foundation
"""
import sqlalchemy as sa
from alembic import op

import workorders.models.base

revision = "sug_0001"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

UTC = workorders.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "suggest_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trained_at", UTC, nullable=False),
        sa.Column("trained_by", sa.String(length=120), nullable=False),
        sa.Column("examples", sa.Integer(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("train_seconds", sa.Float(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggest_models")),
    )
    op.create_table(
        "suggest_examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=True),
        sa.Column("imported_at", UTC, nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"],
                                name=op.f("fk_suggest_examples_category_id_categories")),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_suggest_examples_department_id_departments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggest_examples")),
    )
    op.create_index(op.f("ix_suggest_examples_category_id"), "suggest_examples", ["category_id"])
    op.create_table(
        "suggest_records",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("category_confidence", sa.Float(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("department_confidence", sa.Float(), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=True),
        sa.Column("chosen_category_id", sa.Integer(), nullable=True),
        sa.Column("chosen_department_id", sa.Integer(), nullable=True),
        sa.Column("at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["work_orders.id"], name=op.f("fk_suggest_records_order_id_work_orders")),
        sa.ForeignKeyConstraint(["model_id"], ["suggest_models.id"],
                                name=op.f("fk_suggest_records_model_id_suggest_models")),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"],
                                name=op.f("fk_suggest_records_category_id_categories")),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_suggest_records_department_id_departments")),
        sa.ForeignKeyConstraint(["chosen_category_id"], ["categories.id"],
                                name=op.f("fk_suggest_records_chosen_category_id_categories")),
        sa.ForeignKeyConstraint(["chosen_department_id"], ["departments.id"],
                                name=op.f("fk_suggest_records_chosen_department_id_departments")),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_suggest_records")),
    )
    op.create_index(op.f("ix_suggest_records_model_id"), "suggest_records", ["model_id"])
    op.create_index(op.f("ix_suggest_records_at"), "suggest_records", ["at"])
    claims = op.create_table(
        "suggest_training_claims",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=True),
        sa.Column("expires_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_suggest_training_claims")),
    )
    op.bulk_insert(claims, [{"name": "suggest_training", "owner": None, "expires_at": None}])


def downgrade() -> None:
    op.drop_table("suggest_training_claims")
    op.drop_table("suggest_records")
    op.drop_table("suggest_examples")
    op.drop_table("suggest_models")
