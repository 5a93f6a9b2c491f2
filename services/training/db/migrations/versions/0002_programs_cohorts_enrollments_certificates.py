"""programs cohorts enrollments certificates

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:37:00.976302
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
    op.create_table('known_agreements',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('partner_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('training_seats_per_year', sa.Integer(), nullable=True),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_until', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_known_agreements'))
    )
    op.create_table('partner_seat_usage',
    sa.Column('agreement_id', sa.Uuid(), nullable=False),
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('used', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('agreement_id', 'partner_id', 'year', name=op.f('pk_partner_seat_usage'))
    )
    op.create_table('programs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('description', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('topics', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('format', sa.Enum('onsite', 'online', 'hybrid', name='programformat', native_enum=False, length=20), nullable=False),
    sa.Column('languages', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'archived', name='programstatus', native_enum=False, length=20), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('tags', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programs'))
    )
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.create_index('ix_programs_status_id', ['status', 'id'], unique=False)

    op.create_table('cohorts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('program_id', sa.Uuid(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('location', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('online_url', sa.String(length=500), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('reserved_seats', sa.Integer(), nullable=False),
    sa.Column('enrollment_opens_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('enrollment_closes_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('general_taken', sa.Integer(), nullable=False),
    sa.Column('reserved_taken', sa.Integer(), nullable=False),
    sa.Column('waitlist_length', sa.Integer(), nullable=False),
    sa.Column('waitlist_issued', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_cohorts_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohorts'))
    )
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.create_index('ix_cohorts_program_id_id', ['program_id', 'id'], unique=False)

    op.create_table('enrollments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('cohort_id', sa.Uuid(), nullable=False),
    sa.Column('program_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('partner_id', sa.Uuid(), nullable=True),
    sa.Column('applicant', sa.String(length=200), nullable=True),
    sa.Column('status', sa.Enum('accepted', 'waitlisted', 'withdrawn', 'rejected', 'attended', 'completed', 'no_show', name='enrollmentstatus', native_enum=False, length=20), nullable=False),
    sa.Column('seat', sa.Enum('general', 'reserved', name='seat', native_enum=False, length=20), nullable=True),
    sa.Column('agreement_id', sa.Uuid(), nullable=True),
    sa.Column('waitlist_ticket', sa.Integer(), nullable=True),
    sa.Column('certificate_code', sa.String(length=40), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_enrollments_cohort_id_cohorts')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_enrollments_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollments')),
    sa.UniqueConstraint('certificate_code', name=op.f('uq_enrollments_certificate_code')),
    sa.UniqueConstraint('cohort_id', 'email', name='uq_enrollments_cohort_id_email')
    )
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.create_index('ix_enrollments_applicant_id', ['applicant', 'id'], unique=False)
        batch_op.create_index('ix_enrollments_cohort_id_waitlist_ticket', ['cohort_id', 'waitlist_ticket'], unique=False)
        batch_op.create_index('ix_enrollments_partner_id_id', ['partner_id', 'id'], unique=False)

    op.create_table('certificates',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('enrollment_id', sa.Uuid(), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('program_id', sa.Uuid(), nullable=False),
    sa.Column('program_title', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('cohort_id', sa.Uuid(), nullable=False),
    sa.Column('cohort_starts_on', sa.Date(), nullable=False),
    sa.Column('cohort_ends_on', sa.Date(), nullable=False),
    sa.Column('partner_id', sa.Uuid(), nullable=True),
    sa.Column('agreement_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('issued_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_certificates_enrollment_id_enrollments')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_certificates')),
    sa.UniqueConstraint('enrollment_id', name=op.f('uq_certificates_enrollment_id'))
    )


def downgrade() -> None:
    op.drop_table('certificates')
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.drop_index('ix_enrollments_partner_id_id')
        batch_op.drop_index('ix_enrollments_cohort_id_waitlist_ticket')
        batch_op.drop_index('ix_enrollments_applicant_id')

    op.drop_table('enrollments')
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.drop_index('ix_cohorts_program_id_id')

    op.drop_table('cohorts')
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_index('ix_programs_status_id')

    op.drop_table('programs')
    op.drop_table('partner_seat_usage')
    op.drop_table('known_agreements')
