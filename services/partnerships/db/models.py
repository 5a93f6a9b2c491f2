"""Tables of the partnerships database, and how the domain classes map onto them (imperative mapping keeps
the domain free of ORM imports)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Enum, Index, Integer, MetaData, String, Table, Text, Uuid, event
from sqlalchemy.orm import registry

from services.partnerships.domain.partner import Partner, PartnerKind
from shared.db.naming import NAMING
from shared.db.types import JSONType, UTCDateTime
from shared.messaging import messaging_tables

metadata = MetaData(naming_convention=NAMING)
messaging = messaging_tables(metadata)

partners = Table(
    "partners",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", JSONType, nullable=False),
    Column("kind", Enum(PartnerKind, native_enum=False, length=40), nullable=False),
    Column("country", String(2), nullable=False),
    Column("city", String(200), nullable=True),
    Column("website", String(500), nullable=True),
    Column("contacts", JSONType, nullable=False),
    # Lower-cased names in every language, for `q`: JSON text is not searchable alike on SQLite and PostgreSQL.
    Column("search_text", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_partners_country_id", "country", "id"),
    Index("ix_partners_kind_id", "kind", "id"),
)

mapper_registry = registry(metadata=metadata)
mapper_registry.map_imperatively(
    Partner, partners, version_id_col=partners.c.version, version_id_generator=False
)


@event.listens_for(Partner, "before_insert")
@event.listens_for(Partner, "before_update")
def _index_names(_mapper: Any, _conn: Any, partner: Partner) -> None:
    partner.search_text = " ".join(partner.name.values()).lower()  # type: ignore[attr-defined]
