"""Tables of the publications database, and how the domain classes map onto them (imperative mapping keeps the
domain free of ORM imports). Full-text search lives beside the `works` table in the database's own form
(`db/search.py`): an FTS5 table on SQLite, a `tsvector` column on PostgreSQL; the migrations create it, and the
schema comparison leaves it alone (`metadata.info["database_only"]`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Date, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import registry

from services.publications.domain.work import Work, WorkStatus, WorkType
from shared.db.naming import NAMING
from shared.db.tables import aggregate_table, before_save, map_aggregate
from shared.db.types import JSONType, UTCDateTime, enum_column
from shared.messaging import messaging_tables
from shared.readmodels.agreements import KnownAgreements
from shared.readmodels.partners import KnownPartners
from shared.readmodels.projects import KnownProjects

metadata = MetaData(naming_convention=NAMING)
messaging = messaging_tables(metadata)
known_partners = KnownPartners(metadata)
known_agreements = KnownAgreements(metadata)
known_projects = KnownProjects(metadata)

FTS_TABLE = "works_fts"
metadata.info["database_only"] = {
    FTS_TABLE, *(f"{FTS_TABLE}_{shadow}" for shadow in ("data", "idx", "content", "docsize", "config")),
    "search_vector", "ix_works_search_vector",
}



works = aggregate_table(
    "works",
    metadata,
    Column("type", enum_column(WorkType, 30), nullable=False),
    Column("title", JSONType, nullable=False),
    Column("abstract", JSONType, nullable=True),
    Column("authors", JSONType, nullable=False),
    Column("venue", String(500), nullable=True),
    Column("publisher", String(300), nullable=True),
    Column("date", String(30), nullable=False),  # EDTF: a range of two full dates with qualifiers is 23
    Column("year", Integer, nullable=False),
    Column("sort_date", Date, nullable=False),
    Column("volume", String(40), nullable=True),
    Column("issue", String(40), nullable=True),
    Column("pages", String(40), nullable=True),
    Column("doi", String(200), nullable=True, unique=True),
    Column("isbn", String(13), nullable=True),
    Column("keywords", JSONType, nullable=False),
    Column("research_areas", JSONType, nullable=False),
    Column("language", String(35), nullable=True),
    Column("open_access_url", String(500), nullable=True),
    Column("agreement_ids", JSONType, nullable=False),
    Column("project_ids", JSONType, nullable=False),
    Column("status", enum_column(WorkStatus, 20), nullable=False),
    Column("retraction_reason", Text, nullable=True),
    Column("published_at", UTCDateTime, nullable=True),
    # Each area, partner and agreement as a whole token (`|area:genetics|partner:<id>|agreement:<id>|`):
    # filters and facet counts that work alike on both databases.
    Column("tags", Text, nullable=False),
    Index("ix_works_status_id", "status", "id"),
    Index("ix_works_type_year", "type", "year"),
)

mapper_registry = registry(metadata=metadata)
map_aggregate(mapper_registry, Work, works)


def work_tags(*, areas: list[str] = (), partner_ids: list[str] = (), agreement_ids: list[str] = ()) -> str:  # type: ignore[assignment]
    return "|" + "".join([*(f"area:{a}|" for a in areas), *(f"partner:{p}|" for p in partner_ids),
                          *(f"agreement:{a}|" for a in agreement_ids)])


@before_save(Work)
def _tag_work(_mapper: Any, _conn: Any, work: Work) -> None:
    work.tags = work_tags(areas=work.research_areas, partner_ids=work.partner_ids,  # type: ignore[attr-defined]
                          agreement_ids=work.agreement_ids)
