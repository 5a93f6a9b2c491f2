"""outreach events registrations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:40:18.945677
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
    op.create_table('known_works',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_known_works'))
    )
    op.create_table('outreach_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('description', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('kind', sa.Enum('classroom', 'hands_on_course', 'lecture', 'exhibition', 'museum_tour', 'bookstore_event', 'online_broadcast', 'school_visit', 'festival', name='eventkind', native_enum=False, length=30), nullable=False),
    sa.Column('audiences', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('languages', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('venue', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('online_url', sa.String(length=500), nullable=True),
    sa.Column('starts_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('partner_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('agreement_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('work_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.Enum('draft', 'scheduled', 'cancelled', 'completed', name='eventstatus', native_enum=False, length=20), nullable=False),
    sa.Column('confirmed_people', sa.Integer(), nullable=False),
    sa.Column('waiting_people', sa.Integer(), nullable=False),
    sa.Column('waitlist_issued', sa.Integer(), nullable=False),
    sa.Column('checked_in_people', sa.Integer(), nullable=False),
    sa.Column('walk_ins', sa.Integer(), nullable=True),
    sa.Column('attendance', sa.Integer(), nullable=True),
    sa.Column('reach', sa.Integer(), nullable=True),
    sa.Column('cancellation_reason', sa.Text(), nullable=True),
    sa.Column('city', sa.String(length=200), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('tags', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_events'))
    )
    with op.batch_alter_table('outreach_events', schema=None) as batch_op:
        batch_op.create_index('ix_outreach_events_starts_at_id', ['starts_at', 'id'], unique=False)
        batch_op.create_index('ix_outreach_events_status_starts_at_id', ['status', 'starts_at', 'id'], unique=False)

    op.create_table('registrations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('party_size', sa.Integer(), nullable=False),
    sa.Column('applicant', sa.String(length=200), nullable=True),
    sa.Column('status', sa.Enum('confirmed', 'waitlisted', 'checked_in', 'cancelled', name='registrationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('waitlist_ticket', sa.Integer(), nullable=True),
    sa.Column('check_in_code', sa.String(length=16), nullable=False),
    sa.Column('checked_in_at', shared.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['outreach_events.id'], name=op.f('fk_registrations_event_id_outreach_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations')),
    sa.UniqueConstraint('check_in_code', name=op.f('uq_registrations_check_in_code'))
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_applicant_id', ['applicant', 'id'], unique=False)
        batch_op.create_index('ix_registrations_event_id_waitlist_ticket', ['event_id', 'waitlist_ticket'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_event_id_waitlist_ticket')
        batch_op.drop_index('ix_registrations_applicant_id')

    op.drop_table('registrations')
    with op.batch_alter_table('outreach_events', schema=None) as batch_op:
        batch_op.drop_index('ix_outreach_events_status_starts_at_id')
        batch_op.drop_index('ix_outreach_events_starts_at_id')

    op.drop_table('outreach_events')
    op.drop_table('known_works')
    op.drop_table('known_agreements')
