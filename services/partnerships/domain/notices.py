"""What a partner's contacts are told about its agreements: the notification requests recorded beside the public
facts (`shared/contracts/notifications.py`), on `partnerships.notifications`, the private topic only the
notifications service reads (they carry the contacts' names and emails).

    signed     → agreement_signed
    activated  → agreement_activated; reminders 60, 30 and 7 days before the term ends
    renewed    → the reminders moved to the new end
    terminated → the reminders called off
    expired    → agreement_expired (the reminders are spent by then)

Each contact with an email is told, in the language its record gives (English by default).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import uuid
from collections.abc import Iterable
from typing import Any, Protocol

from services.partnerships.domain.partner import Partner
from shared.contracts.notifications import NotificationRequested, Recipient, Reminder


class Agreement(Protocol):
    """What the notices read of the agreement (`agreement.Agreement`, which records them: not imported here, so
    that the two modules do not import each other)."""

    id: uuid.UUID
    code: str
    title: dict[str, str]
    kind: enum.Enum
    effective_from: dt.date
    effective_until: dt.date
    version: int

EXPIRY_WARNINGS = (60, 30, 7)  # days before the term ends
CATEGORY = "agreements"
KEEP_AFTER_END = dt.timedelta(days=30)


def _recipients(partners: Iterable[Partner]) -> list[tuple[Partner, Recipient]]:
    return [(p, Recipient(name=c.get("name") or "", email=c["email"], language=c.get("language") or "en"))
            for p in partners for c in p.contacts if c.get("email")]


def _reminder_key(agreement: Agreement, days: int, recipient: Recipient) -> str:
    # Per contact, and without the address itself: the key outlives an erasure of it.
    who = hashlib.sha256((recipient.email or "").lower().encode()).hexdigest()[:16]
    return f"partnerships.expiring.{days}:{agreement.id}:{who}"


def _context(agreement: Agreement, partner: Partner, **extra: Any) -> dict[str, Any]:
    return {"agreement_id": str(agreement.id), "partner_id": str(partner.id), "code": agreement.code,
            "title": agreement.title, "kind": agreement.kind.value, "partner_name": partner.name,
            "effective_from": agreement.effective_from.isoformat(),
            "effective_until": agreement.effective_until.isoformat(), **extra}


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def told(agreement: Agreement, action: str, partners: Iterable[Partner]) -> list[NotificationRequested]:
    """The requests `action` (a lifecycle step just taken) causes, one per contact of the partners named."""
    message = {"sign": "partnerships.agreement_signed", "activate": "partnerships.agreement_activated",
               "expire": "partnerships.agreement_expired"}.get(action)
    schedule = action in ("activate", "renew")
    call_off = action in ("terminate", "expire")
    if message is None and not schedule and not call_off:
        return []
    keep_until = _midnight(agreement.effective_until) + KEEP_AFTER_END
    requests = []
    for partner, recipient in _recipients(partners):
        keys = {days: _reminder_key(agreement, days, recipient) for days in EXPIRY_WARNINGS}
        requests.append(NotificationRequested(
            subject=str(agreement.id),
            fact_id=f"{message or action}:{agreement.id}:v{agreement.version}",
            message=message,
            category=CATEGORY,
            recipient=recipient,
            context=_context(agreement, partner),
            remind=[Reminder(key=keys[days], message="partnerships.agreement_expiring", category=CATEGORY,
                             due_at=_midnight(agreement.effective_until) - dt.timedelta(days=days),
                             context={"days": days})
                    for days in EXPIRY_WARNINGS] if schedule else [],
            cancel_reminders=list(keys.values()) if call_off else [],
            keep_until=keep_until,
        ))
    return requests
