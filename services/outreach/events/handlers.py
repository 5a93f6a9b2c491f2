"""What outreach reacts to: copies of the partner institutions, the agreements and the works, kept from their
services' events so `partner_ids`, `agreement_ids` and `work_ids` are checked without calling anyone.

    partnerships.partner.registered, .updated                              -> known_partners
    partnerships.agreement.drafted, .updated, .submitted, .signed,
        .activated, .renewed, .terminated, .expired                        -> known_agreements
    publications.work.drafted, .updated, .published, .retracted            -> known_works

The handlers themselves are the read models' (`shared/readmodels/`), shared with the other services that keep
the same copies."""

from services.outreach.db.models import known_agreements, known_partners, known_works
from shared.events.consumer import EventHandlers

handlers = EventHandlers()
handlers.include(known_partners.handlers)
handlers.include(known_agreements.handlers)
handlers.include(known_works.handlers)
