"""The partnerships service: partner institutions (agreements, plans, pandas and loans come next)."""

from services.partnerships.api import partners
from services.partnerships.db.models import messaging
from services.partnerships.events.handlers import handlers
from services.partnerships.settings import PartnershipsSettings
from shared.service import create_service_app

settings = PartnershipsSettings()
app = create_service_app(
    settings,
    title="Partnerships",
    tables=messaging,
    routers=[partners.router],
    handlers=handlers,
)
