from services.training.db.models import metadata
from services.training.settings import TrainingSettings
from shared.db.migrations import run_migrations

run_migrations(metadata, TrainingSettings)
