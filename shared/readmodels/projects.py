"""The research projects of the cooperation plans as a consuming service knows them, from the
`partnerships.project.*` snapshots: enough to validate `project_ids` without calling partnerships."""

from __future__ import annotations

from sqlalchemy import String, Uuid

from shared.contracts.partnerships import ProjectSnapshot
from shared.db.types import JSONType
from shared.readmodels import ReadModel


class KnownProjects(ReadModel):
    table_name = "known_projects"
    contract = ProjectSnapshot
    columns = {"agreement_id": Uuid, "title": JSONType, "status": String(20)}
