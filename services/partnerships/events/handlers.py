"""What partnerships reacts to, and which use case each event goes to.

The impact ledger (`usecases/impact.py: record_impact`, the event format in `domain/impact.py`) counts

    publications.events   publications.work.published, publications.work.retracted
    training.events       training.enrollment.completed, training.certificate.issued,
                          training.certificate.revoked
    outreach.events       outreach.event.completed, outreach.event.cancelled

The studbook's genetics (`usecases/genetics.py: keep_genetics_current`) follow partnerships' own pandas and loans
events, and publish `partnerships.studbook.updated` when the population's figures change.

Registering these handlers is what makes partnerships consume those three topics. The partners' webhooks
(`usecases/webhooks.py: queue_deliveries`) take every event of those topics and of `partnerships.events`, and
queue a delivery for each subscription it concerns. Each handler runs in the consumer's transaction, beside the
inbox row of its event.
"""

from __future__ import annotations

from services.partnerships.usecases.genetics import keep_genetics_current
from services.partnerships.usecases.impact import record_impact
from services.partnerships.usecases.webhooks import queue_deliveries
from shared.contracts.outreach import EventCancelled, EventCompleted
from shared.contracts.partnerships import LoanSnapshot, PandaSnapshot
from shared.contracts.publications import WorkPublished, WorkRetracted
from shared.contracts.training import CertificateIssued, CertificateRevoked, EnrollmentCompleted
from shared.events.consumer import EventHandlers
from shared.settings import SERVICES

handlers = EventHandlers()

handlers.on(
    WorkPublished, WorkRetracted,
    EnrollmentCompleted, CertificateIssued, CertificateRevoked,
    EventCompleted, EventCancelled,
)(record_impact)

# The studbook's genetics follow its own events: pandas registered, born, corrected; loans started, returned.
handlers.on(PandaSnapshot, LoanSnapshot)(keep_genetics_current)

handlers.on_topic(*(f"{service}.events" for service in SERVICES))(queue_deliveries)
