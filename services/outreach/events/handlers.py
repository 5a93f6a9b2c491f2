"""What outreach consumes: the snapshots that keep its copies of the partner institutions, the agreements and
the works, so `partner_ids`, `agreement_ids` and `work_ids` are checked without calling anyone. Every event type
under each contract class below (`shared/contracts/`), e.g. `partnerships.agreement.signed`."""

from services.outreach.db.models import known_agreements, known_partners, known_works
from shared.contracts.partnerships import AgreementSnapshot, PartnerSnapshot
from shared.contracts.publications import WorkSnapshot
from shared.events.consumer import EventHandlers

handlers = EventHandlers()
handlers.on(PartnerSnapshot)(known_partners.apply)
handlers.on(AgreementSnapshot)(known_agreements.apply)
handlers.on(WorkSnapshot)(known_works.apply)
