"""`/api/v1/partnerships/webhooks`: a partner's webhook subscriptions and their delivery log (docs/webhooks.md).

A partner key manages its own institution's subscriptions; coordinators and admins manage any partner's
(naming `partner_id`), analysts read them all. Another partner's subscription does not exist for a partner
caller (404). The signing secret is in the answer to the POST that created the subscription, and nowhere else.
A URL must be https (plain http only to an allowlisted host) and must not resolve to a loopback, private or
link-local address unless `PARTNERSHIPS_WEBHOOK_ALLOWED_HOSTS` names it. The rules are in `usecases/webhooks.py`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.partnerships.domain.webhook import EVENT_TYPE_PATTERN, DeliveryState, LogEntryKind
from services.partnerships.usecases import webhooks
from shared.auth import STAFF, Caller, GuardedRoute, Role, requires
from shared.http import IfMatchDep, ReplyDep, Representation
from shared.pagination import Cursor, Limit, Page
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep, runtime_of
from shared.validation import Changes, Stripped, Text

router = APIRouter(route_class=GuardedRoute, prefix="/webhooks", tags=["webhooks"])

ReaderDep = Annotated[Caller, requires(Role.partner, *STAFF)]
ManagerDep = Annotated[Caller, requires(Role.partner, Role.coordinator)]


async def _allowlist(request: Request) -> frozenset[str]:
    return runtime_of(request).settings.webhook_allowlist  # type: ignore[attr-defined, no-any-return]


AllowlistDep = Annotated[frozenset[str], Depends(_allowlist)]

# http(s) with a host; plain http only to a host the operator allows (PARTNERSHIPS_WEBHOOK_ALLOWED_HOSTS).
Url = Stripped(2000, r"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#@\s]+([/?#]\S*)?$")
EventType = Annotated[str, StringConstraints(max_length=200, pattern=EVENT_TYPE_PATTERN)]
EventTypes = Annotated[list[EventType], Field(
    min_length=1, max_length=50,
    description="Event types (`partnerships.agreement.signed`), prefixes (`training.*`), or `*` for every event "
                "that concerns the partner")]
Description = Text(500)


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "url": "https://zoo.example.org/hooks/panda", "event_types": ["partnerships.agreement.*", "training.*"]}]})
    url: Url
    event_types: EventTypes
    description: Description | None = None  # type: ignore[valid-type]
    partner_id: uuid.UUID | None = Field(None, description="Whose subscription (staff); a partner's own by default")


class SubscriptionPatch(Changes):
    """Fields to change; an absent field stays as it is. `active: true` re-enables a disabled subscription."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"active": False}]})
    REQUIRED = ("url", "event_types", "active")
    url: Url | None = None
    event_types: EventTypes | None = None
    description: Description | None = None  # type: ignore[valid-type]
    active: bool | None = None


class SubscriptionOut(Representation):
    id: uuid.UUID
    partner_id: uuid.UUID
    url: str
    event_types: list[str]
    description: str | None
    active: bool
    disabled_reason: str | None
    disabled_at: dt.datetime | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime



class CreatedSubscriptionOut(SubscriptionOut):
    secret: str = Field(description="Signs every delivery (docs/webhooks.md). Shown in this answer only")


class DeliveryOut(BaseModel):
    id: uuid.UUID
    kind: LogEntryKind
    event_id: str | None
    type: str | None
    subject: str | None
    state: DeliveryState
    attempts: int
    last_status: int | None
    last_error: str | None
    first_attempt_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    detail: str | None = Field(description="What a notice (`subscription_disabled`) says")
    created_at: dt.datetime

    @classmethod
    def of(cls, row: Any, **extra: Any) -> Any:
        """An entry of the log as read (a row of `webhook_deliveries`), and what a subclass adds (`extra`)."""
        entry = row._mapping
        return cls.model_validate({**entry, "type": entry["event_type"], **extra})


class DeliveryDetailOut(DeliveryOut):
    event: dict[str, Any] | None = Field(description="The CloudEvent that is sent, as the receiver gets it")


# --- subscriptions --------------------------------------------------------------------------------------------


@router.post("", status_code=201, response_model=CreatedSubscriptionOut)
async def create_subscription(body: SubscriptionIn, caller: ManagerDep, uow: UnitOfWorkDep, clock: ClockDep,
                              allowlist: AllowlistDep, reply: ReplyDep) -> CreatedSubscriptionOut:
    """Subscribe a URL to the events that concern a partner. The answer's `secret` is shown this once."""
    subscription = await webhooks.create_subscription(uow, caller, body.model_dump(), allowlist, clock.now())
    response = reply.created("read_subscription", subscription_id=subscription.id)
    shown = SubscriptionOut.of(subscription, response)
    response.headers["Cache-Control"] = "no-store"  # the secret is in this answer only: no cache keeps it
    return CreatedSubscriptionOut(**shown.model_dump(), secret=subscription.secret)


@router.get("", response_model=Page[SubscriptionOut])
async def list_subscriptions(
    caller: ReaderDep, session: ReadSessionDep, limit: Limit = 50, cursor: Cursor = None,
    partner_id: uuid.UUID | None = None, active: bool | None = None,
) -> Page[SubscriptionOut]:
    """A partner's own subscriptions; staff see every partner's (`partner_id` filters)."""
    return Page.of(await webhooks.list_subscriptions(session, caller, partner_id, active, limit, cursor),
                   SubscriptionOut.of)


@router.get("/{subscription_id}", response_model=SubscriptionOut, name="read_subscription")
async def read_subscription(subscription_id: uuid.UUID, caller: ReaderDep, session: ReadSessionDep,
                            reply: ReplyDep) -> Any:
    """One webhook subscription of the caller's institution, without its secret."""
    return reply.current(await webhooks.visible_subscription(session, caller, subscription_id), SubscriptionOut.of)


@router.patch("/{subscription_id}", response_model=SubscriptionOut)
async def update_subscription(subscription_id: uuid.UUID, body: SubscriptionPatch, caller: ManagerDep,
                              uow: UnitOfWorkDep, clock: ClockDep, expected: IfMatchDep, allowlist: AllowlistDep,
                              response: Response) -> SubscriptionOut:
    """Change the URL, the event types or the description; `active: false` pauses the subscription and
    `active: true` resumes it (a disabled one too): its pending deliveries are then attempted at once."""
    subscription = await webhooks.update_subscription(uow, caller, subscription_id, body.changes(), expected,
                                                      allowlist, clock.now())
    return SubscriptionOut.of(subscription, response)


@router.delete("/{subscription_id}", status_code=204)
async def delete_subscription(subscription_id: uuid.UUID, caller: ManagerDep, uow: UnitOfWorkDep,
                              expected: IfMatchDep) -> Response:
    """Remove the subscription and its delivery log; nothing more is sent to its URL."""
    await webhooks.delete_subscription(uow, caller, subscription_id, expected)
    return Response(status_code=204)


# --- the delivery log -----------------------------------------------------------------------------------------


@router.get("/{subscription_id}/deliveries", response_model=Page[DeliveryOut])
async def list_deliveries(
    subscription_id: uuid.UUID, caller: ReaderDep, session: ReadSessionDep, limit: Limit = 50,
    cursor: Cursor = None,
    state: Annotated[list[DeliveryState] | None, Query(description="One or more states")] = None,
    event_id: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[DeliveryOut]:
    """The subscription's delivery log, newest first: each event queued for it with its attempts, and notices
    (`kind: subscription_disabled`)."""
    rows, next_cursor = await webhooks.list_deliveries(session, caller, subscription_id, state, event_id, limit,
                                                       cursor)
    return Page(items=[DeliveryOut.of(r) for r in rows], next_cursor=next_cursor)


@router.get("/{subscription_id}/deliveries/{delivery_id}", response_model=DeliveryDetailOut)
async def read_delivery(subscription_id: uuid.UUID, delivery_id: uuid.UUID, caller: ReaderDep,
                        session: ReadSessionDep) -> DeliveryDetailOut:
    """One entry of the log, with the CloudEvent it sends."""
    row = await webhooks.read_delivery(session, caller, subscription_id, delivery_id)
    return DeliveryDetailOut.of(row, event=json.loads(row.payload) if row.payload else None)


@router.post("/{subscription_id}/deliveries/{delivery_id}/replay", status_code=202, response_model=DeliveryOut)
async def replay_delivery(subscription_id: uuid.UUID, delivery_id: uuid.UUID, caller: ManagerDep,
                          uow: UnitOfWorkDep) -> DeliveryOut:
    """Send the event again (a delivered one too, or a given-up one): it is queued at once, before any later
    event of its subject. A disabled subscription sends it once it is active again."""
    return DeliveryOut.of(await webhooks.replay_delivery(uow, caller, subscription_id, delivery_id))
