"""The training service: programs, cohorts, enrollment with fair capacity and waitlists, partner seat quotas,
completion and verifiable certificates."""

from services.training.api import certificates, cohorts, enrollments, partners, programs, stats
from services.training.db.models import messaging
from services.training.events.handlers import handlers
from services.training.settings import TrainingSettings
from shared.service import create_service_app

# The API description's tags, one per group of routes, with what each is about.
TAGS = [
    {"name": "programs",
     "description": "Training programs of the base, drafted and published by coordinators."},
    {"name": "cohorts",
     "description": "The runs of a program: dates, capacity, seats reserved for partners, the enrollment window."},
    {"name": "enrollments",
     "description": "Applications to a cohort: accepted while a seat is free, else waitlisted in order; attendance, "
                    "completion and certificates."},
    {"name": "certificates",
     "description": "Public verification of a certificate by its code."},
    {"name": "training stats",
     "description": "Participants and completions by year and country, seat use."},
    {"name": "training: partners (local copy)",
     "description": "The partner institutions as the training service knows them from the partnerships events."},
]

settings = TrainingSettings()
app = create_service_app(
    settings,
    title="Training",
    tables=messaging,
    routers=[programs.router, cohorts.router, enrollments.router, certificates.router, stats.router,
             partners.router],
    handlers=handlers,
    tags=TAGS,
)
