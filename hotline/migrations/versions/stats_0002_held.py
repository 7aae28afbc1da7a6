"""stats: the dispatches departments still hold, kept by the roll-up

Revision ID: stats_0002
Revises: stats_0001
"""
import sqlalchemy as sa
from alembic import op

import workorders.models.base

revision = "stats_0002"
down_revision = "stats_0001"
branch_labels = None
depends_on = None

UTC = workorders.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "stats_held",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("district", sa.String(length=80), nullable=True),
        sa.Column("dispatched_at", UTC, nullable=False),
        sa.Column("due_at", UTC, nullable=True),
        sa.Column("yellow_at", UTC, nullable=True),
        sa.Column("severe_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"],
                                name=op.f("fk_stats_held_category_id_categories")),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_stats_held_department_id_departments")),
        sa.ForeignKeyConstraint(["order_id"], ["work_orders.id"], name=op.f("fk_stats_held_order_id_work_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_held")),
    )
    op.create_index(op.f("ix_stats_held_day"), "stats_held", ["day"], unique=False)
    op.create_index(op.f("ix_stats_held_order_id"), "stats_held", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_stats_held_order_id"), table_name="stats_held")
    op.drop_index(op.f("ix_stats_held_day"), table_name="stats_held")
    op.drop_table("stats_held")
