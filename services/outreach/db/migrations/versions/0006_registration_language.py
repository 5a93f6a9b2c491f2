"""registration language: the language a party is told in (its confirmation, promotion, reminder); the
registrations made before are told in English

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("registrations") as batch:
        batch.add_column(sa.Column("language", sa.String(35), nullable=False, server_default="en"))


def downgrade() -> None:
    with op.batch_alter_table("registrations") as batch:
        batch.drop_column("language")
