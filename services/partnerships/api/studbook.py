"""The studbook on the wire, as the pandas and loans routers both answer and accept it: a panda, a loan, a
studbook number. Shapes only; the routers are `pandas.py` and `loans.py`."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

from services.partnerships.domain.loan import LoanState
from services.partnerships.domain.panda import Sex
from services.partnerships.domain.pedigree import ParentOrigin
from shared.http import Representation
from shared.validation import Day, Stripped

StudbookNumber = Stripped(20, r"^[A-Za-z0-9][A-Za-z0-9 ._/-]*$")


class PossibleSire(BaseModel):
    """One of several possible sires (SPARKS `MULT`) and the probability that it is the sire (0-1]."""

    model_config = ConfigDict(extra="forbid")
    panda_id: uuid.UUID
    probability: float = Field(gt=0, le=1, allow_inf_nan=False)


class PandaOut(Representation):
    id: uuid.UUID
    studbook_number: str
    name: dict[str, str]
    sex: Sex
    birth_date: Day
    birthplace: str | None
    dam_id: uuid.UUID | None
    sire_id: uuid.UUID | None
    birth_date_estimated: bool
    death_date: Day | None
    managed: bool
    dam_origin: ParentOrigin
    sire_origin: ParentOrigin
    possible_sires: list[PossibleSire] | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class LoanOut(Representation):
    id: uuid.UUID
    panda_id: uuid.UUID
    agreement_id: uuid.UUID
    host_partner_id: uuid.UUID
    start_date: Day
    planned_end_date: Day
    returned_on: Day | None
    state: LoanState
    mother_loan_id: uuid.UUID | None
    allowed_actions: list[str]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

