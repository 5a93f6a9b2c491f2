"""What training reacts to: the partners' events keep its copy of the partner institutions, the agreements'
events its copy of the agreements (training cooperation quotas)."""

from services.training.db.models import known_agreements, known_partners
from shared.events.consumer import EventHandlers

handlers = EventHandlers()
handlers.include(known_partners.handlers)
handlers.include(known_agreements.handlers)
