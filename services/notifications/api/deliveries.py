"""`/api/v1/notifications/deliveries`: the delivery log, for coordinators."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.notifications.domain.message import Channel, MessageStatus
from services.notifications.usecases.deliveries import LogFilters, list_deliveries
from shared.auth import Caller, GuardedRoute, requires
from shared.pagination import ListQuery, Page, PageQuery
from shared.roles import Role
from shared.service import ReadSessionDep
from shared.validation import ShortText, Text

router = APIRouter(route_class=GuardedRoute, tags=["notifications"])
CoordinatorDep = Annotated[Caller, requires(Role.coordinator)]


class NotificationLogQuery(PageQuery):
    subject: ShortText | None = Field(None, description="What the fact is about: a registration's id")
    fact_id: Text(300) | None = Field(  # type: ignore[valid-type]
        None, description="The fact: `outreach.registration_confirmed:<id>`")
    recipient: Text(500) | None = Field(None, description="An email address or a device token")  # type: ignore[valid-type]
    channel: Channel | None = None
    status: MessageStatus | None = None


class NotificationOut(BaseModel):
    id: uuid.UUID
    fact_id: str
    subject: str
    channel: Channel
    template: str = Field(description="Which message: `outreach.registration_confirmed`")
    category: str = Field(description="`transactional` (always sent) or a category people may turn off")
    language: str
    address: str | None = Field(description="The email address or device token; null once erased")
    status: MessageStatus
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


@router.get("/deliveries", response_model=Page[NotificationOut])
async def list_notification_deliveries(query: ListQuery[NotificationLogQuery], caller: CoordinatorDep,
                                       session: ReadSessionDep) -> Page[NotificationOut]:
    """Every message queued, newest first: by fact, by what it is about, by recipient, channel or status."""
    filters = LogFilters(**query.model_dump(exclude={"limit", "cursor"}))
    found = await list_deliveries(session, caller, filters, query.limit, query.cursor)
    return Page.of(found, lambda row: NotificationOut.model_validate(dict(row._mapping)))
