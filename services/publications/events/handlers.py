"""What publications consumes, all from `partnerships.events`: the snapshots that keep its copies of the partner
institutions, the agreements and their research projects, so authors' affiliations, `agreement_ids` and
`project_ids` are checked without calling partnerships. Every event type under each contract class below
(`shared/contracts/partnerships.py`), e.g. `partnerships.project.started`."""

from services.publications.db.models import known_agreements, known_partners, known_projects
from shared.contracts.partnerships import AgreementSnapshot, PartnerSnapshot, ProjectSnapshot
from shared.events.consumer import EventHandlers

handlers = EventHandlers()
handlers.on(PartnerSnapshot)(known_partners.apply)
handlers.on(AgreementSnapshot)(known_agreements.apply)
handlers.on(ProjectSnapshot)(known_projects.apply)
