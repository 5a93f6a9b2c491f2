"""`/api/v1/training/certificates/{code}`: anyone may verify a completion certificate. It shows who holds it,
for which program and cohort, and when it was issued; never the holder's email or anything else personal."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from services.training.usecases.certificates import verify_certificate as verify
from shared.auth import CallerDep, GuardedRoute
from shared.service import ReadSessionDep
from shared.validation import Day

router = APIRouter(route_class=GuardedRoute, prefix="/certificates", tags=["certificates"])

CertificateCode = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")]


class CertificateOut(BaseModel):
    code: str
    valid: bool = True
    holder_name: str
    program_id: uuid.UUID
    program_title: dict[str, str]
    cohort_id: uuid.UUID
    cohort_starts_on: Day
    cohort_ends_on: Day
    issued_at: dt.datetime


@router.get("/{code}", response_model=CertificateOut)
async def verify_certificate(code: CertificateCode, _caller: CallerDep, session: ReadSessionDep) -> CertificateOut:
    """Check a certificate by its code (public): whose it is and for which program and cohort; never an email."""
    return CertificateOut.model_validate(await verify(session, code))
