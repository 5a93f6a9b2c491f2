from services.partnerships.db.models import metadata
from services.partnerships.settings import PartnershipsSettings
from shared.db.migrations import run_migrations

run_migrations(metadata, PartnershipsSettings)
