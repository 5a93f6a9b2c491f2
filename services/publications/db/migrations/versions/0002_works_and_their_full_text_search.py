"""works and their full-text search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:44:51.889416
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
    op.create_table('known_projects',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('agreement_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_known_projects'))
    )
    op.create_table('works',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('type', sa.Enum('journal_article', 'book', 'book_chapter', 'conference_paper', 'report', 'popular_science_book', 'popular_article', 'thesis', 'dataset', name='worktype', native_enum=False, length=30), nullable=False),
    sa.Column('title', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('abstract', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('authors', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('venue', sa.String(length=500), nullable=True),
    sa.Column('publisher', sa.String(length=300), nullable=True),
    sa.Column('date', sa.String(length=10), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sort_date', sa.Date(), nullable=False),
    sa.Column('volume', sa.String(length=40), nullable=True),
    sa.Column('issue', sa.String(length=40), nullable=True),
    sa.Column('pages', sa.String(length=40), nullable=True),
    sa.Column('doi', sa.String(length=200), nullable=True),
    sa.Column('isbn', sa.String(length=13), nullable=True),
    sa.Column('keywords', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('research_areas', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('language', sa.String(length=35), nullable=True),
    sa.Column('open_access_url', sa.String(length=500), nullable=True),
    sa.Column('agreement_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('project_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'retracted', name='workstatus', native_enum=False, length=20), nullable=False),
    sa.Column('retraction_reason', sa.Text(), nullable=True),
    sa.Column('published_at', shared.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('tags', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_works')),
    sa.UniqueConstraint('doi', name=op.f('uq_works_doi'))
    )
    with op.batch_alter_table('works', schema=None) as batch_op:
        batch_op.create_index('ix_works_status_id', ['status', 'id'], unique=False)
        batch_op.create_index('ix_works_type_year', ['type', 'year'], unique=False)

    # The full-text index, in the database's own form (services/publications/db/search.py).
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE works ADD COLUMN search_vector tsvector')
        op.execute('CREATE INDEX ix_works_search_vector ON works USING gin (search_vector)')
    else:
        op.execute("CREATE VIRTUAL TABLE works_fts USING fts5(work_id UNINDEXED, title, keywords, authors, abstract, tokenize = 'unicode61 remove_diacritics 2')")



def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('DROP INDEX IF EXISTS ix_works_search_vector')
        op.execute('ALTER TABLE works DROP COLUMN IF EXISTS search_vector')
    else:
        op.execute('DROP TABLE IF EXISTS works_fts')
    with op.batch_alter_table('works', schema=None) as batch_op:
        batch_op.drop_index('ix_works_type_year')
        batch_op.drop_index('ix_works_status_id')

    op.drop_table('works')
    op.drop_table('known_projects')
    op.drop_table('known_agreements')
