from services.notifications.db.models import metadata
from services.notifications.settings import NotificationsSettings
from shared.db.migrations import run_migrations

run_migrations(metadata, NotificationsSettings)
