"""A partner institution abroad: a zoo, university, research institute, agency, NGO or foundation."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from typing import Any

from shared.contracts.partnerships import PartnerRegistered, PartnerUpdated
from shared.domain import Aggregate
from shared.ids import new_id

# The time of a partner registered without `now`, where no time matters (a test of the rules); the use case
# always gives the clock's.
UNSTAMPED = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class PartnerKind(enum.StrEnum):
    zoo = "zoo"
    university = "university"
    research_institute = "research_institute"
    government_agency = "government_agency"
    ngo = "ngo"
    foundation = "foundation"
    other = "other"


@dataclass(eq=False, kw_only=True)
class Partner(Aggregate):
    EDITABLE = ("name", "kind", "country", "city", "website", "contacts")
    UPDATED = PartnerUpdated

    id: uuid.UUID
    name: dict[str, str]
    kind: PartnerKind
    country: str
    city: str | None
    website: str | None
    contacts: list[dict[str, Any]]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

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
        now: dt.datetime | None = None,
    ) -> Partner:
        stamp = now or UNSTAMPED
        partner = cls(
            id=new_id(), name=name, kind=kind, country=country, city=city, website=website,
            contacts=list(contacts or []), version=1, created_at=stamp, updated_at=stamp,
        )
        partner.check()
        partner.record(PartnerRegistered.of(partner))
        return partner

    def check(self) -> None:
        self.kind = PartnerKind(self.kind)
