"""enrollment language: the language a participant is told in (acceptance, reminder, certificate); the
enrollments made before are told in English

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 09:40:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enrollments") as batch:
        batch.add_column(sa.Column("language", sa.String(35), nullable=False, server_default="en"))


def downgrade() -> None:
    with op.batch_alter_table("enrollments") as batch:
        batch.drop_column("language")
