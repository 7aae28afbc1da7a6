"""worklists: timers on waiting states, the repeat link, what departments have read

Revision ID: wl_0001
Revises: 0001_foundation
"""
import sqlalchemy as sa
from alembic import op

import workorders.models.base

revision = 'wl_0001'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None

UTC = workorders.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wait_due_at', UTC, nullable=True))
        batch_op.add_column(sa.Column('wait_yellow_at', UTC, nullable=True))
        batch_op.add_column(sa.Column('wait_urged_at', UTC, nullable=True))
        batch_op.add_column(sa.Column('repeat_of_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_work_orders_repeat_of_id_work_orders'), 'work_orders',
                                    ['repeat_of_id'], ['id'])
    op.create_table('order_reads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('seen_seq', sa.Integer(), nullable=False),
    sa.Column('seen_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_order_reads_department_id_departments')),
    sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'], name=op.f('fk_order_reads_order_id_work_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_reads')),
    sa.UniqueConstraint('order_id', 'department_id', name=op.f('uq_order_reads_order_id'))
    )
    with op.batch_alter_table('order_reads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_reads_order_id'), ['order_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('order_reads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_reads_order_id'))
    op.drop_table('order_reads')
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_work_orders_repeat_of_id_work_orders'), type_='foreignkey')
        batch_op.drop_column('repeat_of_id')
        batch_op.drop_column('wait_urged_at')
        batch_op.drop_column('wait_yellow_at')
        batch_op.drop_column('wait_due_at')
