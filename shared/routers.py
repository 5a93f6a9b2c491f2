"""Routes that several services serve alike, built once."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from shared.auth import GuardedRoute, SignedInDep
from shared.domain import NotFound
from shared.readmodels.partners import KnownPartner, KnownPartners
from shared.service import ReadSessionDep


def known_partner_router(known_partners: KnownPartners, service: str) -> APIRouter:
    """`GET /partners/{id}`: a partner institution as `service` knows it from the partnerships events (404
    until the copy has arrived)."""
    router = APIRouter(route_class=GuardedRoute, tags=[f"{service}: partners (local copy)"])

    @router.get("/partners/{partner_id}", response_model=KnownPartner, name=f"get_{service}_partner_copy")
    async def get_known_partner(partner_id: uuid.UUID, _caller: SignedInDep, session: ReadSessionDep) -> KnownPartner:
        """A partner institution as this service knows it from the partnerships events."""
        partner = await known_partners.get(session, partner_id)
        if partner is None:
            raise NotFound(f"partner {partner_id} is not known to this service")
        return partner

    return router
