"""agreements, projects, pandas, loans and the impact ledger

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:12:48.328276
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text
import shared.db.types
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agreements',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('kind', sa.Enum('panda_loan', 'research_cooperation', 'training_cooperation', 'framework', 'cultural_exchange', name='agreementkind', native_enum=False, length=40), nullable=False),
    sa.Column('state', sa.Enum('draft', 'negotiating', 'signed', 'active', 'expired', 'terminated', name='agreementstate', native_enum=False, length=20), nullable=False),
    sa.Column('partner_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_until', sa.Date(), nullable=False),
    sa.Column('training_seats_per_year', sa.Integer(), nullable=True),
    sa.Column('key_projects', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('cub_return_age_years', sa.Integer(), nullable=True),
    sa.Column('termination_reason', sa.Text(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
    sa.UniqueConstraint('code', name=op.f('uq_agreements_code'))
    )
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index('ix_agreements_kind_id', ['kind', 'id'], unique=False)
        batch_op.create_index('ix_agreements_state_effective_until', ['state', 'effective_until'], unique=False)
        batch_op.create_index('ix_agreements_state_id', ['state', 'id'], unique=False)

    op.create_table('code_sequences',
    sa.Column('series', sa.String(length=40), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('series', name=op.f('pk_code_sequences'))
    )
    op.create_table('impact_sources',
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('occurred_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_impact_sources'))
    )
    op.create_table('pandas',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('studbook_number', sa.String(length=20), nullable=False),
    sa.Column('name', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('sex', sa.String(length=10), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('birthplace', sa.String(length=200), nullable=True),
    sa.Column('dam_id', sa.Uuid(), nullable=True),
    sa.Column('sire_id', sa.Uuid(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dam_id'], ['pandas.id'], name=op.f('fk_pandas_dam_id_pandas')),
    sa.ForeignKeyConstraint(['sire_id'], ['pandas.id'], name=op.f('fk_pandas_sire_id_pandas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pandas')),
    sa.UniqueConstraint('studbook_number', name=op.f('uq_pandas_studbook_number'))
    )
    op.create_table('agreement_partners',
    sa.Column('agreement_id', sa.Uuid(), nullable=False),
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_partners_agreement_id_agreements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_agreement_partners_partner_id_partners')),
    sa.PrimaryKeyConstraint('agreement_id', 'partner_id', name=op.f('pk_agreement_partners'))
    )
    with op.batch_alter_table('agreement_partners', schema=None) as batch_op:
        batch_op.create_index('ix_agreement_partners_partner_id', ['partner_id', 'agreement_id'], unique=False)

    op.create_table('agreement_transitions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('agreement_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_transitions_agreement_id_agreements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_transitions'))
    )
    with op.batch_alter_table('agreement_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_transitions_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('impact_contributions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('scope_id', sa.Uuid(), nullable=False),
    sa.Column('figure', sa.String(length=40), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['source'], ['impact_sources.source'], name=op.f('fk_impact_contributions_source_impact_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_impact_contributions'))
    )
    with op.batch_alter_table('impact_contributions', schema=None) as batch_op:
        batch_op.create_index('ix_impact_contributions_scope', ['scope', 'scope_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_impact_contributions_source'), ['source'], unique=False)

    op.create_table('loans',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('panda_id', sa.Uuid(), nullable=False),
    sa.Column('agreement_id', sa.Uuid(), nullable=False),
    sa.Column('host_partner_id', sa.Uuid(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('planned_end_date', sa.Date(), nullable=False),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('mother_loan_id', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_loans_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['host_partner_id'], ['partners.id'], name=op.f('fk_loans_host_partner_id_partners')),
    sa.ForeignKeyConstraint(['mother_loan_id'], ['loans.id'], name=op.f('fk_loans_mother_loan_id_loans')),
    sa.ForeignKeyConstraint(['panda_id'], ['pandas.id'], name=op.f('fk_loans_panda_id_pandas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loans'))
    )
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.create_index('ix_loans_agreement_id', ['agreement_id'], unique=False)
        batch_op.create_index('ix_loans_host_partner_id', ['host_partner_id'], unique=False)
        batch_op.create_index('ix_loans_panda_id', ['panda_id'], unique=False)
        batch_op.create_index('uq_loans_one_active_per_panda', ['panda_id'], unique=True, sqlite_where=sa.text("state = 'active'"), postgresql_where=sa.text("state = 'active'"))

    op.create_table('projects',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('agreement_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('description', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('area', sa.Enum('protection', 'breeding', 'disease_treatment', 'epidemic_prevention', 'wild_population', 'habitat', 'genetics', 'education', 'other', name='researcharea', native_enum=False, length=40), nullable=False),
    sa.Column('lead_partner_id', sa.Uuid(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'active', 'completed', 'cancelled', name='projectstatus', native_enum=False, length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_projects_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['lead_partner_id'], ['partners.id'], name=op.f('fk_projects_lead_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index('ix_projects_agreement_id_id', ['agreement_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index('ix_projects_agreement_id_id')

    op.drop_table('projects')
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.drop_index('uq_loans_one_active_per_panda', sqlite_where=sa.text("state = 'active'"), postgresql_where=sa.text("state = 'active'"))
        batch_op.drop_index('ix_loans_panda_id')
        batch_op.drop_index('ix_loans_host_partner_id')
        batch_op.drop_index('ix_loans_agreement_id')

    op.drop_table('loans')
    with op.batch_alter_table('impact_contributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_impact_contributions_source'))
        batch_op.drop_index('ix_impact_contributions_scope')

    op.drop_table('impact_contributions')
    with op.batch_alter_table('agreement_transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_transitions_agreement_id'))

    op.drop_table('agreement_transitions')
    with op.batch_alter_table('agreement_partners', schema=None) as batch_op:
        batch_op.drop_index('ix_agreement_partners_partner_id')

    op.drop_table('agreement_partners')
    op.drop_table('pandas')
    op.drop_table('impact_sources')
    op.drop_table('code_sequences')
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index('ix_agreements_state_id')
        batch_op.drop_index('ix_agreements_state_effective_until')
        batch_op.drop_index('ix_agreements_kind_id')

    op.drop_table('agreements')
