"""The training service: programs, cohorts, enrollment with fair capacity and waitlists, partner seat quotas,
completion and verifiable certificates."""

from services.training.api import certificates, cohorts, enrollments, partners, programs, stats
from services.training.db.models import messaging
from services.training.events.handlers import handlers
from services.training.settings import TrainingSettings
from shared.service import create_service_app

settings = TrainingSettings()
app = create_service_app(
    settings,
    title="Training",
    tables=messaging,
    routers=[programs.router, cohorts.router, enrollments.router, certificates.router, stats.router,
             partners.router],
    handlers=handlers,
)
