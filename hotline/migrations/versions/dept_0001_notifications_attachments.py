"""department handling: notification outbox, in-app notices, department contacts, attachments

Revision ID: dept_0001
Revises: 0001_foundation
"""
import sqlalchemy as sa
from alembic import op

import workorders.models.base

revision = 'dept_0001'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None

UTC = workorders.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('department_contacts',
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('duty_phone', sa.String(length=32), nullable=True),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('sms_enabled', sa.Boolean(), nullable=False),
    sa.Column('email_enabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'],
                            name=op.f('fk_department_contacts_department_id_departments')),
    sa.PrimaryKeyConstraint('department_id', name=op.f('pk_department_contacts'))
    )
    op.create_table('outbound_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('event_seq', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('recipient', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', UTC, nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('reference', sa.String(length=255), nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('sent_at', UTC, nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'],
                            name=op.f('fk_outbound_messages_department_id_departments')),
    sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'], name=op.f('fk_outbound_messages_order_id_work_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_messages')),
    sa.UniqueConstraint('order_id', 'event_seq', 'department_id', 'channel',
                        name=op.f('uq_outbound_messages_order_id'))
    )
    op.create_index('ix_outbound_messages_status_next', 'outbound_messages', ['status', 'next_attempt_at'])
    op.create_index(op.f('ix_outbound_messages_order_id'), 'outbound_messages', ['order_id'])
    op.create_table('user_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('read_at', UTC, nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'], name=op.f('fk_user_notices_order_id_work_orders')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_notices_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_notices'))
    )
    op.create_index('ix_user_notices_user_read', 'user_notices', ['user_id', 'read_at'])
    op.create_index(op.f('ix_user_notices_order_id'), 'user_notices', ['order_id'])
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=255), nullable=True),
    sa.Column('thumbnail_key', sa.String(length=255), nullable=True),
    sa.Column('url', sa.String(length=1000), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploader_department_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'], name=op.f('fk_attachments_order_id_work_orders')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users')),
    sa.ForeignKeyConstraint(['uploader_department_id'], ['departments.id'],
                            name=op.f('fk_attachments_uploader_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    op.create_index(op.f('ix_attachments_order_id'), 'attachments', ['order_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_attachments_order_id'), table_name='attachments')
    op.drop_table('attachments')
    op.drop_index(op.f('ix_user_notices_order_id'), table_name='user_notices')
    op.drop_index('ix_user_notices_user_read', table_name='user_notices')
    op.drop_table('user_notices')
    op.drop_index(op.f('ix_outbound_messages_order_id'), table_name='outbound_messages')
    op.drop_index('ix_outbound_messages_status_next', table_name='outbound_messages')
    op.drop_table('outbound_messages')
    op.drop_table('department_contacts')
