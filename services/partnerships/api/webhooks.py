"""`/api/v1/partnerships/webhooks`: a partner's webhook subscriptions and their delivery log (docs/webhooks.md).

A partner key manages its own institution's subscriptions; coordinators and admins manage any partner's
(naming `partner_id`), analysts read them all. Another partner's subscription does not exist for a partner
caller (404). The signing secret is in the answer to the POST that created the subscription, and nowhere else.
A URL must be https (plain http only to an allowlisted host) and must not resolve to a loopback, private or
link-local address unless `PARTNERSHIPS_WEBHOOK_ALLOWED_HOSTS` names it.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.db.models import partners, webhook_deliveries, webhook_subscriptions
from services.partnerships.domain.webhook import EVENT_TYPE_PATTERN, DeliveryState, LogEntryKind, Subscription
from services.partnerships.webhooks import destination_refusal, queued
from shared.auth import STAFF, Caller, GuardedRoute, Role, requires
from shared.db.types import utcnow
from shared.http import check_if_match, not_modified, set_etag
from shared.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor, keyset_page
from shared.problems import conflict, forbidden, invalid, not_found
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep, runtime_of
from shared.validation import Text

router = APIRouter(route_class=GuardedRoute, prefix="/webhooks", tags=["webhooks"])

ReaderDep = Annotated[Caller, requires(Role.partner, *STAFF)]
ManagerDep = Annotated[Caller, requires(Role.partner, Role.coordinator)]

MAX_SUBSCRIPTIONS_PER_PARTNER = 25

Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
EventType = Annotated[str, StringConstraints(max_length=200, pattern=EVENT_TYPE_PATTERN)]
EventTypes = Annotated[list[EventType], Field(
    min_length=1, max_length=50,
    description="Event types (`partnerships.agreement.signed`), prefixes (`training.*`), or `*` for every event "
                "that concerns the partner")]
Description = Text(500)


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: Url
    event_types: EventTypes
    description: Description | None = None  # type: ignore[valid-type]
    partner_id: uuid.UUID | None = Field(None, description="Whose subscription (staff); a partner's own by default")


class SubscriptionPatch(BaseModel):
    """Fields to change; an absent field stays as it is. `active: true` re-enables a disabled subscription."""

    model_config = ConfigDict(extra="forbid")
    url: Url | None = None
    event_types: EventTypes | None = None
    description: Description | None = None  # type: ignore[valid-type]
    active: bool | None = None


class SubscriptionOut(BaseModel):
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

    @classmethod
    def of(cls, s: Subscription) -> SubscriptionOut:
        return cls(
            id=s.id, partner_id=s.partner_id, url=s.url, event_types=s.event_types, description=s.description,
            active=s.active, disabled_reason=s.disabled_reason, disabled_at=s.disabled_at, version=s.version,
            created_at=s.created_at, updated_at=s.updated_at,
        )


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
    def of(cls, row: Any) -> DeliveryOut:
        return cls(
            id=row.id, kind=row.kind, event_id=row.event_id, type=row.event_type, subject=row.subject,
            state=row.state, attempts=row.attempts, last_status=row.last_status, last_error=row.last_error,
            first_attempt_at=row.first_attempt_at, last_attempt_at=row.last_attempt_at,
            next_attempt_at=row.next_attempt_at, delivered_at=row.delivered_at, detail=row.detail,
            created_at=row.created_at,
        )


class DeliveryDetailOut(DeliveryOut):
    event: dict[str, Any] | None = Field(description="The CloudEvent that is sent, as the receiver gets it")


# --- helpers --------------------------------------------------------------------------------------------------


def _own_partner(caller: Caller) -> uuid.UUID:
    if caller.partner_id is None:
        raise forbidden("this partner credential belongs to no partner institution")
    return caller.partner_id


async def _visible(session: AsyncSession, subscription_id: uuid.UUID, caller: Caller,
                   *, for_update: bool = False) -> Subscription:
    """The subscription, or 404 if it does not exist or belongs to another partner than the caller's."""
    subscription = await session.get(Subscription, subscription_id, with_for_update=for_update)
    if subscription is None or not caller.may_see_partner(subscription.partner_id):
        raise not_found(f"no webhook subscription {subscription_id}")
    return subscription


async def _check_url(request: Request, url: str) -> None:
    allowlist: frozenset[str] = runtime_of(request).settings.webhook_allowlist  # type: ignore[attr-defined]
    refusal = await destination_refusal(url, allowlist)  # RuleViolated: a 422 on `url`
    if refusal is not None:
        raise invalid(refusal, ("body", "url"), "url_refused")


def _answer(response: Response, subscription: Subscription) -> SubscriptionOut:
    set_etag(response, subscription.version)
    return SubscriptionOut.of(subscription)


async def _log_entry(session: AsyncSession, subscription_id: uuid.UUID, delivery_id: uuid.UUID) -> Any:
    d = webhook_deliveries
    row = (await session.execute(
        select(d).where(d.c.id == delivery_id, d.c.subscription_id == subscription_id)
    )).first()
    if row is None:
        raise not_found(f"no delivery {delivery_id} of webhook subscription {subscription_id}")
    return row


# --- subscriptions --------------------------------------------------------------------------------------------


@router.post("", status_code=201, response_model=CreatedSubscriptionOut)
async def create_subscription(
    body: SubscriptionIn, caller: ManagerDep, uow: UnitOfWorkDep, clock: ClockDep, request: Request,
    response: Response,
) -> CreatedSubscriptionOut:
    """Subscribe a URL to the events that concern a partner. The answer's `secret` is shown this once."""
    await _check_url(request, body.url)  # resolves the host: before the transaction takes any lock
    if caller.role is Role.partner:
        partner_id = _own_partner(caller)
        if body.partner_id not in (None, partner_id):
            raise forbidden("a partner subscribes for its own institution only")
    elif body.partner_id is None:
        raise invalid("name the partner whose subscription this is", ("body", "partner_id"), "missing")
    else:
        partner_id = body.partner_id
        known = (await uow.session.execute(select(partners.c.id).where(partners.c.id == partner_id))).first()
        if known is None:
            raise invalid(f"no partner {partner_id}", ("body", "partner_id"), "unknown_partner")
    s = webhook_subscriptions
    count = (await uow.session.execute(select(func.count()).where(s.c.partner_id == partner_id))).scalar_one()
    if count >= MAX_SUBSCRIPTIONS_PER_PARTNER:
        raise conflict(f"a partner has at most {MAX_SUBSCRIPTIONS_PER_PARTNER} webhook subscriptions")
    subscription = Subscription.create(partner_id=partner_id, url=body.url, event_types=body.event_types,
                                       description=body.description, now=clock.now())
    uow.session.add(subscription)
    await uow.commit()
    response.headers["Location"] = str(request.url_for("read_subscription", subscription_id=subscription.id).path)
    set_etag(response, subscription.version)
    return CreatedSubscriptionOut(**SubscriptionOut.of(subscription).model_dump(), secret=subscription.secret)


@router.get("", response_model=Page[SubscriptionOut])
async def list_subscriptions(
    caller: ReaderDep, session: ReadSessionDep, limit: Limit = 50, cursor: Cursor = None,
    partner_id: uuid.UUID | None = None, active: bool | None = None,
) -> Page[SubscriptionOut]:
    """A partner's own subscriptions; staff see every partner's (`partner_id` filters)."""
    stmt = select(Subscription)
    if not caller.is_staff:
        stmt = stmt.where(webhook_subscriptions.c.partner_id == _own_partner(caller))
    if partner_id is not None:
        stmt = stmt.where(webhook_subscriptions.c.partner_id == partner_id)
    if active is not None:
        stmt = stmt.where(webhook_subscriptions.c.state == ("active" if active else "disabled"))
    rows, next_cursor = await keyset_page(session, stmt, [webhook_subscriptions.c.id], [uuid.UUID], limit, cursor)
    return Page(items=[SubscriptionOut.of(r) for r in rows], next_cursor=next_cursor)


@router.get("/{subscription_id}", response_model=SubscriptionOut, name="read_subscription")
async def read_subscription(
    subscription_id: uuid.UUID, caller: ReaderDep, session: ReadSessionDep, request: Request, response: Response,
) -> Any:
    subscription = await _visible(session, subscription_id, caller)
    if (unchanged := not_modified(request, subscription.version)) is not None:
        return unchanged
    return _answer(response, subscription)


@router.patch("/{subscription_id}", response_model=SubscriptionOut)
async def update_subscription(
    subscription_id: uuid.UUID, body: SubscriptionPatch, caller: ManagerDep, uow: UnitOfWorkDep, clock: ClockDep,
    request: Request, response: Response,
) -> SubscriptionOut:
    """Change the URL, the event types or the description; `active: false` pauses the subscription and
    `active: true` resumes it (a disabled one too): its pending deliveries are then attempted at once."""
    changes = body.model_dump(exclude_unset=True)
    for required in ("url", "event_types", "active"):
        if required in changes and changes[required] is None:
            raise invalid(f"{required} cannot be removed", ("body", required))
    if "url" in changes:
        await _check_url(request, changes["url"])  # resolves the host: before the transaction takes any lock
    subscription = await _visible(uow.session, subscription_id, caller, for_update=True)
    check_if_match(request, subscription.version)
    was_active = subscription.active
    now = clock.now()
    changed = subscription.update(changes, now)
    resumed = subscription.active and not was_active
    if resumed:
        # A fresh start: the pending deliveries are due now, and their give-up clock starts again.
        d = webhook_deliveries
        await uow.session.execute(
            update(d).where(d.c.subscription_id == subscription.id, d.c.state == DeliveryState.pending.value)
            .values(first_attempt_at=None, next_attempt_at=utcnow(), lease_until=None, claim=d.c.claim + 1)
        )
    await uow.commit()
    if resumed and changed:
        queued.set()
    return _answer(response, subscription)


@router.delete("/{subscription_id}", status_code=204)
async def delete_subscription(
    subscription_id: uuid.UUID, caller: ManagerDep, uow: UnitOfWorkDep, request: Request,
) -> Response:
    """Remove the subscription and its delivery log; nothing more is sent to its URL."""
    subscription = await _visible(uow.session, subscription_id, caller, for_update=True)
    check_if_match(request, subscription.version)
    await uow.session.execute(delete(webhook_deliveries).where(webhook_deliveries.c.subscription_id == subscription.id))
    await uow.session.delete(subscription)
    await uow.commit()
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
    await _visible(session, subscription_id, caller)
    d = webhook_deliveries
    stmt = select(d).where(d.c.subscription_id == subscription_id)
    if state:
        stmt = stmt.where(d.c.state.in_([s.value for s in state]))
    if event_id:
        stmt = stmt.where(d.c.event_id == event_id)
    if cursor:
        (after,) = decode_cursor(cursor, [int])
        stmt = stmt.where(d.c.seq < after)
    rows = list((await session.execute(stmt.order_by(d.c.seq.desc()).limit(limit + 1))).all())
    next_cursor = encode_cursor([rows[limit - 1].seq]) if len(rows) > limit else None
    return Page(items=[DeliveryOut.of(r) for r in rows[:limit]], next_cursor=next_cursor)


@router.get("/{subscription_id}/deliveries/{delivery_id}", response_model=DeliveryDetailOut)
async def read_delivery(
    subscription_id: uuid.UUID, delivery_id: uuid.UUID, caller: ReaderDep, session: ReadSessionDep,
) -> DeliveryDetailOut:
    """One entry of the log, with the CloudEvent it sends."""
    await _visible(session, subscription_id, caller)
    row = await _log_entry(session, subscription_id, delivery_id)
    return DeliveryDetailOut(**DeliveryOut.of(row).model_dump(),
                             event=json.loads(row.payload) if row.payload else None)


@router.post("/{subscription_id}/deliveries/{delivery_id}/replay", status_code=202, response_model=DeliveryOut)
async def replay_delivery(
    subscription_id: uuid.UUID, delivery_id: uuid.UUID, caller: ManagerDep, uow: UnitOfWorkDep,
) -> DeliveryOut:
    """Send the event again (a delivered one too, or a given-up one): it is queued at once, before any later
    event of its subject. A disabled subscription sends it once it is active again."""
    await _visible(uow.session, subscription_id, caller)
    row = await _log_entry(uow.session, subscription_id, delivery_id)
    if row.kind != LogEntryKind.event.value:
        raise conflict("only an event's delivery can be replayed; this entry is a notice")
    d = webhook_deliveries
    await uow.session.execute(
        update(d).where(d.c.seq == row.seq).values(
            state=DeliveryState.pending.value, next_attempt_at=utcnow(), first_attempt_at=None,
            delivered_at=None, lease_until=None, claim=d.c.claim + 1,
        )
    )
    row = await _log_entry(uow.session, subscription_id, delivery_id)
    await uow.commit()
    queued.set()
    return DeliveryOut.of(row)
