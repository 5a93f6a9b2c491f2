"""The studbook's genetics: `/pandas/{id}/genetics`, `/pandas/{id}/mates`, `/studbook/genetics`,
`/pairings/evaluate`. Figures by their standard definitions (`domain/genetics.py` gives each with its source);
coordinators, analysts and admins read everything, a partner what concerns the pandas it holds."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.partnerships.api.genetics_shapes import (
    MatesOut,
    PairingIn,
    PairingOut,
    PandaGeneticsOut,
    StudbookGeneticsOut,
)
from services.partnerships.usecases import genetics
from shared.auth import CallerDep, GuardedRoute
from shared.service import ReadSessionDep

router = APIRouter(route_class=GuardedRoute, tags=["genetics"])


@router.get("/pandas/{panda_id}/genetics", response_model=PandaGeneticsOut)
async def read_panda_genetics(panda_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep) -> PandaGeneticsOut:
    """A panda's inbreeding, mean kinship and its rank, founder contributions and unknown ancestry, and who holds
    it. Staff, or the partner holding it."""
    return PandaGeneticsOut.of(await genetics.panda_genetics(session, caller, panda_id))


@router.get("/pandas/{panda_id}/mates", response_model=MatesOut)
async def rank_mates(
    panda_id: uuid.UUID, caller: CallerDep, session: ReadSessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    candidate: Annotated[list[uuid.UUID] | None, Query(
        max_length=200, description="Rank only these pandas (a shortlist); others named are left out")] = None,
) -> MatesOut:
    """Candidate mates for a panda: the living managed pandas of the other sex, ranked, each with its figures,
    why, and whether the two can meet under the loans in force (or which transfer they need)."""
    ranked = await genetics.mates(session, caller, panda_id, limit, candidate or None)
    return MatesOut(panda_id=panda_id, mates=[PairingOut.of(a) for a in ranked])


@router.get("/studbook/genetics", response_model=StudbookGeneticsOut,
            responses={404: {"description": "A panda named in `population` does not exist"}})
async def read_studbook_genetics(
    caller: CallerDep, session: ReadSessionDep,
    population: Annotated[list[uuid.UUID] | None, Query(
        max_length=200, description="Figures for these pandas as one group (a group being planned) instead of "
                                     "the living managed population")] = None,
) -> StudbookGeneticsOut:
    """The population's gene diversity, founder genome equivalents, founder equivalents, founders represented,
    founder contributions, each animal's mean kinship, and the living pandas by institution. Staff only."""
    return StudbookGeneticsOut.of(await genetics.studbook_figures(session, caller, population or None))


@router.post("/pairings/evaluate", response_model=PairingOut)
async def evaluate_pairing(body: PairingIn, caller: CallerDep, session: ReadSessionDep) -> PairingOut:
    """What breeding this sire with this dam would give: the offspring's inbreeding, the change of gene
    diversity, the pair's mean kinships, and whether they can meet. Changes nothing. Staff, or a partner holding
    one of the two."""
    return PairingOut.of(await genetics.evaluate_pairing(session, caller, body.sire_id, body.dam_id))
