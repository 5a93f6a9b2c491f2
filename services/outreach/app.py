"""The outreach service: science-popularization events that people find, book and attend, their registrations
with fair people-capacity and waitlists, check-in at the door, and calendars."""

from services.outreach.api import calendars, events, partners, registrations, stats
from services.outreach.db.models import messaging
from services.outreach.events.handlers import handlers
from services.outreach.settings import OutreachSettings
from shared.service import create_service_app

settings = OutreachSettings()
app = create_service_app(
    settings,
    title="Outreach",
    tables=messaging,
    routers=[events.router, calendars.router, registrations.router, stats.router, partners.router],
    handlers=handlers,
)
