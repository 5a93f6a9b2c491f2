"""The publications service: the joint research's papers and books (the capability comes next; today it
keeps its copy of the partner institutions)."""

from services.publications.api import partners
from services.publications.db.models import messaging
from services.publications.events.handlers import handlers
from services.publications.settings import PublicationsSettings
from shared.service import create_service_app

settings = PublicationsSettings()
app = create_service_app(
    settings, title="Publications", tables=messaging, routers=[partners.router], handlers=handlers
)
