"""The partnerships service: partner institutions, agreements and their cooperation plans, pandas and loans,
the impact ledger of what each cooperation produced, and the partners' webhooks."""

from services.partnerships.api import (
    agreements,
    exchange,
    genetics,
    impact,
    loans,
    pandas,
    partners,
    projects,
    stats,
    webhooks,
)
from services.partnerships.db.models import messaging
from services.partnerships.events.handlers import handlers
from services.partnerships.jobs.expiry import expire_agreements
from services.partnerships.jobs.webhooks import deliver_webhooks, forget_old_deliveries
from services.partnerships.settings import PartnershipsSettings
from shared.service import create_service_app

# The API description's tags, one per group of routes: what each is about.
TAGS = {
    "partners": "The partner institutions: zoos, universities, agencies and others the base cooperates with.",
    "agreements": "Cooperation agreements (panda loans, research and training cooperation) from draft to signed, in "
                  "force, renewed, expired or terminated.",
    "projects": "The research projects carried out under an agreement.",
    "pandas": "The studbook: each giant panda, its parents and where it lives.",
    "genetics": "The studbook's population genetics: inbreeding, mean kinship, gene diversity, founder equivalents, "
                "and what a pairing would do to them.",
    "loans": "Pandas sent abroad under a loan agreement, and their return.",
    "impact": "What the cooperation produced per partner and per agreement: trainees, certificates, events, works.",
    "partnerships stats": "Counts of partners, agreements, pandas and loans.",
    "webhooks": "A partner's subscriptions to events (Standard Webhooks), their secrets, and the deliveries made.",
}

settings = PartnershipsSettings()
app = create_service_app(
    settings,
    title="Partnerships",
    tables=messaging,
    routers=[partners.router, agreements.router, projects.router, pandas.router, genetics.router, exchange.router,
             loans.router, impact.router, stats.router, webhooks.router],
    handlers=handlers,
    jobs=[expire_agreements, deliver_webhooks, forget_old_deliveries],
    tags=TAGS,
)
