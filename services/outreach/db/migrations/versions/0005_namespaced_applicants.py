"""namespaced applicants: who applied is kept as `key:<API key id>` or `jwt:<sub>`, as callers now are

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 16:20:00.000000
"""
from shared.db.migrations import namespace_subjects

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    namespace_subjects("registrations", "applicant")


def downgrade() -> None:
    pass  # the prefixes tell apart what the bare values could not
