"""Tables of the outreach database, and how the domain classes map onto them (imperative mapping keeps the
domain free of ORM imports)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, String, Text, Uuid
from sqlalchemy.orm import registry

from services.outreach.domain.event import EventKind, EventStatus, OutreachEvent
from services.outreach.domain.registration import Registration, RegistrationStatus
from shared.db.naming import NAMING
from shared.db.search import fold
from shared.db.tables import aggregate_table, before_save, map_aggregate
from shared.db.types import JSONType, UTCDateTime, enum_column
from shared.messaging import messaging_tables
from shared.readmodels.agreements import KnownAgreements
from shared.readmodels.partners import KnownPartners
from shared.readmodels.works import KnownWorks

metadata = MetaData(naming_convention=NAMING)
messaging = messaging_tables(metadata)
known_partners = KnownPartners(metadata)
known_agreements = KnownAgreements(metadata)
known_works = KnownWorks(metadata)



outreach_events = aggregate_table(
    "outreach_events",
    metadata,
    Column("title", JSONType, nullable=False),
    Column("description", JSONType, nullable=True),
    Column("kind", enum_column(EventKind, 30), nullable=False),
    Column("audiences", JSONType, nullable=False),
    Column("languages", JSONType, nullable=False),
    Column("venue", JSONType, nullable=True),
    Column("online_url", String(500), nullable=True),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("partner_ids", JSONType, nullable=False),
    Column("agreement_ids", JSONType, nullable=False),
    Column("work_ids", JSONType, nullable=False),
    Column("status", enum_column(EventStatus, 20), nullable=False),
    Column("confirmed_people", Integer, nullable=False),
    Column("waiting_people", Integer, nullable=False),
    Column("waitlist_issued", Integer, nullable=False),
    Column("checked_in_people", Integer, nullable=False),
    Column("walk_ins", Integer, nullable=True),
    Column("attendance", Integer, nullable=True),
    Column("reach", Integer, nullable=True),
    Column("cancellation_reason", Text, nullable=True),
    # Denormalized for filters that page: the venue's city (lower-cased) and country, and each audience,
    # language and co-host as a whole token (`|aud:children|lang:en|partner:<id>|`).
    Column("city", String(200), nullable=True),
    Column("country", String(2), nullable=True),
    Column("tags", Text, nullable=False),
    Index("ix_outreach_events_status_starts_at_id", "status", "starts_at", "id"),
    Index("ix_outreach_events_starts_at_id", "starts_at", "id"),
)

registrations = aggregate_table(
    "registrations",
    metadata,
    Column("event_id", Uuid, ForeignKey("outreach_events.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("email", String(254), nullable=True),
    Column("phone", String(40), nullable=True),
    Column("language", String(35), nullable=False),  # what the party is told in (shared/contracts/notifications.py)
    Column("party_size", Integer, nullable=False),
    Column("applicant", String(200), nullable=True),
    Column("status", enum_column(RegistrationStatus, 20), nullable=False),
    Column("waitlist_ticket", Integer, nullable=True),
    Column("check_in_code", String(16), nullable=False, unique=True),
    Column("checked_in_at", UTCDateTime, nullable=True),
    Index("ix_registrations_event_id_waitlist_ticket", "event_id", "waitlist_ticket"),
    Index("ix_registrations_applicant_id", "applicant", "id"),
)

mapper_registry = registry(metadata=metadata)
map_aggregate(
    mapper_registry, OutreachEvent, outreach_events,
    # The filter columns under names of their own: `city` and `country` are the event's (its venue's).
    properties={"indexed_city": outreach_events.c.city, "indexed_country": outreach_events.c.country},
)
map_aggregate(mapper_registry, Registration, registrations)


def event_tags(*, audiences: list[str] = (), languages: list[str] = (), partner_ids: list[str] = ()) -> str:  # type: ignore[assignment]
    return "|" + "".join(
        [*(f"aud:{a}|" for a in audiences), *(f"lang:{lang.lower()}|" for lang in languages),
         *(f"partner:{p}|" for p in partner_ids)])


def city_key(city: str | None) -> str | None:
    """The city as the `city` column holds it and the filter compares it: folded (`shared/db/search.py`, so
    `zurich` finds Zürich), and cut to the column's 200 characters (folding can lengthen a text)."""
    return fold(city)[:200] if city else None


@before_save(OutreachEvent)
def _index_event(_mapper: Any, _conn: Any, e: OutreachEvent) -> None:
    e.indexed_city = city_key(e.city)  # type: ignore[attr-defined]
    e.indexed_country = e.country  # type: ignore[attr-defined]
    e.tags = event_tags(audiences=e.audiences, languages=e.languages, partner_ids=e.partner_ids)  # type: ignore[attr-defined]
