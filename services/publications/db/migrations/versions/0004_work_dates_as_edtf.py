"""work dates as EDTF: ranges and qualified dates (`1984/1986`, `2019~`) need more than ten characters

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 04:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('works', schema=None) as batch_op:
        batch_op.alter_column('date', existing_type=sa.String(length=10), type_=sa.String(length=30),
                              existing_nullable=False)


def downgrade() -> None:
    # A range does not fit in ten characters: it keeps its start, as the year it counts in does.
    op.execute("UPDATE works SET date = substr(date, 1, 10) WHERE length(date) > 10")
    op.execute("UPDATE works SET date = substr(date, 1, 4) WHERE date LIKE '%/%' OR date LIKE '%~' "
               "OR date LIKE '%?' OR date LIKE '%\\%%' ESCAPE '\\'")
    with op.batch_alter_table('works', schema=None) as batch_op:
        batch_op.alter_column('date', existing_type=sa.String(length=30), type_=sa.String(length=10),
                              existing_nullable=False)
