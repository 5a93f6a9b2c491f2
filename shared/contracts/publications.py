"""`publications.events`: works. The impact ledger in partnerships reads `publications.work.published` and
`.retracted` (`id`, `version`, `agreement_ids`, `partner_ids`: the partner institutions its authors belong to);
outreach keeps its copy of the works from all of them."""

from __future__ import annotations

import uuid

from shared.events.envelope import PublishedEvent

TOPIC = "publications.events"


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
