"""The research projects of the cooperation plans as a consuming service knows them, from the
`partnerships.project.*` snapshots: enough to validate `project_ids` without calling partnerships."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, Uuid

from shared.contracts.partnerships import ProjectSnapshot
from shared.db.types import JSONType, UTCDateTime
from shared.readmodels import ReadModel


class KnownProjects(ReadModel):
    def __init__(self, metadata: MetaData) -> None:
        table = Table(
            "known_projects",
            metadata,
            Column("id", Uuid, primary_key=True),
            Column("agreement_id", Uuid, nullable=False),
            Column("title", JSONType, nullable=False),
            Column("status", String(20), nullable=False),
            Column("version", Integer, nullable=False),
            Column("updated_at", UTCDateTime, nullable=False),
        )
        super().__init__(table, ProjectSnapshot,
                         lambda p: {"agreement_id": p.agreement_id, "title": p.title, "status": p.status})
