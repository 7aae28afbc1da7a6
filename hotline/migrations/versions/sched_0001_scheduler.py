"""scheduler: lease, job run history, job marks; callback call time and provisional index on orders

Revision ID: sched_0001
Revises: 0001_foundation
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

import workorders.models.base

revision = 'sched_0001'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None

UTC = workorders.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    lease = op.create_table('scheduler_leases',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=True),
    sa.Column('acquired_at', UTC, nullable=True),
    sa.Column('renewed_at', UTC, nullable=True),
    sa.Column('expires_at', UTC, nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_leases'))
    )
    op.bulk_insert(lease, [{'name': 'scheduler', 'owner': None,
                            'expires_at': datetime(1970, 1, 1, tzinfo=timezone.utc)}])
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('as_of', UTC, nullable=False),
    sa.Column('started_at', UTC, nullable=False),
    sa.Column('finished_at', UTC, nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs'))
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index('ix_job_runs_job_started_at', ['job', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_runs_started_at'), ['started_at'], unique=False)

    op.create_table('job_marks',
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('job', name=op.f('pk_job_marks'))
    )
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('callback_call_at', UTC, nullable=True))
        batch_op.create_index('ix_work_orders_provisional', ['provisional'], unique=False,
                              postgresql_where=sa.text('provisional IS true'),
                              sqlite_where=sa.text('provisional IS 1'))


def downgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_work_orders_provisional')
        batch_op.drop_column('callback_call_at')
    op.drop_table('job_marks')
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_runs_started_at'))
        batch_op.drop_index('ix_job_runs_job_started_at')
    op.drop_table('job_runs')
    op.drop_table('scheduler_leases')
