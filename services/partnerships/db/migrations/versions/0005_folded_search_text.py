"""folded search text: the search copies of names, titles and codes are folded (no accents, case-folded), so a
search finds Zürich by `zurich` (shared/db/search.py); the rows written before are folded again here

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 03:30:00.000000
"""
from alembic import op
import sqlalchemy as sa

from shared.db.search import fold

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_SOURCES = {  # table: the columns its search text is made of, in order (JSON columns hold {language: text})
    "partners": ("name",),
    "agreements": ("code", "title"),
    "pandas": ("studbook_number", "name"),
}


def _texts(value):
    return list(value.values()) if isinstance(value, dict) else [value]


def upgrade() -> None:
    conn = op.get_bind()
    for name, sources in _SOURCES.items():
        table = sa.table(name, sa.column("id", sa.Uuid), sa.column("search_text", sa.Text),
                         *(sa.column(c, sa.JSON if c in ("name", "title") else sa.Text) for c in sources))
        for row in conn.execute(sa.select(table.c.id, *(table.c[c] for c in sources))).all():
            key = fold(*(t for c in sources for t in _texts(getattr(row, c))))
            conn.execute(table.update().where(table.c.id == row.id).values(search_text=key))


def downgrade() -> None:
    pass  # a folded search text finds everything the lower-cased one did
