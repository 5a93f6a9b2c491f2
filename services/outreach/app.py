"""The outreach service: science-popularization events and registrations (the capability comes next; today
it keeps its copy of the partner institutions)."""

from services.outreach.api import partners
from services.outreach.db.models import messaging
from services.outreach.events.handlers import handlers
from services.outreach.settings import OutreachSettings
from shared.service import create_service_app

settings = OutreachSettings()
app = create_service_app(settings, title="Outreach", tables=messaging, routers=[partners.router], handlers=handlers)
