"""What a client sends about outreach events, shared by their routers: the query that finds them (`FiltersDep`,
for the event list and the schedule's calendar), the fields of a new one (`EventIn`), a PATCH's changes
(`EventPatch`) and the bodies of its transitions (`EventAction`). Parsing only: the rules are the domain's."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import Depends, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict

from services.outreach.domain.event import Audience, EventKind, EventStatus, zone
from services.outreach.usecases.events import EventFilters
from shared.domain import RuleViolated
from shared.validation import (
    Changes,
    CountryCode,
    Day,
    Instant,
    LanguageTag,
    LocalizedLongText,
    LocalizedText,
    ShortText,
    Text,
    WebUrl,
    stored,
)

# Strict: pydantic alone reads `true` as 1.
Capacity = Annotated[int, Strict(), Field(ge=1, le=1_000_000, description="In people")]
Count = Annotated[int, Strict(), Field(ge=0, le=100_000_000)]


def _iana(name: str) -> str:
    try:
        zone(name)
    except RuleViolated as exc:
        raise ValueError(exc.detail) from exc
    return name


Timezone = Annotated[str, Field(min_length=1, max_length=64, description="IANA, e.g. Asia/Shanghai"),
                     AfterValidator(_iana)]


class Venue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: ShortText
    address: Text(500) | None = None  # type: ignore[valid-type]
    city: ShortText
    country: CountryCode


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"title": {"en": "Meet the pandas", "zh": "认识大熊猫"},
         "kind": "classroom",
         "audiences": ["children"],
         "languages": ["zh", "en"],
         "venue": {"name": "Panda classroom", "city": "Chengdu", "country": "CN"},
         "starts_at": "2027-06-01T10:00:00+08:00",
         "ends_at": "2027-06-01T11:30:00+08:00",
         "timezone": "Asia/Shanghai",
         "capacity": 40},
    ]})
    title: LocalizedText
    description: LocalizedLongText | None = None
    kind: EventKind
    audiences: list[Audience] = Field(default_factory=list, max_length=7)
    languages: list[LanguageTag] = Field(default_factory=list, max_length=20)
    venue: Venue | None = None
    online_url: WebUrl | None = None
    starts_at: Instant
    ends_at: Instant
    timezone: Timezone
    capacity: Capacity
    partner_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50, description="Co-hosts")
    agreement_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    work_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50, description="Books it launches, ...")

    def stored_field(self, name: str, value: Any) -> Any:
        """As the event keeps it: audiences sorted once each, languages and ids once each in the order given."""
        if name == "audiences":
            return sorted({a.value for a in value})
        if name == "languages":
            return list(dict.fromkeys(value))
        if name in ("partner_ids", "agreement_ids", "work_ids"):
            return [str(i) for i in dict.fromkeys(value)]
        return stored(value)

    def fields(self) -> dict[str, Any]:
        return {name: self.stored_field(name, getattr(self, name)) for name in type(self).model_fields}


class EventPatch(EventIn, Changes):
    model_config = ConfigDict(json_schema_extra={"examples": [{"capacity": 60}]})
    REQUIRED = ("title", "kind", "starts_at", "ends_at", "timezone", "capacity")
    title: LocalizedText | None = None  # type: ignore[assignment]
    kind: EventKind | None = None  # type: ignore[assignment]
    starts_at: Instant | None = None  # type: ignore[assignment]
    ends_at: Instant | None = None  # type: ignore[assignment]
    timezone: Timezone | None = None  # type: ignore[assignment]
    capacity: Capacity | None = None  # type: ignore[assignment]


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"action": "schedule"}]})
    action: Literal["schedule"]


class Cancel(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"action": "cancel", "reason": "The venue is closed for repairs"},
    ]})
    action: Literal["cancel"]
    reason: Text(2000) | None = None  # type: ignore[valid-type]


class Complete(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"action": "complete", "walk_ins": 5, "attendance": 38},
    ]})
    action: Literal["complete"]
    walk_ins: Count = 0
    attendance: Count | None = Field(None, description="Who came; by default checked-in people plus walk-ins")
    reach: Count | None = Field(None, description="Online events: how many followed it")


EventAction = Annotated[Schedule | Cancel | Complete, Field(discriminator="action")]


async def event_filters(
    from_: Annotated[Day | None, Query(alias="from", description="Starting on or after this day (UTC)")] = None,
    to: Annotated[Day | None, Query(description="Starting on or before this day (UTC)")] = None,
    city: Annotated[ShortText | None, Query(description="The venue's city, any case")] = None,
    country: CountryCode | None = None,
    kind: EventKind | None = None,
    audience: Audience | None = None,
    language: LanguageTag | None = None,
    partner_id: Annotated[uuid.UUID | None, Query(description="A co-host")] = None,
    status: EventStatus | None = None,
) -> EventFilters:
    return EventFilters(from_=from_, to=to, city=city, country=country, kind=kind, audience=audience,
                        language=language, partner_id=partner_id, status=status)


FiltersDep = Annotated[EventFilters, Depends(event_filters)]
