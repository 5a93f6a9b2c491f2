"""`/api/v1/partnerships/partners/{id}/impact` and `/agreements/{id}/impact`: what a cooperation produced.

The figures are the impact ledger's (`domain/impact.py`), kept from the training, outreach and publications
events (`usecases/impact.py`). Staff see every partner's and agreement's impact; a partner caller sees its own
institution's and that of the agreements that name it.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from services.partnerships.api.ledger import AgreementImpactOut, PartnerImpactOut
from services.partnerships.usecases import impact
from shared.auth import GuardedRoute, SignedInDep
from shared.http import not_modified, set_etag
from shared.service import ReadSessionDep

router = APIRouter(route_class=GuardedRoute, tags=["impact"])


def _answer(request: Request, response: Response, body: dict[str, Any]) -> Any:
    """The figures, with an ETag of their values (they have no version of their own) and 304 on a match."""
    tag = "impact-" + hashlib.sha256(repr(sorted(body.items())).encode()).hexdigest()[:20]
    if (unchanged := not_modified(request, tag)) is not None:
        return unchanged
    set_etag(response, tag)
    return body


@router.get("/partners/{partner_id}/impact", response_model=PartnerImpactOut)
async def partner_impact(partner_id: uuid.UUID, caller: SignedInDep, session: ReadSessionDep, request: Request,
                         response: Response) -> Any:
    """What the partner institution's cooperation produced, over all its agreements and on its own."""
    figures = await impact.partner_impact(session, caller, partner_id)
    return _answer(request, response, {"partner_id": str(partner_id), **figures.as_dict()})


@router.get("/agreements/{agreement_id}/impact", response_model=AgreementImpactOut)
async def agreement_impact(agreement_id: uuid.UUID, caller: SignedInDep, session: ReadSessionDep, request: Request,
                           response: Response) -> Any:
    """What the cooperation under the agreement produced."""
    figures = await impact.agreement_impact(session, caller, agreement_id)
    return _answer(request, response, {"agreement_id": str(agreement_id), **figures.as_dict()})
