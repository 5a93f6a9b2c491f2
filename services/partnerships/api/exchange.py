"""`/api/v1/partnerships/studbook/import` and `/studbook/export`: the studbook exchanged with SPARKS and PMx in
SPARKS' exchange layout (`formats/sparks.py` names the columns; `usecases/exchange.py` says what an import does
with each record).

`POST /studbook/import` takes `text/csv` or `application/octet-stream` (an `EXCHANGE.CSV`; the `.DBF` twin is
not read: export it as CSV), at most 5,000 records and 4 MiB, and answers 200 with a result per record. A body
that cannot be read at all is refused whole: 415 for another media type, 413 beyond the limits, 422 without a
header naming `STUD_ID`. Coordinators and admins import; staff export.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from services.partnerships.formats.sparks import COLUMNS, MEDIA_TYPE, UnreadableExchange, read_exchange
from services.partnerships.usecases import exchange
from shared.auth import GuardedRoute, StaffDep, WriterDep
from shared.http import read_body
from shared.problems import invalid, too_large, unsupported_media_type
from shared.service import ClockDep, ReadSessionDep, UnitOfWorkDep

router = APIRouter(route_class=GuardedRoute, prefix="/studbook", tags=["genetics"])

OCTETS = "application/octet-stream"  # also read: the file as bytes, as generated clients may send it
MAX_RECORDS = 5000
MAX_BYTES = 4 * 1024 * 1024
_EXAMPLE = ("STUD_ID,SIRE_ID,DAM_ID,SEX,BDATE,BIRTH_EST,DDATE,NAME,MULT_SIRES\r\n"
            "301,WILD,WILD,M,19880701,Y,20150302,Bao Bao,\r\n"
            "302,WILD,WILD,F,19900701,Y,,Mei Mei,\r\n"
            "303,301,302,F,20000815,N,,Xiao Mei,\r\n"
            "304,MULT,303,M,20080820,N,,Le Le,301:0.7;305:0.3\r\n"
            "305,UNK,UNK,M,19960701,Y,,Da Shan,\r\n")
_BODY_DOC = {"required": True, "content": {MEDIA_TYPE: {"schema": {"type": "string"}, "example": _EXAMPLE}},
             "description": "An exchange file: a header row naming the columns (" + ", ".join(COLUMNS) + "), "
                            "then one record per animal, in any order"}


class StudbookRecordError(BaseModel):
    loc: list[str] = Field(description="The column: [\"DAM_ID\"]")
    msg: str
    type: str


class StudbookRecordResult(BaseModel):
    line: int = Field(description="The record's line in the file (the header is line 1)")
    stud_id: str
    status: Literal["created", "exists", "invalid"]
    id: str | None = Field(None, description="The panda created, or the one registered under that number")
    errors: list[StudbookRecordError] | None = None


class StudbookImportReport(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "created": 1, "exists": 1, "invalid": 1, "results": [
            {"line": 2, "stud_id": "301", "status": "exists", "id": "0192f0a4-8a2b-7c4d-8e5f-6a7b8c9d0e1f"},
            {"line": 3, "stud_id": "306", "status": "created", "id": "0192f0a4-9b3c-7d5e-9f6a-7b8c9d0e1f2a"},
            {"line": 4, "stud_id": "307", "status": "invalid", "errors": [
                {"loc": ["DAM_ID"], "msg": "no panda 999 in the studbook, nor a valid record of it in the file",
                 "type": "not_found"}]}]}]})
    created: int
    exists: int
    invalid: int
    results: list[StudbookRecordResult]


@router.post("/import", response_model=StudbookImportReport, response_model_exclude_none=True,
             openapi_extra={"requestBody": _BODY_DOC},
             responses={415: {"description": f"The body is not {MEDIA_TYPE}"}})
async def import_studbook(request: Request, caller: WriterDep, uow: UnitOfWorkDep,
                          clock: ClockDep) -> StudbookImportReport:
    """Import a studbook in SPARKS' exchange layout: each record created, already there, or invalid (why, by
    column). Parents may come after their offspring in the file; a parent cycle is refused."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() not in (MEDIA_TYPE, "text/plain", OCTETS):
        raise unsupported_media_type(f"send the exchange file as {MEDIA_TYPE} (or {OCTETS})")
    try:
        records = read_exchange((await read_body(request, MAX_BYTES, "a studbook import")).decode("utf-8"))
    except UnicodeDecodeError:
        raise invalid("the file is not UTF-8 text") from None
    except UnreadableExchange as exc:
        raise invalid(str(exc)) from None
    if len(records) > MAX_RECORDS:
        raise too_large(f"a studbook import is at most {MAX_RECORDS} records; this one has {len(records)}")
    if not records:
        raise invalid("the file holds no record")
    outcomes = await exchange.import_exchange(uow, records, clock.now())
    results = [StudbookRecordResult(line=o.line, stud_id=o.stud_id, status=o.status,  # type: ignore[arg-type]
                            id=str(o.id) if o.id else None,
                            errors=[StudbookRecordError(**e) for e in o.errors] or None) for o in outcomes]
    return StudbookImportReport(created=sum(r.status == "created" for r in results),
                        exists=sum(r.status == "exists" for r in results),
                        invalid=sum(r.status == "invalid" for r in results), results=results)


@router.get("/export", response_class=Response, responses={200: {
    "content": {MEDIA_TYPE: {"schema": {"type": "string"}, "example": _EXAMPLE}},
    "description": "The whole studbook in SPARKS' exchange layout (EXCHANGE.CSV), for PMx"}})
async def export_studbook(caller: StaffDep, session: ReadSessionDep) -> Response:
    """The whole studbook as an exchange file, by studbook number: parents as numbers or UNK/WILD/MULT, dates as
    YYYYMMDD, LOCATION the holder."""
    return Response(await exchange.export_exchange(session), media_type=f"{MEDIA_TYPE}; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="EXCHANGE.CSV"'})
