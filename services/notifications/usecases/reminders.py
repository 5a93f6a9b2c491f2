"""Reminders at their time, and contacts kept no longer than needed.

A reminder is taken by deleting its row (at the due time it was read with): of two replicas that find it due,
one deletes it and queues the message, the other deletes nothing and moves on. A reminder that a cancellation
called off, or a move re-timed, is no longer there at its old time to be found.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, select, update

from services.notifications.db.models import messages, reminders
from services.notifications.usecases.requests import queue_messages
from shared.contracts.notifications import Recipient
from shared.db.engine import Database

log = logging.getLogger("notifications")


async def send_due_reminders(db: Database, now: dt.datetime) -> int:
    """Queue the message of every reminder due at `now` (the service's clock); answers how many."""
    r = reminders
    async with db.read() as s:
        due = (await s.execute(select(r).where(r.c.due_at <= now).order_by(r.c.due_at).limit(500))).all()
    queued = 0
    for row in due:
        async with db.write_session() as s, s.begin():
            taken = (await s.execute(delete(r).where(r.c.key == row.key, r.c.due_at == row.due_at))).rowcount
            if not taken:
                continue
            await queue_messages(s, fact_id=f"{row.key}@{row.due_at.isoformat()}", subject=row.subject,
                                 template=row.template, category=row.category,
                                 recipient=Recipient.model_validate(row.recipient), context=row.context,
                                 keep_until=row.keep_until)
            queued += 1
    return queued


async def forget_expired_contacts(db: Database, now: dt.datetime) -> int:
    """Contacts past their `keep_until` are erased from the log (the message's record stays) and from reminders."""
    m = messages
    async with db.write_session() as s, s.begin():
        erased = (await s.execute(update(m).where(m.c.keep_until < now, m.c.address.is_not(None)).values(
            address=None, name=None, member=None, context=None))).rowcount
        await s.execute(delete(reminders).where(reminders.c.keep_until < now))
    if erased:
        log.info("contacts past their time erased", extra={"messages": erased})
    return erased
