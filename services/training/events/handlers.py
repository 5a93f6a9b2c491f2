"""What training consumes: the snapshots that keep its copies of the partner institutions and of the agreements
(a training cooperation's `training_seats_per_year` is a partner's quota of reserved seats). Every event type under
each contract class below (`shared/contracts/partnerships.py`), e.g. `partnerships.agreement.signed`."""

from services.training.db.models import known_agreements, known_partners
from shared.contracts.partnerships import AgreementSnapshot, PartnerSnapshot
from shared.events.consumer import EventHandlers

handlers = EventHandlers()
handlers.on(PartnerSnapshot)(known_partners.apply)
handlers.on(AgreementSnapshot)(known_agreements.apply)
