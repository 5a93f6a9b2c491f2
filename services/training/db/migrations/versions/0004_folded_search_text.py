"""folded search text: the programs' search copy of titles and topics is folded (no accents, case-folded), so a
search finds them however the accents are written (shared/db/search.py); the rows written before are folded again

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 03:30:00.000000
"""
from alembic import op
import sqlalchemy as sa

from shared.db.search import fold

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    programs = sa.table("programs", sa.column("id", sa.Uuid), sa.column("title", sa.JSON),
                        sa.column("topics", sa.JSON), sa.column("search_text", sa.Text))
    for row in conn.execute(sa.select(programs.c.id, programs.c.title, programs.c.topics)).all():
        key = fold(*row.title.values(), *row.topics)
        conn.execute(programs.update().where(programs.c.id == row.id).values(search_text=key))


def downgrade() -> None:
    pass  # a folded search text finds everything the lower-cased one did
