"""Agreements expire by themselves: the day after its term ends, an active agreement becomes expired, once.

Every replica runs this job. Each expiry is the agreement's `expire` step, taken through the same use case as a
client's transition (`take_agreement_step`), in its own transaction: the agreement's row is locked and its
version checked, so when two replicas race for the same agreement one commits the expiry (with its history step
and its event) and the other finds it expired already (or its update matches no row) and drops it: exactly one
`expired` event.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from services.partnerships.db.models import agreements
from services.partnerships.domain.agreement import AgreementState
from services.partnerships.usecases.agreements import take_agreement_step
from shared.auth import Caller, Role
from shared.domain import ANY_VERSION, Conflict
from shared.service import ServiceRuntime, UnitOfWork

log = logging.getLogger("expiry")

SYSTEM = Caller(Role.admin, subject="system", via="job")  # the actor the history names for an expiry


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
            try:
                agreement = await take_agreement_step(uow, SYSTEM, agreement_id, "expire", {}, ANY_VERSION,
                                                      runtime.clock.now())
            except (Conflict, StaleDataError):
                await session.rollback()  # another replica got there first, or the term was renewed meanwhile
                continue
            expired += 1
            log.info("agreement expired", extra={"agreement": str(agreement_id), "code": agreement.code})
    return expired
