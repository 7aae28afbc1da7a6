"""stats: daily roll-up of the figures, severe-overdue dispatches, roll-up mark

Revision ID: stats_0001
Revises: 0001_foundation
"""
import sqlalchemy as sa
from alembic import op

import workorders.models.base

revision = "stats_0001"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

UTC = workorders.models.base.UTCDateTime(timezone=True)
MEASURES = (
    "received", "invalid", "merged", "answered", "dispatched", "returned", "replied", "replied_on_time",
    "reply_seconds", "severe_closed", "closed_unreplied", "callbacks_reached", "satisfied",
    "basically_satisfied", "dissatisfied", "resolved", "unreachable",
)


def upgrade() -> None:
    op.create_table(
        "stats_daily",
        sa.Column("dimension", sa.String(length=12), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        *[sa.Column(m, sa.BigInteger() if m == "reply_seconds" else sa.Integer(), nullable=False)
          for m in MEASURES],
        sa.PrimaryKeyConstraint("dimension", "day", "key", name=op.f("pk_stats_daily")),
    )
    op.create_table(
        "stats_severe",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("dispatched_at", UTC, nullable=False),
        sa.Column("due_at", UTC, nullable=True),
        sa.Column("severe_at", UTC, nullable=True),
        sa.Column("ended_at", UTC, nullable=False),
        sa.Column("ended_by", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_stats_severe_department_id_departments")),
        sa.ForeignKeyConstraint(["order_id"], ["work_orders.id"],
                                name=op.f("fk_stats_severe_order_id_work_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_severe")),
    )
    op.create_index(op.f("ix_stats_severe_day"), "stats_severe", ["day"], unique=False)
    op.create_index(op.f("ix_stats_severe_order_id"), "stats_severe", ["order_id"], unique=False)
    op.create_table(
        "stats_marks",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_event_id", sa.BigInteger(), nullable=False),
        sa.Column("refreshed_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_stats_marks")),
    )


def downgrade() -> None:
    op.drop_table("stats_marks")
    op.drop_index(op.f("ix_stats_severe_order_id"), table_name="stats_severe")
    op.drop_index(op.f("ix_stats_severe_day"), table_name="stats_severe")
    op.drop_table("stats_severe")
    op.drop_table("stats_daily")
