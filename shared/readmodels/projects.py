"""The research projects of the cooperation plans as a consuming service knows them, from the
`partnerships.project.*` snapshots: enough to validate `project_ids` without calling partnerships."""

from __future__ import annotations

from sqlalchemy import Column, MetaData, String, Uuid

from shared.contracts.partnerships import ProjectSnapshot
from shared.db.tables import copy_table
from shared.db.types import JSONType
from shared.readmodels import ReadModel


class KnownProjects(ReadModel):
    def __init__(self, metadata: MetaData) -> None:
        table = copy_table(
            "known_projects",
            metadata,
            Column("agreement_id", Uuid, nullable=False),
            Column("title", JSONType, nullable=False),
            Column("status", String(20), nullable=False),
        )
        super().__init__(table, ProjectSnapshot,
                         lambda p: {"agreement_id": p.agreement_id, "title": p.title, "status": p.status})
