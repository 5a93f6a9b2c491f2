"""`/api/v1/notifications/devices`, `/preferences`, `/unsubscribe` and `/erasures`: members' devices for push and
their choices, the one-click unsubscribe of an email's link (RFC 8058), and staff erasing a person's contact data."""

from __future__ import annotations

import datetime as dt
import html
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictBool, model_validator

from services.notifications.domain.message import Channel
from services.notifications.usecases import people
from shared.auth import Caller, GuardedRoute, SignedInDep, requires
from shared.contracts.notifications import CATEGORIES
from shared.pagination import Page
from shared.roles import Role
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep, runtime_of
from shared.validation import Phone, ShortText, Text

router = APIRouter(route_class=GuardedRoute, tags=["notifications"])
CoordinatorDep = Annotated[Caller, requires(Role.coordinator)]
Category = Literal[tuple(CATEGORIES)]  # type: ignore[valid-type]
Token = Annotated[str, Query(min_length=10, max_length=500, description="The token of the email's link")]


# --- devices ----------------------------------------------------------------------------------------------------


class DeviceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"token": "fcm-registration-token-of-the-app", "platform": "android", "label": "Li Na's phone"}]})
    token: Text(4096, min_length=10) = Field(  # type: ignore[valid-type]
        description="The FCM registration token the app was given")
    platform: Literal["android", "ios", "web"]
    label: ShortText | None = None


class DeviceOut(BaseModel):
    id: uuid.UUID
    platform: str
    label: str | None
    token_ending: str = Field(description="The token's last 8 characters, to tell devices apart")
    created_at: dt.datetime

    @classmethod
    def of(cls, row: dict) -> DeviceOut:  # type: ignore[type-arg]
        return cls(id=row["id"], platform=row["platform"], label=row["label"], token_ending=row["token"][-8:],
                   created_at=row["created_at"])


@router.post("/devices", status_code=201, response_model=DeviceOut, responses={
    200: {"model": DeviceOut, "description": "The token was registered before: the same device (now yours)"}})
async def register_device(body: DeviceIn, caller: SignedInDep, uow: UnitOfWorkDep, clock: ClockDep,
                          response: Response) -> DeviceOut:
    """Your device, for push: the messages you would get by email also arrive there. The same token again is the
    same device (200)."""
    row, created = await people.register_device(uow, caller, body.token, body.platform, body.label, clock.now())
    if not created:
        response.status_code = 200
    return DeviceOut.of(row)


@router.get("/devices", response_model=Page[DeviceOut])
async def list_devices(caller: SignedInDep, session: ReadSessionDep) -> Page[DeviceOut]:
    """Your registered devices (a member has at most 20: one page, `next_cursor` null)."""
    return Page.of((await people.list_devices(session, caller), None), DeviceOut.of)


@router.delete("/devices/{device_id}", status_code=204, response_class=Response)
async def remove_device(device_id: uuid.UUID, caller: SignedInDep, uow: UnitOfWorkDep) -> Response:
    """No more push to this device of yours."""
    await people.remove_device(uow, caller, device_id)
    return Response(status_code=204)


# --- preferences ------------------------------------------------------------------------------------------------


class PreferenceItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: Category = Field(description="; ".join(f"`{k}`: {v}" for k, v in CATEGORIES.items()))
    channel: Channel
    enabled: StrictBool


class Preferences(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"items": [{"category": "reminders", "channel": "email", "enabled": False}]}]})
    items: list[PreferenceItem] = Field(max_length=50)


def _answer(found: list[people.Preference]) -> Preferences:
    return Preferences(items=[PreferenceItem(category=p.category, channel=p.channel, enabled=p.enabled)
                              for p in found])


@router.get("/preferences", response_model=Preferences)
async def read_preferences(caller: SignedInDep, session: ReadSessionDep) -> Preferences:
    """Which categories you get, on each channel. Transactional messages (a check-in code, a cancellation) are
    not among them: they are always sent."""
    return _answer(await people.read_preferences(session, caller))


@router.put("/preferences", response_model=Preferences)
async def set_preferences(body: Preferences, caller: SignedInDep, uow: UnitOfWorkDep, clock: ClockDep
                          ) -> Preferences:
    """Turn categories on or off per channel; those not named stay as they were."""
    chosen = [people.Preference(p.category, p.channel, p.enabled) for p in body.items]
    return _answer(await people.set_preferences(uow, caller, chosen, clock.now()))


# --- one-click unsubscribe ----------------------------------------------------------------------------------------


def _secret(request: Request) -> str:
    return runtime_of(request).settings.unsubscribe_secret.get_secret_value()  # type: ignore[attr-defined]


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
                        f"</head><body style='font-family: sans-serif'><h1>{html.escape(title)}</h1>{body}"
                        "</body></html>")


HTML_PAGE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}},
    404: {"description": "No such unsubscribe link: not one of ours, or cut short"}}


@router.get("/unsubscribe", response_class=HTMLResponse, responses=HTML_PAGE)
async def unsubscribe_page(token: Token, request: Request) -> HTMLResponse:
    """The page an email's unsubscribe link opens: it asks before it unsubscribes (a link scanner that follows
    links changes nothing)."""
    category = people.unsubscribe_category(_secret(request), token)
    return _page("Unsubscribe", f"<p>Stop messages of the kind “{html.escape(CATEGORIES[category])}”?</p>"
                 f"<form method='post'><input type='hidden' name='List-Unsubscribe' value='One-Click'>"
                 f"<button>Unsubscribe</button></form>")


@router.post("/unsubscribe", response_class=HTMLResponse, responses=HTML_PAGE, openapi_extra={"requestBody": {
    "required": False, "content": {"application/x-www-form-urlencoded": {
        "schema": {"type": "object", "properties": {"List-Unsubscribe": {"const": "One-Click"}}}}}}})
async def unsubscribe(token: Token, request: Request, uow: UnitOfWorkDep, clock: ClockDep) -> HTMLResponse:
    """One-click unsubscribe (RFC 8058): the mail client POSTs `List-Unsubscribe=One-Click` to the link; no
    sign-in. That address gets no more messages of the link's category; others, and transactional ones, go on."""
    category = await people.unsubscribe(uow, _secret(request), token, clock.now())
    return _page("Unsubscribed", f"<p>You will get no more messages of the kind "
                 f"“{html.escape(CATEGORIES[category])}”. Confirmations and cancellations still reach you.</p>")


# --- erasure ------------------------------------------------------------------------------------------------------


class ErasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"email": "li.na@school.example"}],
                                                                 "minProperties": 1})
    email: EmailStr | None = Field(None, max_length=254)
    phone: Phone | None = None
    member: Text(200, min_length=5) | None = Field(  # type: ignore[valid-type]
        None, description="`key:<id>` or `jwt:<sub>`")

    @model_validator(mode="after")
    def _someone(self) -> ErasureIn:
        if not (self.email or self.phone or self.member):
            raise ValueError("name whom to erase: an email, a phone or a member")
        return self


class ErasureOut(BaseModel):
    messages: int = Field(description="Log entries whose address, name and content were erased")
    reminders: int
    devices: int
    preferences: int
    unsubscribes: int


@router.post("/erasures", response_model=ErasureOut)
async def erase_contact(body: ErasureIn, caller: CoordinatorDep, uow: UnitOfWorkDep) -> ErasureOut:
    """Erase one person's contact data from the notifications service (GDPR Art. 17): what their messages said
    and where they went, their reminders, devices, preferences and opt-outs. The log keeps that messages were
    sent."""
    erased = await people.erase_contact(uow, email=body.email, phone=body.phone, member=body.member)
    return ErasureOut(**erased.__dict__)
