"""The notification requests of every service, from their private topics (`shared/contracts/notifications.py`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.usecases.requests import take_request
from shared.clock import Clock
from shared.contracts.notifications import NotificationRequested, notifications_topic
from shared.events.consumer import EventHandlers
from shared.events.envelope import CloudEvent

# The services that tell people things, each on its own private topic.
REQUESTING_SERVICES = ("partnerships", "training", "outreach")


def event_handlers(clock: Clock) -> EventHandlers:
    """The handlers, reading "now" from `clock` (the service's: a test's moved clock decides which reminders are
    still ahead)."""
    handlers = EventHandlers()

    @handlers.on_topic(*(notifications_topic(s) for s in REQUESTING_SERVICES))
    async def requested(session: AsyncSession, event: CloudEvent) -> None:
        if event.type == NotificationRequested.event_type:
            await take_request(session, event, clock.now())

    return handlers
