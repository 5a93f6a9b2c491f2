"""The training service: programs, cohorts, enrollment and certificates (the capability comes next; today it
keeps its copy of the partner institutions)."""

from services.training.api import partners
from services.training.db.models import messaging
from services.training.events.handlers import handlers
from services.training.settings import TrainingSettings
from shared.service import create_service_app

settings = TrainingSettings()
app = create_service_app(settings, title="Training", tables=messaging, routers=[partners.router], handlers=handlers)
