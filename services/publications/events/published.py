"""Events on `publications.events`, one schema class per type. The impact ledger in partnerships reads
`publications.work.published` and `.retracted` (`id`, `version`, `agreement_ids`, `partner_ids`: the partner
institutions its authors belong to); outreach keeps its copy of the works from all of them."""

from __future__ import annotations

import uuid
from typing import Any

from services.publications.domain.work import Work
from shared.events.envelope import PublishedEvent


class WorkSnapshot(PublishedEvent):
    id: uuid.UUID
    type: str
    title: dict[str, str]
    status: str
    date: str
    year: int
    doi: str | None
    research_areas: list[str]
    agreement_ids: list[uuid.UUID]
    project_ids: list[uuid.UUID]
    partner_ids: list[uuid.UUID]
    version: int

    @classmethod
    def of(cls, work: Work, **extra: Any):  # type: ignore[no-untyped-def]
        return cls(
            id=work.id, type=work.type.value, title=work.title, status=work.status.value, date=work.date,
            year=work.year, doi=work.doi, research_areas=work.research_areas,
            agreement_ids=[uuid.UUID(a) for a in work.agreement_ids],
            project_ids=[uuid.UUID(p) for p in work.project_ids],
            partner_ids=[uuid.UUID(p) for p in work.partner_ids], version=work.version, **extra,
        )


class WorkDrafted(WorkSnapshot):
    event_type = "publications.work.drafted"


class WorkUpdated(WorkSnapshot):
    event_type = "publications.work.updated"
    changed: list[str]


class WorkPublished(WorkSnapshot):
    event_type = "publications.work.published"


class WorkRetracted(WorkSnapshot):
    event_type = "publications.work.retracted"
    reason: str
