"""A partner institution abroad: a zoo, university, research institute, agency, NGO or foundation."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from shared.db.types import utcnow
from shared.domain import RuleViolated
from shared.ids import new_id


class PartnerKind(enum.StrEnum):
    zoo = "zoo"
    university = "university"
    research_institute = "research_institute"
    government_agency = "government_agency"
    ngo = "ngo"
    foundation = "foundation"
    other = "other"


class Partner:
    EDITABLE = ("name", "kind", "country", "city", "website", "contacts")
    REQUIRED = ("name", "kind", "country")

    def __init__(
        self,
        *,
        id: uuid.UUID,
        name: dict[str, str],
        kind: PartnerKind,
        country: str,
        city: str | None,
        website: str | None,
        contacts: list[dict[str, Any]],
        version: int,
        created_at: dt.datetime,
        updated_at: dt.datetime,
    ) -> None:
        self.id = id
        self.name = name
        self.kind = kind
        self.country = country
        self.city = city
        self.website = website
        self.contacts = contacts
        self.version = version
        self.created_at = created_at
        self.updated_at = updated_at

    @classmethod
    def register(
        cls,
        *,
        name: dict[str, str],
        kind: PartnerKind,
        country: str,
        city: str | None = None,
        website: str | None = None,
        contacts: list[dict[str, Any]] | None = None,
    ) -> Partner:
        now = utcnow()
        return cls(
            id=new_id(), name=name, kind=PartnerKind(kind), country=country, city=city, website=website,
            contacts=list(contacts or []), version=1, created_at=now, updated_at=now,
        )

    def update(self, changes: dict[str, Any]) -> list[str]:
        """Apply the fields given; answer which actually changed. No change, no new version."""
        unknown = set(changes) - set(self.EDITABLE)
        if unknown:
            raise RuleViolated(f"cannot change {', '.join(sorted(unknown))}")
        for name in self.REQUIRED:
            if name in changes and changes[name] is None:
                raise RuleViolated(f"{name} cannot be removed", ("body", name))
        changed = [k for k, v in changes.items() if getattr(self, k) != v]
        if not changed:
            return []
        for k in changed:
            setattr(self, k, PartnerKind(changes[k]) if k == "kind" else changes[k])
        self.version += 1
        self.updated_at = utcnow()
        return changed
