"""relay positions: where the outbox relay got to in each topic partition

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 00:30:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('relay_positions',
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('partition', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('next_offset', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('topic', 'partition', name=op.f('pk_relay_positions'))
    )


def downgrade() -> None:
    op.drop_table('relay_positions')
