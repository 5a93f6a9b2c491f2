"""namespaced creators: the admin who issued a key is kept as `key:<API key id>` or `jwt:<sub>`

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 16:20:00.000000
"""
from shared.db.migrations import namespace_subjects

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    namespace_subjects("api_keys", "created_by")


def downgrade() -> None:
    pass  # the prefixes tell apart what the bare values could not
