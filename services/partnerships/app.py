"""The partnerships service: partner institutions, agreements and their cooperation plans, pandas and loans,
the impact ledger of what each cooperation produced, and the partners' webhooks."""

from services.partnerships.api import agreements, impact, loans, pandas, partners, projects, stats, webhooks
from services.partnerships.db.models import messaging
from services.partnerships.events.handlers import handlers
from services.partnerships.jobs.expiry import expire_agreements
from services.partnerships.jobs.webhooks import deliver_webhooks, forget_old_deliveries
from services.partnerships.settings import PartnershipsSettings
from shared.service import create_service_app

settings = PartnershipsSettings()
app = create_service_app(
    settings,
    title="Partnerships",
    tables=messaging,
    routers=[partners.router, agreements.router, projects.router, pandas.router, loans.router, impact.router,
             stats.router, webhooks.router],
    handlers=handlers,
    jobs=[expire_agreements, deliver_webhooks, forget_old_deliveries],
)
