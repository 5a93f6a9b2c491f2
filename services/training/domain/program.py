"""A training program (breeding, veterinary care, epidemic prevention, ...): what is taught, how and in which
languages. Its cohorts take enrollments once it is published.

    draft --publish--> published --archive--> archived
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from shared.domain import Conflict, RuleViolated, StateMachine
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


class Program:
    EDITABLE = ("title", "description", "topics", "format", "languages")

    def __init__(
        self,
        *,
        id: uuid.UUID,
        title: dict[str, str],
        description: dict[str, str] | None,
        topics: list[str],
        format: ProgramFormat,
        languages: list[str],
        status: ProgramStatus,
        version: int,
        created_at: dt.datetime,
        updated_at: dt.datetime,
    ) -> None:
        self.id = id
        self.title = title
        self.description = description
        self.topics = topics
        self.format = format
        self.languages = languages
        self.status = status
        self.version = version
        self.created_at = created_at
        self.updated_at = updated_at

    @classmethod
    def draft(cls, *, title: dict[str, str], topics: list[str], format: ProgramFormat, languages: list[str],
              now: dt.datetime, description: dict[str, str] | None = None) -> Program:
        program = cls(id=new_id(), title=title, description=description, topics=[], format=ProgramFormat(format),
                      languages=[], status=P.draft, version=1, created_at=now, updated_at=now)
        program._set_lists(topics=topics, languages=languages)
        return program

    def update(self, changes: dict[str, Any], now: dt.datetime) -> list[str]:
        unknown = set(changes) - set(self.EDITABLE)
        if unknown:
            raise RuleViolated(f"cannot change {', '.join(sorted(unknown))}")
        changed = [k for k, v in changes.items() if getattr(self, k) != v]
        if not changed:
            return []
        if self.status is P.archived:
            raise Conflict("an archived program cannot be changed")
        lists = {k: changes[k] for k in changed if k in ("topics", "languages")}
        for k in changed:
            if k not in lists:
                setattr(self, k, ProgramFormat(changes[k]) if k == "format" else changes[k])
        self._set_lists(**lists)
        self._touch(now)
        return changed

    def _set_lists(self, **lists: list[str]) -> None:
        for name, values in lists.items():
            if not values:
                raise RuleViolated(f"a program has at least one of {name}", ("body", name))
            if len(set(values)) != len(values):
                raise RuleViolated(f"{name} lists a value twice", ("body", name))
            setattr(self, name, list(values))

    def act(self, action: str, now: dt.datetime) -> None:
        self.status = ProgramStatus(PUBLISHING.next_state(self.status, action))
        self._touch(now)

    @property
    def allowed_actions(self) -> list[str]:
        return PUBLISHING.allowed(self.status)

    @property
    def is_public(self) -> bool:
        return self.status is not P.draft

    @property
    def takes_enrollments(self) -> bool:
        return self.status is P.published

    def _touch(self, now: dt.datetime) -> None:
        self.version += 1
        self.updated_at = now
