"""The jobs: the sender (woken by each commit that queued messages, else polling), and the reminders' clock."""

from __future__ import annotations

import asyncio
import contextlib

from services.notifications.settings import NotificationsSettings
from services.notifications.usecases import requests
from services.notifications.usecases.reminders import forget_expired_contacts, send_due_reminders
from services.notifications.usecases.sending import Sender
from shared.service import ServiceRuntime


async def send_messages(runtime: ServiceRuntime) -> None:
    settings: NotificationsSettings = runtime.settings  # type: ignore[assignment]
    sender = Sender(settings, runtime.db)
    loop = asyncio.get_running_loop()
    last_gauge = 0.0
    while True:
        requests.queued.clear()
        tried = await sender.send_due()
        if loop.time() - last_gauge > 5:
            last_gauge = loop.time()
            await sender.refresh_pending()
        if tried:
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(requests.queued.wait(), settings.send_poll_seconds)


async def keep_reminders(runtime: ServiceRuntime) -> None:
    settings: NotificationsSettings = runtime.settings  # type: ignore[assignment]
    while True:
        now = runtime.clock.now()
        await send_due_reminders(runtime.db, now)
        await forget_expired_contacts(runtime.db, now)
        await asyncio.sleep(settings.reminder_check_seconds)
