"""defects (issue 13): departments' short names (城管局), which the dispatch picker accepts

Revision ID: def_0001
Revises: 0001_foundation
"""
import sqlalchemy as sa
from alembic import op

revision = 'def_0001'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('short_name', sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_departments_short_name'), ['short_name'])


def downgrade() -> None:
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_departments_short_name'), type_='unique')
        batch_op.drop_column('short_name')
