"""The outreach service: science-popularization events that people find, book and attend, their registrations
with fair people-capacity and waitlists, check-in at the door, and calendars."""

from services.outreach.api import calendars, events, partners, registrations, stats
from services.outreach.db.models import messaging
from services.outreach.events.handlers import handlers
from services.outreach.settings import OutreachSettings
from shared.service import create_service_app

# The API description's tags, one per group of routes: what each is about.
TAGS = {
    "events": "Science-popularization classes, courses, exhibitions and bookstore events, and their calendar feeds.",
    "registrations": "Registrations of a person or a party to an event: confirmed while places last, else waitlisted; "
                     "check-in by code.",
    "outreach stats": "Events and attendance by month, kind and country.",
    "outreach: partners (local copy)": "The partner institutions as the outreach service knows them from the "
                                       "partnerships events.",
}

settings = OutreachSettings()
app = create_service_app(
    settings,
    title="Outreach",
    tables=messaging,
    routers=[events.router, calendars.router, registrations.router, stats.router, partners.router],
    handlers=handlers,
    tags=TAGS,
)
