"""portal: leader mailboxes, portal submissions, rate-limit counters, public replies and their
ratings, Open311 api keys and requests

Revision ID: portal_0001
Revises: 0001_foundation
"""
import sqlalchemy as sa
from alembic import op

import workorders.models.base

revision = "portal_0001"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

UTC = workorders.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "portal_mailboxes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_portal_mailboxes_department_id_departments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_mailboxes")),
        sa.UniqueConstraint("code", name=op.f("uq_portal_mailboxes_code")),
    )
    op.create_table(
        "portal_submissions",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("mailbox_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["mailbox_id"], ["portal_mailboxes.id"],
                                name=op.f("fk_portal_submissions_mailbox_id_portal_mailboxes")),
        sa.ForeignKeyConstraint(["order_id"], ["work_orders.id"],
                                name=op.f("fk_portal_submissions_order_id_work_orders")),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_portal_submissions")),
    )
    op.create_index(op.f("ix_portal_submissions_mailbox_id"), "portal_submissions", ["mailbox_id"])
    op.create_table(
        "citizen_rate_counters",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("window_started_at", UTC, nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_citizen_rate_counters")),
    )
    op.create_index(op.f("ix_citizen_rate_counters_window_started_at"), "citizen_rate_counters",
                    ["window_started_at"])
    op.create_table(
        "public_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("public_content", sa.Text(), nullable=False),
        sa.Column("public_reply", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTC, nullable=False),
        sa.Column("note", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_public_replies_decided_by_id_users")),
        sa.ForeignKeyConstraint(["order_id"], ["work_orders.id"], name=op.f("fk_public_replies_order_id_work_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_replies")),
        sa.UniqueConstraint("order_id", name=op.f("uq_public_replies_order_id")),
    )
    op.create_index(op.f("ix_public_replies_decided_at"), "public_replies", ["decided_at"])
    op.create_table(
        "public_reply_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("rated_at", UTC, nullable=False),
        sa.Column("reviewed_at", UTC, nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("review_note", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["work_orders.id"],
                                name=op.f("fk_public_reply_ratings_order_id_work_orders")),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["users.id"],
                                name=op.f("fk_public_reply_ratings_reviewed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_reply_ratings")),
        sa.UniqueConstraint("order_id", name=op.f("uq_public_reply_ratings_order_id")),
    )
    op.create_index(op.f("ix_public_reply_ratings_reviewed_at"), "public_reply_ratings", ["reviewed_at"])
    op.create_table(
        "open311_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("last_used_at", UTC, nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_open311_keys_key_hash")),
    )
    op.create_table(
        "open311_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("service_code", sa.String(length=80), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("long", sa.Float(), nullable=True),
        sa.Column("address_id", sa.String(length=80), nullable=True),
        sa.Column("media_url", sa.String(length=500), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["key_id"], ["open311_keys.id"], name=op.f("fk_open311_requests_key_id_open311_keys")),
        sa.ForeignKeyConstraint(["order_id"], ["work_orders.id"],
                                name=op.f("fk_open311_requests_order_id_work_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_requests")),
        sa.UniqueConstraint("order_id", name=op.f("uq_open311_requests_order_id")),
        sa.UniqueConstraint("token", name=op.f("uq_open311_requests_token")),
    )
    op.create_index(op.f("ix_open311_requests_key_id"), "open311_requests", ["key_id"])


def downgrade() -> None:
    op.drop_table("open311_requests")
    op.drop_table("open311_keys")
    op.drop_table("public_reply_ratings")
    op.drop_table("public_replies")
    op.drop_table("citizen_rate_counters")
    op.drop_table("portal_submissions")
    op.drop_table("portal_mailboxes")
