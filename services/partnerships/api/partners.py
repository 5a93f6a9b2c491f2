"""`/api/v1/partnerships/partners`: the partner institutions.

Any signed-in caller reads them (anonymous callers see only the public catalogues of the other services);
contacts, which name people, are shown to staff and to the partner itself. Coordinators and admins write.
"""

from __future__ import annotations

import datetime as dt
import uuid
from functools import partial
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from services.partnerships.domain.partner import Partner, PartnerKind
from services.partnerships.usecases import partners
from shared.auth import Caller, GuardedRoute, SignedInDep, WriterDep
from shared.http import IfMatchDep, ReplyDep, Representation
from shared.pagination import ListQuery, Page
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep
from shared.validation import Changes, CountryCode, LanguageTag, LocalizedText, Phone, ShortText, Text, WebUrl, stored

router = APIRouter(route_class=GuardedRoute, prefix="/partners", tags=["partners"])


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: ShortText
    role: Text(200) | None = None  # type: ignore[valid-type]
    email: EmailStr | None = Field(None, max_length=254)
    phone: Phone | None = None
    language: LanguageTag | None = Field(None, description="What the contact is told in (agreements signed, "
                                         "expiring...): a BCP 47 tag; English when not given")


class PartnerIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": {"en": "Zoo Vienna", "de": "Tiergarten Schönbrunn"},
         "kind": "zoo",
         "country": "AT",
         "city": "Vienna",
         "website": "https://www.zoovienna.at/",
         "contacts": [{"name": "Eva Gruber", "role": "curator", "email": "e.gruber@zoo.example"}]},
    ]})
    name: LocalizedText
    kind: PartnerKind
    country: CountryCode
    city: ShortText | None = None
    website: WebUrl | None = None
    contacts: list[Contact] = Field(default_factory=list, max_length=50)

    def fields(self) -> dict[str, Any]:
        return {name: stored(getattr(self, name)) for name in type(self).model_fields}


class PartnerPatch(Changes):
    """Fields to change; an absent field stays as it is. `name`, `kind` and `country` cannot be removed."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"city": "Vienna", "website": "https://www.zoovienna.at/"},
    ]})
    REQUIRED = ("name", "kind", "country")
    name: LocalizedText | None = None
    kind: PartnerKind | None = None
    country: CountryCode | None = None
    city: ShortText | None = None
    website: WebUrl | None = None
    contacts: list[Contact] | None = Field(None, max_length=50)


class PartnerOut(Representation):
    id: uuid.UUID
    name: dict[str, str]
    kind: PartnerKind
    country: str
    city: str | None
    website: str | None
    contacts: list[dict[str, Any]] | None = Field(
        description="People to contact; shown to staff and to the partner itself, otherwise null"
    )
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def seen_by(cls, caller: Caller, partner: Partner, response: Response | None = None) -> PartnerOut:
        """The partner as `caller` may see it: its contacts for staff and the partner itself only."""
        return cls.of(partner, response, contacts=partner.contacts if caller.may_see_partner(partner.id) else None)


@router.post("", status_code=201, response_model=PartnerOut)
async def register_partner(body: PartnerIn, caller: WriterDep, uow: UnitOfWorkDep, clock: ClockDep,
                           reply: ReplyDep) -> PartnerOut:
    """Register a partner institution (coordinators). Published as `partnerships.partner.registered`."""
    partner = await partners.register_partner(uow, body.fields(), clock.now())
    return PartnerOut.seen_by(caller, partner, reply.created("read_partner", partner_id=partner.id))


@router.get("", response_model=Page[PartnerOut])
async def list_partners(caller: SignedInDep, session: ReadSessionDep,
                        query: ListQuery[partners.PartnerQuery]) -> Page[PartnerOut]:
    """Partner institutions, filtered by kind, country or name; a page at a time."""
    return Page.of(await partners.list_partners(session, query), lambda p: PartnerOut.seen_by(caller, p))


@router.get("/{partner_id}", response_model=PartnerOut, name="read_partner")
async def read_partner(partner_id: uuid.UUID, caller: SignedInDep, session: ReadSessionDep, reply: ReplyDep) -> Any:
    """One partner institution, with its `ETag`."""
    return reply.current(await partners.visible_partner(session, partner_id), partial(PartnerOut.seen_by, caller))


@router.patch("/{partner_id}", response_model=PartnerOut)
async def update_partner(partner_id: uuid.UUID, body: PartnerPatch, caller: WriterDep, uow: UnitOfWorkDep,
                         clock: ClockDep, expected: IfMatchDep, response: Response) -> PartnerOut:
    """Change a partner's fields (coordinators); `If-Match` guards against overwriting another's change."""
    partner = await partners.update_partner(uow, partner_id, body.changes(), expected, clock.now())
    return PartnerOut.seen_by(caller, partner, response)
