"""What publications reacts to: the partners' events keep its local copy of the partner institutions."""

from services.publications.db.models import known_partners
from shared.events.consumer import EventHandlers

handlers = EventHandlers()
handlers.include(known_partners.handlers)
