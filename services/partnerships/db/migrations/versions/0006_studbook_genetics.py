"""studbook genetics: estimated birth dates, deaths, the managed population, unknown/wild/multiple parents, and
the studbook's published figures

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 21:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import shared.db.types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')
_ORIGIN = sa.Enum('known', 'unknown', 'wild', 'multiple', name='parentorigin', native_enum=False, length=10)


def upgrade() -> None:
    op.add_column('pandas', sa.Column('birth_date_estimated', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.add_column('pandas', sa.Column('death_date', sa.Date(), nullable=True))
    op.add_column('pandas', sa.Column('managed', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column('pandas', sa.Column('dam_origin', _ORIGIN, server_default='unknown', nullable=False))
    op.add_column('pandas', sa.Column('sire_origin', _ORIGIN, server_default='unknown', nullable=False))
    op.add_column('pandas', sa.Column('possible_sires', _JSON, nullable=True))
    # A parent named before this revision was known; one left out was unknown (the server default).
    op.execute("UPDATE pandas SET dam_origin = 'known' WHERE dam_id IS NOT NULL")
    op.execute("UPDATE pandas SET sire_origin = 'known' WHERE sire_id IS NOT NULL")
    op.create_table('studbook_genetics',
    sa.Column('id', sa.SmallInteger(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('figures', _JSON, nullable=False),
    sa.Column('updated_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_studbook_genetics'))
    )


def downgrade() -> None:
    op.drop_table('studbook_genetics')
    with op.batch_alter_table('pandas') as batch:
        for column in ('possible_sires', 'sire_origin', 'dam_origin', 'managed', 'death_date',
                       'birth_date_estimated'):
            batch.drop_column(column)
