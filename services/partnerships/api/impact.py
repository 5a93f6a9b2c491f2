"""`/api/v1/partnerships/partners/{id}/impact` and `/agreements/{id}/impact`: what a cooperation produced.

The figures are the impact ledger's (`domain/impact.py`), kept from the training, outreach and publications
events by `events/handlers.py`. Staff see every partner's and agreement's impact; a partner caller sees its own
institution's and that of the agreements that name it. An agreement still in negotiation is not shown to
those it does not name (404, as on `/agreements/{id}`); a public one that does not name the caller is a 403.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.db.models import agreements, impact_contributions, partners
from services.partnerships.domain.agreement import PUBLIC_STATES
from services.partnerships.domain.impact import Impact, Scope
from shared.auth import GuardedRoute, SignedInDep
from shared.problems import forbidden, not_found
from shared.service import ReadSessionDep

router = APIRouter(route_class=GuardedRoute, tags=["impact"])


class ImpactOut(BaseModel):
    works_published: int = Field(description="Works of the joint research published and not retracted")
    trainees_completed: int = Field(description="Training enrollments completed")
    certificates_issued: int = Field(description="Completion certificates issued")
    outreach_events_held: int = Field(description="Outreach events held (completed, not cancelled)")
    outreach_attendance: int = Field(description="People who came to those outreach events")


class PartnerImpactOut(ImpactOut):
    partner_id: uuid.UUID


class AgreementImpactOut(ImpactOut):
    agreement_id: uuid.UUID


async def _impact_of(session: AsyncSession, scope: Scope, scope_id: uuid.UUID) -> Impact:
    c = impact_contributions
    rows = await session.execute(
        select(c.c.figure, func.sum(c.c.amount))
        .where(c.c.scope == scope.value, c.c.scope_id == scope_id)
        .group_by(c.c.figure)
    )
    return Impact.from_totals((figure, total) for figure, total in rows.all())


def _answer(request: Request, response: Response, body: dict[str, Any]) -> Any:
    """The figures, with an ETag of their values (they have no version of their own) and 304 on a match."""
    digest = hashlib.sha256(repr(sorted(body.items())).encode()).hexdigest()[:20]
    etag = f'"impact-{digest}"'
    header = request.headers.get("if-none-match")
    if header and any(t.strip().removeprefix("W/") in (etag, "*") for t in header.split(",")):
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    return body


@router.get("/partners/{partner_id}/impact", response_model=PartnerImpactOut)
async def partner_impact(
    partner_id: uuid.UUID, caller: SignedInDep, session: ReadSessionDep, request: Request, response: Response
) -> Any:
    """What the partner institution's cooperation produced, over all its agreements and on its own."""
    found = (await session.execute(select(partners.c.id).where(partners.c.id == partner_id))).first()
    if found is None:
        raise not_found(f"no partner {partner_id}")
    if not caller.may_see_partner(partner_id):
        raise forbidden("a partner sees only its own institution's impact")
    figures = await _impact_of(session, Scope.partner, partner_id)
    return _answer(request, response, {"partner_id": str(partner_id), **figures.as_dict()})


@router.get("/agreements/{agreement_id}/impact", response_model=AgreementImpactOut)
async def agreement_impact(
    agreement_id: uuid.UUID, caller: SignedInDep, session: ReadSessionDep, request: Request, response: Response
) -> Any:
    """What the cooperation under the agreement produced."""
    row = (
        await session.execute(
            select(agreements.c.state, agreements.c.partner_ids).where(agreements.c.id == agreement_id)
        )
    ).first()
    if row is None:
        raise not_found(f"no agreement {agreement_id}")
    named = caller.partner_id is not None and str(caller.partner_id) in {str(p) for p in row.partner_ids or ()}
    if not (caller.is_staff or named):
        if row.state not in PUBLIC_STATES:
            raise not_found(f"no agreement {agreement_id}")  # as /agreements/{id}: not known to this caller
        raise forbidden("a partner sees the impact of the agreements that name it only")
    figures = await _impact_of(session, Scope.agreement, agreement_id)
    return _answer(request, response, {"agreement_id": str(agreement_id), **figures.as_dict()})
