from gateway.db.models import metadata
from gateway.settings import GatewaySettings
from shared.db.migrations import run_migrations

run_migrations(metadata, GatewaySettings)
