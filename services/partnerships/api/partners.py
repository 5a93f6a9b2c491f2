"""`/api/v1/partnerships/partners`: the partner institutions.

Any signed-in caller reads them (anonymous callers see only the public catalogues of the other services);
contacts, which name people, are shown to staff and to the partner itself. Coordinators and admins write.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field, HttpUrl, model_validator
from sqlalchemy import select

from services.partnerships.domain.partner import Partner, PartnerKind
from services.partnerships.events.published import PartnerRegistered, PartnerUpdated
from shared.auth import Caller, GuardedRoute, SignedInDep, WriterDep
from shared.db.search import contains
from shared.http import check_if_match, not_modified, set_etag
from shared.pagination import Cursor, Limit, Page, keyset_page
from shared.problems import not_found
from shared.service import ReadSessionDep, UnitOfWorkDep
from shared.validation import CountryCode, LocalizedText, ShortText, Text

router = APIRouter(route_class=GuardedRoute, prefix="/partners", tags=["partners"])


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: ShortText
    role: Text(200) | None = None  # type: ignore[valid-type]
    email: EmailStr | None = Field(None, max_length=254)
    phone: Annotated[str, Field(pattern=r"^\+?[0-9 ()./-]{3,40}$")] | None = None


class PartnerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: LocalizedText
    kind: PartnerKind
    country: CountryCode
    city: ShortText | None = None
    website: HttpUrl | None = Field(None, max_length=500)
    contacts: list[Contact] = Field(default_factory=list, max_length=50)

    def fields(self) -> dict[str, Any]:
        return _plain(self.model_dump(mode="json", exclude_unset=False))


class PartnerPatch(BaseModel):
    """Fields to change; an absent field stays as it is. `name`, `kind` and `country` cannot be removed."""

    model_config = ConfigDict(extra="forbid")
    name: LocalizedText | None = None
    kind: PartnerKind | None = None
    country: CountryCode | None = None
    city: ShortText | None = None
    website: HttpUrl | None = Field(None, max_length=500)
    contacts: list[Contact] | None = Field(None, max_length=50)

    @model_validator(mode="after")
    def _required_stay(self) -> PartnerPatch:
        for name in Partner.REQUIRED:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be removed")
        return self

    def changes(self) -> dict[str, Any]:
        return _plain(self.model_dump(mode="json", exclude_unset=True))


class PartnerOut(BaseModel):
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
    def of(cls, partner: Partner, caller: Caller) -> PartnerOut:
        return cls(
            id=partner.id, name=partner.name, kind=partner.kind, country=partner.country, city=partner.city,
            website=partner.website, version=partner.version, created_at=partner.created_at,
            updated_at=partner.updated_at,
            contacts=partner.contacts if caller.may_see_partner(partner.id) else None,
        )


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("contacts") is not None:
        values["contacts"] = [{k: v for k, v in c.items() if v is not None} for c in values["contacts"]]
    return values


@router.post("", status_code=201, response_model=PartnerOut)
async def register_partner(
    body: PartnerIn, caller: WriterDep, uow: UnitOfWorkDep, request: Request, response: Response
) -> PartnerOut:
    partner = Partner.register(**body.fields())
    uow.session.add(partner)
    await uow.publish(PartnerRegistered.of(partner))
    await uow.commit()
    response.headers["Location"] = str(request.url_for("read_partner", partner_id=partner.id).path)
    set_etag(response, partner.version)
    return PartnerOut.of(partner, caller)


@router.get("", response_model=Page[PartnerOut])
async def list_partners(
    caller: SignedInDep,
    session: ReadSessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    country: CountryCode | None = None,
    kind: PartnerKind | None = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="Part of a name, any language")] = None,
) -> Page[PartnerOut]:
    stmt = select(Partner)
    if country:
        stmt = stmt.where(Partner.country == country)  # type: ignore[arg-type]
    if kind:
        stmt = stmt.where(Partner.kind == kind)  # type: ignore[arg-type]
    if q:
        stmt = stmt.where(contains(Partner.search_text, q))  # type: ignore[attr-defined]
    rows, next_cursor = await keyset_page(session, stmt, [Partner.id], [uuid.UUID], limit, cursor)  # type: ignore[list-item]
    return Page(items=[PartnerOut.of(p, caller) for p in rows], next_cursor=next_cursor)


@router.get("/{partner_id}", response_model=PartnerOut, name="read_partner")
async def read_partner(
    partner_id: uuid.UUID, caller: SignedInDep, session: ReadSessionDep, request: Request, response: Response
) -> Any:
    partner = await session.get(Partner, partner_id)
    if partner is None:
        raise not_found(f"no partner {partner_id}")
    if (unchanged := not_modified(request, partner.version)) is not None:
        return unchanged
    set_etag(response, partner.version)
    return PartnerOut.of(partner, caller)


@router.patch("/{partner_id}", response_model=PartnerOut)
async def update_partner(
    partner_id: uuid.UUID, body: PartnerPatch, caller: WriterDep, uow: UnitOfWorkDep, request: Request,
    response: Response,
) -> PartnerOut:
    partner = await uow.session.get(Partner, partner_id, with_for_update=True)
    if partner is None:
        raise not_found(f"no partner {partner_id}")
    check_if_match(request, partner.version)
    changed = partner.update(body.changes())
    if changed:
        await uow.publish(PartnerUpdated.of(partner, changed=changed))
    await uow.commit()
    set_etag(response, partner.version)
    return PartnerOut.of(partner, caller)
