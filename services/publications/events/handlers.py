"""What publications reacts to, all from `partnerships.events`: copies of the partner institutions
(`partnerships.partner.registered`, `.updated`), of the agreements (`partnerships.agreement.drafted`, `.updated`,
`.submitted`, `.signed`, `.activated`, `.renewed`, `.terminated`, `.expired`) and of their research projects
(`partnerships.project.planned`, `.updated`, `.started`, `.completed`, `.cancelled`), so authors' affiliations,
`agreement_ids` and `project_ids` are checked without calling partnerships. The read models in
`shared/readmodels/` apply them; the lists they subscribe with are `PARTNER_EVENTS`, `AGREEMENT_EVENTS` and
`PROJECT_EVENTS` there."""

from services.publications.db.models import known_agreements, known_partners, known_projects
from shared.events.consumer import EventHandlers

handlers = EventHandlers()
handlers.include(known_partners.handlers)
handlers.include(known_agreements.handlers)
handlers.include(known_projects.handlers)
