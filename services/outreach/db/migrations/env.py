from services.outreach.db.models import metadata
from services.outreach.settings import OutreachSettings
from shared.db.migrations import run_migrations

run_migrations(metadata, OutreachSettings)
