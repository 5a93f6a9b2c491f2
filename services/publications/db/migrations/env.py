from services.publications.db.models import metadata
from services.publications.settings import PublicationsSettings
from shared.db.migrations import run_migrations

run_migrations(metadata, PublicationsSettings)
