"""The training service: programs, cohorts, enrollment with fair capacity and waitlists, partner seat quotas,
completion and verifiable certificates."""

from services.training.api import certificates, cohorts, enrollments, partners, programs, stats
from services.training.db.models import messaging
from services.training.events.handlers import handlers
from services.training.settings import TrainingSettings
from shared.service import create_service_app

# The API description's tags, one per group of routes: what each is about.
TAGS = {
    "programs": "Training programs of the base, drafted and published by coordinators.",
    "cohorts": "The runs of a program: dates, capacity, seats reserved for partners, the enrollment window.",
    "enrollments": "Applications to a cohort: accepted while a seat is free, else waitlisted in order; attendance, "
                   "completion and certificates.",
    "certificates": "Public verification of a certificate by its code.",
    "training stats": "Participants and completions by year and country, seat use.",
    "training: partners (local copy)": "The partner institutions as the training service knows them from the "
                                       "partnerships events.",
}

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
