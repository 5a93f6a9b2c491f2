"""What people do about their messages: members register devices for push and set their preferences; anyone
with an email's link unsubscribes from its category; staff erase one person's contact data."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.db.models import devices, messages, preferences, reminders, unsubscribes
from services.notifications.domain.message import Channel, recipient_key
from services.notifications.usecases.sending import read_unsubscribe_token
from shared.auth import Caller
from shared.contracts.notifications import CATEGORIES
from shared.db.upsert import upsert
from shared.domain import NotFound, RuleViolated
from shared.ids import new_id
from shared.service import UnitOfWork

MAX_DEVICES = 20  # per member: a phone, a tablet, a few browsers; more is an app registering without end


def _member(caller: Caller) -> str:
    assert caller.subject is not None  # every signed-in caller has one
    return caller.subject


# --- devices ----------------------------------------------------------------------------------------------------


async def register_device(uow: UnitOfWork, caller: Caller, token: str, platform: str, label: str | None,
                          now: dt.datetime) -> tuple[dict[str, Any], bool]:
    """The caller's device for push: `(device, created)`. A token registered before is the same device; one that
    another member registered moves to this one (the app was signed into again on that phone)."""
    member = _member(caller)
    key = recipient_key(token)
    s = uow.session
    found = (await s.execute(select(devices).where(devices.c.token_key == key))).first()
    if found is not None:
        await s.execute(update(devices).where(devices.c.id == found.id).values(member=member, platform=platform,
                                                                              label=label))
        await uow.commit()
        return {**found._asdict(), "member": member, "platform": platform, "label": label}, False
    count = (await s.execute(select(func.count()).select_from(devices).where(devices.c.member == member))).scalar_one()
    if count >= MAX_DEVICES:
        raise RuleViolated(f"a member registers at most {MAX_DEVICES} devices; remove one first", ("body", "token"))
    row = {"id": new_id(), "member": member, "token": token, "token_key": key, "platform": platform, "label": label,
           "created_at": now}
    await s.execute(devices.insert().values(**row))
    await uow.commit()
    return row, True


async def list_devices(session: AsyncSession, caller: Caller) -> list[dict[str, Any]]:
    rows = await session.execute(select(devices).where(devices.c.member == _member(caller))
                                 .order_by(devices.c.created_at, devices.c.id))
    return [r._asdict() for r in rows]


async def remove_device(uow: UnitOfWork, caller: Caller, device_id: uuid.UUID) -> None:
    """Raises NotFound for a device that is not the caller's."""
    removed = (await uow.session.execute(delete(devices).where(
        devices.c.id == device_id, devices.c.member == _member(caller)))).rowcount
    if not removed:
        raise NotFound("you have no device with this id")
    await uow.commit()


# --- preferences ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preference:
    category: str
    channel: Channel
    enabled: bool


async def read_preferences(session: AsyncSession, caller: Caller) -> list[Preference]:
    """Every category on every channel, on unless the member turned it off."""
    rows = await session.execute(select(preferences).where(preferences.c.member == _member(caller)))
    off = {(r.category, r.channel) for r in rows if not r.enabled}
    return [Preference(c, ch, (c, ch) not in off) for c in CATEGORIES for ch in Channel]


async def set_preferences(uow: UnitOfWork, caller: Caller, chosen: list[Preference], now: dt.datetime
                          ) -> list[Preference]:
    member = _member(caller)
    for p in chosen:
        if p.category not in CATEGORIES:
            raise RuleViolated(f"no category {p.category!r}; the categories are {', '.join(CATEGORIES)}",
                               ("body", "category"))
        values = {"enabled": p.enabled, "updated_at": now}
        await upsert(uow.session, preferences,
                     {"member": member, "category": p.category, "channel": p.channel, **values},
                     keys=("member", "category", "channel"), set_=values)
    await uow.commit()
    return await read_preferences(uow.session, caller)


# --- one-click unsubscribe (RFC 8058) ----------------------------------------------------------------------------


def unsubscribe_category(secret: str, token: str) -> str:
    """The category a link's token unsubscribes from. Raises NotFound for a token this service did not sign: there
    is no such link (or it was cut short)."""
    found = read_unsubscribe_token(secret, token)
    if found is None or found[1] not in CATEGORIES:
        raise NotFound("no such unsubscribe link: it is not one of ours, or was cut short")
    return found[1]


async def unsubscribe(uow: UnitOfWork, secret: str, token: str, now: dt.datetime) -> str:
    """The address of the link no longer gets its category (any channel by email); the same link twice changes
    nothing. Answers the category."""
    category = unsubscribe_category(secret, token)
    recipient = read_unsubscribe_token(secret, token)[0]  # type: ignore[index]
    await upsert(uow.session, unsubscribes, {"recipient": recipient, "category": category, "created_at": now},
                 keys=("recipient", "category"), set_={"category": category})
    await uow.commit()
    return category


# --- erasure ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Erased:
    messages: int
    reminders: int
    devices: int
    preferences: int
    unsubscribes: int


async def erase_contact(uow: UnitOfWork, *, email: str | None, phone: str | None, member: str | None) -> Erased:
    """Forget one person: their address, name and what their messages said (the log keeps that a message was
    sent, to a digest), their reminders, devices, preferences and opt-outs. GDPR Art. 17's erasure, for this
    service's data; the owning services keep their own records."""
    s = uow.session
    m, r = messages, reminders
    erased_messages = erased_devices = erased_preferences = erased_unsubscribes = 0
    keys = [recipient_key(a) for a in (email, phone) if a]
    if member:
        tokens = [t for (t,) in (await s.execute(select(devices.c.token).where(devices.c.member == member))).all()]
        keys += [recipient_key(t) for t in tokens]
    wipe = {"address": None, "name": None, "member": None, "context": None}
    if keys:
        erased_messages += (await s.execute(update(m).where(m.c.recipient.in_(keys)).values(**wipe))).rowcount
        erased_unsubscribes = (await s.execute(delete(unsubscribes).where(
            unsubscribes.c.recipient.in_(keys)))).rowcount
    if member:
        erased_messages += (await s.execute(update(m).where(m.c.member == member).values(**wipe))).rowcount
        erased_devices = (await s.execute(delete(devices).where(devices.c.member == member))).rowcount
        erased_preferences = (await s.execute(delete(preferences).where(preferences.c.member == member))).rowcount
    whose = [r.c.email_key.in_(keys), r.c.phone_key.in_(keys)] + ([r.c.member == member] if member else [])
    erased_reminders = (await s.execute(delete(r).where(or_(*whose)))).rowcount
    await uow.commit()
    return Erased(erased_messages, erased_reminders, erased_devices, erased_preferences, erased_unsubscribes)
