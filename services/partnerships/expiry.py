"""Agreements expire by themselves: the day after its term ends, an active agreement becomes expired, once.

Every replica runs this job. Each expiry is its own transaction, and the agreement's version check makes the
update conditional, so when two replicas race for the same agreement one commits the expiry (with its history
step and its event) and the other's update matches no row and is dropped: exactly one `expired` event.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from services.partnerships.db.models import agreements
from services.partnerships.domain.agreement import Agreement, AgreementState
from services.partnerships.events.published import AgreementExpired
from shared.service import ServiceRuntime, UnitOfWork

log = logging.getLogger("expiry")


async def expire_agreements(runtime: ServiceRuntime) -> None:
    interval = runtime.settings.expiry_check_seconds  # type: ignore[attr-defined]
    while True:
        await expire_due(runtime)
        await asyncio.sleep(interval)


async def expire_due(runtime: ServiceRuntime) -> int:
    today = runtime.clock.today()
    async with runtime.db.read() as s:
        due = list((await s.execute(
            select(agreements.c.id)
            .where(agreements.c.state == AgreementState.active, agreements.c.effective_until < today)
            .order_by(agreements.c.effective_until).limit(500)
        )).scalars())
    expired = 0
    for agreement_id in due:
        async with runtime.db.write_session() as session:
            uow = UnitOfWork(session, runtime.outbox)
            agreement = await session.get(Agreement, agreement_id)
            step = agreement.expire_if_due(runtime.clock.now()) if agreement is not None else None
            if step is None:
                continue  # another replica got there first, or the term was renewed meanwhile
            try:
                await uow.publish(AgreementExpired.of_step(agreement, step))  # flushes the versioned update
                await uow.commit()
            except StaleDataError:
                await session.rollback()
                continue
            expired += 1
            log.info("agreement expired", extra={"agreement": str(agreement_id), "code": agreement.code})
    return expired
