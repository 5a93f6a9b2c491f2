"""folded city: the city the `city` filter compares is folded (no accents, case-folded), so `zurich` finds
Zürich (shared/db/search.py); the rows written before are folded again here

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
    events = sa.table("outreach_events", sa.column("id", sa.Uuid), sa.column("venue", sa.JSON),
                      sa.column("city", sa.String))
    for row in conn.execute(sa.select(events.c.id, events.c.venue).where(events.c.city.is_not(None))).all():
        city = (row.venue or {}).get("city")
        conn.execute(events.update().where(events.c.id == row.id).values(city=fold(city)[:200] if city else None))


def downgrade() -> None:
    pass  # a folded city matches every filter the lower-cased one did
