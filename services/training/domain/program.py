"""A training program (breeding, veterinary care, epidemic prevention, ...): what is taught, how and in which
languages. Its cohorts take enrollments once it is published.

    draft --publish--> published --archive--> archived
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

from shared.contracts.training import ProgramArchived, ProgramDrafted, ProgramPublished, ProgramUpdated
from shared.domain import Conflict, LifecycleAggregate, RuleViolated, StateMachine
from shared.ids import new_id


class ProgramFormat(enum.StrEnum):
    onsite = "onsite"
    online = "online"
    hybrid = "hybrid"


class ProgramStatus(enum.StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


P = ProgramStatus
PUBLISHING = StateMachine("program", {"publish": ({P.draft}, P.published), "archive": ({P.published}, P.archived)})


@dataclass(eq=False, kw_only=True)
class Program(LifecycleAggregate):
    EDITABLE = ("title", "description", "topics", "format", "languages")
    UPDATED = ProgramUpdated
    LIFECYCLE = PUBLISHING

    id: uuid.UUID
    title: dict[str, str]
    description: dict[str, str] | None
    topics: list[str]
    format: ProgramFormat
    languages: list[str]
    status: ProgramStatus
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def draft(cls, *, title: dict[str, str], topics: list[str], format: ProgramFormat, languages: list[str],
              now: dt.datetime, description: dict[str, str] | None = None) -> Program:
        program = cls(id=new_id(), title=title, description=description, topics=list(topics),
                      format=ProgramFormat(format), languages=list(languages), status=P.draft, version=1,
                      created_at=now, updated_at=now)
        program.check()
        program.record(ProgramDrafted.of(program))
        return program

    def check_changeable(self, fields: list[str]) -> None:
        if self.status is P.archived:
            raise Conflict("an archived program cannot be changed")

    def check(self) -> None:
        self.format = ProgramFormat(self.format)
        for name in ("topics", "languages"):
            values = getattr(self, name)
            if not values:
                raise RuleViolated(f"a program has at least one of {name}", ("body", name))
            if len(set(values)) != len(values):
                raise RuleViolated(f"{name} lists a value twice", ("body", name))

    def publish(self, now: dt.datetime) -> None:
        self._move("publish", now, ProgramPublished)

    def archive(self, now: dt.datetime) -> None:
        self._move("archive", now, ProgramArchived)

    @property
    def is_public(self) -> bool:
        return self.status is not P.draft

    @property
    def takes_enrollments(self) -> bool:
        return self.status is P.published
