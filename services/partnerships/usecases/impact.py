"""The impact ledger: kept from the training, outreach and publications events (`record_impact`, in the
consumer's transaction), read for a partner institution or an agreement.

Staff see every partner's and agreement's impact; a partner caller sees its own institution's and that of the
agreements that name it. An agreement still in negotiation is not shown to those it does not name (404, as on
`/agreements/{id}`); a public one that does not name the caller is a 403.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.db.models import agreements, impact_contributions, impact_sources, partners
from services.partnerships.domain import impact
from services.partnerships.domain.agreement import PUBLIC_STATES
from services.partnerships.domain.impact import Impact, Scope
from shared.auth import Caller
from shared.db.types import utcnow
from shared.domain import NotFound
from shared.events.envelope import CloudEvent
from shared.problems import forbidden


async def record_impact(session: AsyncSession, event: CloudEvent) -> None:
    """Apply `event` to the ledger if it is newer than what the ledger knows of its source, replacing that
    source's contributions as a whole."""
    report = impact.report_of(event.type, event.data, event.time)  # MalformedImpactEvent: to the DLQ
    s = impact_sources
    held = (
        await session.execute(
            select(s.c.version, s.c.occurred_at).where(s.c.source == report.source).with_for_update()
        )
    ).first()
    now = utcnow()
    if held is None:
        await session.execute(
            insert(s).values(source=report.source, version=report.version, occurred_at=report.occurred_at,
                             updated_at=now)
        )
    elif report.supersedes(held.version, held.occurred_at):
        await session.execute(
            update(s).where(s.c.source == report.source)
            .values(version=report.version, occurred_at=report.occurred_at, updated_at=now)
        )
        await session.execute(delete(impact_contributions).where(impact_contributions.c.source == report.source))
    else:
        return  # a repeat, or older than what the ledger has: the figures already say more
    if report.contributions:
        await session.execute(
            insert(impact_contributions),
            [
                {"source": report.source, "scope": c.scope.value, "scope_id": c.scope_id, "figure": c.figure,
                 "amount": c.amount}
                for c in report.contributions
            ],
        )


async def _impact_of(session: AsyncSession, scope: Scope, scope_id: uuid.UUID) -> Impact:
    c = impact_contributions
    rows = await session.execute(
        select(c.c.figure, func.sum(c.c.amount))
        .where(c.c.scope == scope.value, c.c.scope_id == scope_id)
        .group_by(c.c.figure)
    )
    return Impact.from_totals((figure, total) for figure, total in rows.all())


async def partner_impact(session: AsyncSession, caller: Caller, partner_id: uuid.UUID) -> Impact:
    """What the partner institution's cooperation produced, over all its agreements and on its own."""
    found = (await session.execute(select(partners.c.id).where(partners.c.id == partner_id))).first()
    if found is None:
        raise NotFound(f"no partner {partner_id}")
    if not caller.may_see_partner(partner_id):
        raise forbidden("a partner sees only its own institution's impact")
    return await _impact_of(session, Scope.partner, partner_id)


async def agreement_impact(session: AsyncSession, caller: Caller, agreement_id: uuid.UUID) -> Impact:
    """What the cooperation under the agreement produced."""
    row = (
        await session.execute(
            select(agreements.c.state, agreements.c.partner_ids).where(agreements.c.id == agreement_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"no agreement {agreement_id}")
    named = caller.partner_id is not None and str(caller.partner_id) in {str(p) for p in row.partner_ids or ()}
    if not (caller.is_staff or named):
        if row.state not in PUBLIC_STATES:
            raise NotFound(f"no agreement {agreement_id}")  # as /agreements/{id}: not known to this caller
        raise forbidden("a partner sees the impact of the agreements that name it only")
    return await _impact_of(session, Scope.agreement, agreement_id)
