"""What publications reacts to: copies of the partner institutions, the agreements and their projects, so
authors' affiliations, `agreement_ids` and `project_ids` are checked without calling partnerships."""

from services.publications.db.models import known_agreements, known_partners, known_projects
from shared.events.consumer import EventHandlers

handlers = EventHandlers()
handlers.include(known_partners.handlers)
handlers.include(known_agreements.handlers)
handlers.include(known_projects.handlers)
