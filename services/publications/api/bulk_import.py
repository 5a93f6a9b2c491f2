"""`POST /api/v1/publications/works/import`: partners' systems and staff bring in up to 1000 works at once.

The body is CSL-JSON (`application/vnd.citationstyles.csl+json` or `application/json`: a list of items, or
`{"items": [...]}`) or BibTeX (`application/x-bibtex` or `text/x-bibtex`); how each record's fields map onto a
work is told in `formats/bibliography.py`. Each record is checked as a work sent to `POST /works` is, then
imported (`usecases/imports.py`): `created` (a draft, for staff to review and publish), `duplicate` (a work with
its DOI exists already, or an earlier record of the same import has it) or `invalid` (`errors` says why, each
`{"loc", "msg", "type"}` with `loc` in the record's own field names: `["DOI"]`, `["author", 0, "ORCID"]` for
CSL-JSON; `["doi"]`, `["year"]` for BibTeX). Valid records are kept whatever happens to the others. The answer
is 200 with the counts and one result per record, in the body's order.

A body that cannot be read at all is refused whole, and nothing is written: 415 for another media type, 413
beyond 16 MiB or 1000 records, 422 for text that is not CSL-JSON / BibTeX or holds no record.
Coordinators, admins and partners (their systems) may import.
"""

from __future__ import annotations

import codecs
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from services.publications.api.inputs import WorkIn
from services.publications.formats.bibliography import BIBTEX, CSL_JSON, Record, UnreadableBody, split_records
from services.publications.usecases import imports
from services.publications.usecases.imports import CheckedRecord, Outcome
from shared.auth import Caller, GuardedRoute, Role, requires
from shared.http import read_body
from shared.problems import invalid, too_large, unsupported_media_type
from shared.service import ClockDep, UnitOfWorkDep

router = APIRouter(route_class=GuardedRoute, prefix="/works", tags=["works"])

MAX_RECORDS = 1000
MAX_BYTES = 16 * 1024 * 1024

ImporterDep = Annotated[Caller, requires(Role.coordinator, Role.partner)]


class RecordError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class RecordResult(BaseModel):
    index: int = Field(description="The record's place in the body, from 0")
    status: Literal["created", "duplicate", "invalid"]
    key: str | None = Field(None, description="The record's own id: a CSL item's `id`, a BibTeX citation key")
    id: uuid.UUID | None = Field(None, description="The work created, or the work a duplicate duplicates")
    doi: str | None = None
    detail: str | None = None
    errors: list[RecordError] | None = Field(None, description="Why the record is invalid")


class ImportReport(BaseModel):
    created: int
    duplicates: int
    invalid: int
    results: list[RecordResult]

    @classmethod
    def of(cls, outcomes: list[Outcome]) -> ImportReport:
        results = [RecordResult.model_validate(o, from_attributes=True) for o in outcomes]
        return cls(created=sum(r.status == "created" for r in results),
                   duplicates=sum(r.status == "duplicate" for r in results),
                   invalid=sum(r.status == "invalid" for r in results), results=results)


def _media_type(request: Request) -> tuple[str, str]:
    """The body's media type and charset; a type this import does not read is a 415."""
    header = request.headers.get("content-type", "")
    media_type, *params = (p.strip() for p in header.split(";"))
    media_type = media_type.lower()
    if media_type not in (*CSL_JSON, *BIBTEX):
        raise unsupported_media_type(f"send CSL-JSON ({' or '.join(CSL_JSON)}) or BibTeX ({' or '.join(BIBTEX)})")
    charset = next((p.split("=", 1)[1].strip().strip('"') for p in params if p.lower().startswith("charset=")),
                   "utf-8")
    try:
        codecs.lookup(charset)
    except LookupError:
        raise unsupported_media_type("the charset is not one this import knows; send UTF-8") from None
    return media_type, charset


def _check(record: Record) -> CheckedRecord:
    """The record checked as the body of `POST /works`, its errors located in the record's own terms."""
    errors = list(record.errors)
    if record.fields is None:
        return CheckedRecord(record, None, errors)
    try:
        work = WorkIn.model_validate(record.fields)
    except ValidationError as exc:
        reported = {tuple(e["loc"]) for e in errors}
        for e in exc.errors(include_url=False, include_input=False, include_context=False):
            loc = record.locate(e["loc"])
            if tuple(loc) not in reported:
                errors.append({"loc": loc, "msg": str(e["msg"]), "type": str(e["type"])})
        return CheckedRecord(record, None, errors)
    return CheckedRecord(record, None if errors else work.fields(), errors)


def _read_and_check(media_type: str, charset: str, body: bytes) -> list[CheckedRecord]:
    """The body's records, mapped and checked; a body that cannot be read, or holds too many or none, is
    refused whole. CPU work (in a worker thread): parsing 16 MiB does not stall the event loop."""
    try:
        text = body.decode("utf-8-sig" if charset.lower() in ("utf-8", "utf8") else charset)
    except (UnicodeDecodeError, LookupError):
        raise invalid(f"the body is not {charset} text", ("body",), "unicode_error") from None
    try:
        records, read = split_records(media_type, text)
    except UnreadableBody as exc:
        raise invalid(str(exc), ("body",), exc.kind) from None
    if len(records) > MAX_RECORDS:
        raise too_large(f"an import is at most {MAX_RECORDS} records; this one has {len(records)}")
    if not records:
        raise invalid("the body holds no record to import" + (
            "" if media_type in CSL_JSON else ": no BibTeX entry (@article{key, ...}) was found"), ("body",),
            "no_records")
    return [_check(read(r)) for r in records]


_BODY_DOC = {
    "required": True,
    "content": {
        # Described as the list only (`{"items": [...]}` is accepted too): client generators take no array in a
        # union, and an item is left untyped so that the two JSON media types do not make two item classes.
        **{t: {"schema": {"type": "array", "maxItems": MAX_RECORDS, "items": {
                   "description": "One CSL-JSON item, an object "
                                  "(https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html)"}},
            "example": [{"id": "li2024", "type": "article-journal", "title": "Bamboo diet of captive pandas",
                         "author": [{"family": "Li", "given": "Wei"}], "issued": {"date-parts": [[2024, 5]]},
                         "DOI": "10.1234/panda.2024.1", "container-title": "Journal of Zoology"}]}
           for t in CSL_JSON},
        **{t: {"schema": {"type": "string"}, "example": "@article{li2024,\n  author = {Li, Wei},\n"
               "  title = {Bamboo diet of captive pandas},\n  journal = {Journal of Zoology},\n  year = 2024\n}"}
           for t in BIBTEX},
    },
}


@router.api_route("/import", methods=["GET", "PUT", "PATCH", "DELETE"], include_in_schema=False)
async def import_takes_only_post() -> None:
    """Without this, `PATCH /works/import` would reach `PATCH /works/{work_id}` and be a 422 about the id."""
    raise HTTPException(405)


@router.post("/import", response_model=ImportReport, response_model_exclude_none=True,
             openapi_extra={"requestBody": _BODY_DOC})
async def import_works(request: Request, caller: ImporterDep, uow: UnitOfWorkDep, clock: ClockDep
                       ) -> ImportReport:
    """Import up to 1000 works from CSL-JSON or BibTeX, as drafts for staff to review; the answer tells, for
    each record, whether it was created, a duplicate (same DOI) or invalid, and why."""
    media_type, charset = _media_type(request)
    body = await read_body(request, MAX_BYTES)
    checked = await run_in_threadpool(_read_and_check, media_type, charset, body)
    return ImportReport.of(await imports.import_works(uow, caller, checked, clock.now()))
