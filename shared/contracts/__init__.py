"""The event contracts, one module per topic: what `<service>.events` carries, as classes that the service
publishing it and every service consuming it share (`PublishedEvent` subclasses, one per event type; the fields are
the CloudEvent's `data`). A producer builds them from its aggregates (`EnrollmentAccepted.of(enrollment)`); a
consumer reads them (`AgreementSnapshot.parse(event)`) and derives the types it subscribes to
(`event_types(AgreementSnapshot)`). A change here is a change of the public contract: add fields, never rename.
"""
