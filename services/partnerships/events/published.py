"""Events on `partnerships.events`, one schema class per type. Consumers rely on these fields."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from services.partnerships.domain.partner import Partner
from shared.events.envelope import PublishedEvent


class PartnerSnapshot(PublishedEvent):
    id: uuid.UUID
    name: dict[str, str]
    kind: str
    country: str
    city: str | None
    website: str | None
    version: int
    updated_at: dt.datetime

    @classmethod
    def of(cls, partner: Partner, **extra: Any):  # type: ignore[no-untyped-def]
        return cls(
            id=partner.id, name=partner.name, kind=partner.kind.value, country=partner.country,
            city=partner.city, website=partner.website, version=partner.version, updated_at=partner.updated_at,
            **extra,
        )


class PartnerRegistered(PartnerSnapshot):
    event_type = "partnerships.partner.registered"


class PartnerUpdated(PartnerSnapshot):
    event_type = "partnerships.partner.updated"
    changed: list[str]
