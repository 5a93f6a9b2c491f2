"""`POST /api/v1/publications/works/import`: partners' systems and staff bring in up to 1000 works at once.

The body is CSL-JSON (`application/vnd.citationstyles.csl+json` or `application/json`: a list of items, or
`{"items": [...]}`) or BibTeX (`application/x-bibtex` or `text/x-bibtex`); how each record's fields map onto a
work is told in `formats/bibliography.py`. Each record is checked as a work sent to `POST /works` is, then:
- `created`: it is a new work, in `draft`: imported records wait for staff to review and publish them (a partner's
  import never publishes anything);
- `duplicate`: a work with its DOI exists already, or an earlier record of the same import has it; `id` is that
  work (when the caller may see it);
- `invalid`: `errors` says why, each `{"loc", "msg", "type"}` with `loc` in the record's own field names
  (`["DOI"]`, `["author", 0, "ORCID"]` for CSL-JSON; `["doi"]`, `["year"]` for BibTeX).
Valid records are kept whatever happens to the others: they are written in savepoints (a chunk of records in
one; if the database refuses the chunk, each of its records in one of its own), and the import commits once at
the end. The answer is 200 with the counts and one result per record, in the body's order.

A body that cannot be read at all is refused whole, and nothing is written: 415 for another media type, 413
beyond 16 MiB or 1000 records, 422 for text that is not CSL-JSON / BibTeX or holds no record.
Coordinators, admins and partners (their systems) may import.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi_problem.error import Problem
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from starlette.concurrency import run_in_threadpool

from services.publications.api.inputs import WorkIn
from services.publications.db.search import index_works
from services.publications.domain.work import Work, WorkStatus
from services.publications.formats.bibliography import (
    Record,
    UnreadableBody,
    bibtex_blocks,
    bibtex_record,
    csl_items,
    csl_record,
)
from services.publications.usecases.works import check_references, save_new_work
from shared.auth import Caller, GuardedRoute, Role, requires
from shared.domain import Conflict, RuleViolated
from shared.problems import invalid, problem
from shared.service import ClockDep, UnitOfWork, UnitOfWorkDep

log = logging.getLogger("import")
logging.getLogger("bibtexparser").setLevel(logging.ERROR)  # a broken entry is the client's news, not the log's

router = APIRouter(route_class=GuardedRoute, prefix="/works", tags=["works"])

MAX_RECORDS = 1000
MAX_BYTES = 16 * 1024 * 1024
CSL_JSON = ("application/vnd.citationstyles.csl+json", "application/json")
BIBTEX = ("application/x-bibtex", "text/x-bibtex")
_LOC_PART_MAX = 100

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


def _too_large(detail: str) -> Problem:
    return problem(413, "content-too-large", "Content too large", detail)


def _unsupported(detail: str) -> Problem:
    return problem(415, "unsupported-media-type", "Unsupported media type", detail)


def _media_type(request: Request) -> tuple[str, str]:
    """The body's media type and charset; a type this import does not read is a 415."""
    header = request.headers.get("content-type", "")
    media_type, *params = (p.strip() for p in header.split(";"))
    media_type = media_type.lower()
    if media_type not in (*CSL_JSON, *BIBTEX):
        raise _unsupported(f"send CSL-JSON ({' or '.join(CSL_JSON)}) or BibTeX ({' or '.join(BIBTEX)})")
    charset = next((p.split("=", 1)[1].strip().strip('"') for p in params if p.lower().startswith("charset=")),
                   "utf-8")
    try:
        codecs.lookup(charset)
    except LookupError:
        raise _unsupported("the charset is not one this import knows; send UTF-8") from None
    return media_type, charset


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise _too_large(f"an import is at most {MAX_BYTES // (1024 * 1024)} MiB")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            raise _too_large(f"an import is at most {MAX_BYTES // (1024 * 1024)} MiB")
        chunks.append(chunk)
    return b"".join(chunks)


def _unreadable(detail: str, type_: str) -> Problem:
    return invalid(detail, ("body",), type_)


def _records(media_type: str, charset: str, body: bytes) -> list[Record]:
    """The body's records, mapped; a body that cannot be read, or holds too many or none, is refused whole.
    CPU work (in a worker thread): parsing 16 MiB does not stall the event loop."""
    try:
        text = body.decode("utf-8-sig" if charset.lower() in ("utf-8", "utf8") else charset)
    except (UnicodeDecodeError, LookupError):
        raise _unreadable(f"the body is not {charset} text", "unicode_error") from None
    records: list[Any]
    try:
        if media_type in CSL_JSON:
            records = csl_items(json.loads(text))
            read = csl_record
        else:
            records = bibtex_blocks(text)
            read = bibtex_record
    except UnreadableBody as exc:
        raise _unreadable(str(exc), "unreadable") from None
    except (ValueError, RecursionError):
        raise _unreadable("the body is not JSON this API can read (UTF-8, not nested too deep, numbers not "
                          "too long)", "json_invalid") from None
    except Exception:  # the BibTeX parser on input it did not foresee: still the body's fault, not ours
        log.warning("BibTeX body could not be parsed", exc_info=True)
        raise _unreadable("the body is not BibTeX that can be read", "bibtex_invalid") from None
    if len(records) > MAX_RECORDS:
        raise _too_large(f"an import is at most {MAX_RECORDS} records; this one has {len(records)}")
    if not records:
        raise _unreadable("the body holds no record to import" + (
            "" if media_type in CSL_JSON else ": no BibTeX entry (@article{key, ...}) was found"), "no_records")
    return [read(r) for r in records]


def _loc(parts: list[str | int]) -> list[str | int]:
    # A client's dict key may be part of `loc`: cut, so that an error cannot echo 100 kB back.
    return [p[:_LOC_PART_MAX] + "..." if isinstance(p, str) and len(p) > _LOC_PART_MAX else p for p in parts]


@dataclass
class Checked:
    """A record after the checks that need no database: the work to create, or why there is none."""

    record: Record
    work: WorkIn | None
    errors: list[dict[str, Any]]


def _check(record: Record) -> Checked:
    errors = list(record.errors)
    if record.fields is None:
        return Checked(record, None, errors)
    try:
        work = WorkIn.model_validate(record.fields)
    except ValidationError as exc:
        reported = {tuple(e["loc"]) for e in errors}
        for e in exc.errors(include_url=False, include_input=False, include_context=False):
            loc = record.locate(e["loc"])
            if tuple(loc) not in reported:
                errors.append({"loc": _loc(loc), "msg": str(e["msg"]), "type": str(e["type"])})
        return Checked(record, None, errors)
    return Checked(record, None if errors else work, errors)


def _read_and_check(media_type: str, charset: str, body: bytes) -> list[Checked]:
    return [_check(r) for r in _records(media_type, charset, body)]


@dataclass
class Ready:
    """A record that passed every check: the work to write."""

    index: int
    record: Record
    fields: dict[str, Any]
    work: Work


class Importer:
    """Writes the checked records of one import into one unit of work.

    The records that passed every check are written a chunk at a time in one savepoint (one INSERT of many
    rows, one statement for their search entries): a thousand works within the gateway's time limit. If a chunk
    fails in the database (a DOI another request took a moment ago, a value the database refuses), its savepoint
    is rolled back and its records are written again one savepoint each, so the one that fails is told apart
    and the others are kept."""

    CHUNK = 200

    def __init__(self, uow: UnitOfWork, caller: Caller, now: dt.datetime) -> None:
        self.uow = uow
        self.caller = caller
        self.now = now
        self.dois: dict[str, tuple[uuid.UUID | None, str, int | None]] = {}  # DOI -> (its work, why, its record)

    async def run(self, checked: list[Checked]) -> list[RecordResult]:
        await self._load_existing_dois({c.work.doi for c in checked if c.work is not None and c.work.doi})
        results: dict[int, RecordResult] = {}
        ready: list[Ready] = []
        for index, one in enumerate(checked):
            outcome = await self._prepare(index, one)
            if isinstance(outcome, Ready):
                ready.append(outcome)
            else:
                results[index] = outcome
        for start in range(0, len(ready), self.CHUNK):
            chunk = ready[start:start + self.CHUNK]
            if await self._write_together(chunk):
                results |= {r.index: self._created(r) for r in chunk}
            else:
                results |= {r.index: await self._write_alone(r) for r in chunk}
        self._point_duplicates_at_their_record(results)
        return [results[i] for i in range(len(checked))]

    async def _load_existing_dois(self, dois: set[str]) -> None:
        ordered = sorted(dois)
        for chunk in (ordered[i:i + 500] for i in range(0, len(ordered), 500)):
            rows = await self.uow.session.execute(
                select(Work.id, Work.doi, Work.status).where(Work.doi.in_(chunk)))  # type: ignore[attr-defined]
            for work_id, doi, status in rows:
                visible = self.caller.is_staff or status == WorkStatus.published
                self.dois[doi] = (work_id if visible else None, "a work with this DOI exists already", None)

    async def _prepare(self, index: int, checked: Checked) -> Ready | RecordResult:
        """The checks that read but do not write: references known here, the work's own rules, the DOI free."""
        record, key = checked.record, checked.record.key
        if checked.work is None:
            return RecordResult(index=index, status="invalid", key=key,
                                errors=[RecordError(**e) for e in checked.errors])
        fields = checked.work.fields()
        doi = fields["doi"]
        if doi in self.dois:
            work_id, detail, _ = self.dois[doi]
            return RecordResult(index=index, status="duplicate", key=key, id=work_id, doi=doi, detail=detail)
        try:
            await check_references(self.uow.session, fields)
            work = Work.draft(now=self.now, **fields)
        except RuleViolated as exc:  # an affiliation, agreement or project not known here; the work's own rules
            return self._invalid(index, record, [{"loc": list(exc.loc), "msg": exc.detail, "type": exc.kind}])
        if doi is not None:
            self.dois[doi] = (work.id, f"record {index} of this import has this DOI", index)
        return Ready(index, record, fields, work)

    async def _write_together(self, chunk: list[Ready]) -> bool:
        session = self.uow.session
        works = [r.work for r in chunk]
        try:
            async with session.begin_nested():
                session.add_all(works)
                await session.flush()
                await index_works(session, works, new=True)
        except (IntegrityError, DataError) as exc:
            log.info("a chunk of an import failed together; writing its records one by one",
                     extra={"error": type(exc.orig).__name__})
            return False
        return True

    async def _write_alone(self, ready: Ready) -> RecordResult:
        session = self.uow.session
        work = Work.draft(now=self.now, **ready.fields)  # afresh: the one of the failed chunk was rolled back
        try:
            async with session.begin_nested():
                await save_new_work(session, work)
        except Conflict:  # the DOI was taken meanwhile, by another request
            return RecordResult(index=ready.index, status="duplicate", key=ready.record.key, doi=work.doi,
                                detail="a work with this DOI exists already")
        except (DataError, IntegrityError) as exc:
            log.warning("an imported record could not be stored", extra={"error": str(exc.orig)[:300]})
            return self._invalid(ready.index, ready.record, [
                {"loc": [], "msg": "the record could not be stored as a work", "type": "not_storable"}])
        ready.work = work
        return self._created(ready)

    @staticmethod
    def _created(ready: Ready) -> RecordResult:
        return RecordResult(index=ready.index, status="created", key=ready.record.key, id=ready.work.id,
                            doi=ready.work.doi)

    def _point_duplicates_at_their_record(self, results: dict[int, RecordResult]) -> None:
        """A record duplicating an earlier one of this import points at the work that one became (written again
        on its own, it has another id) or, if it was not created after all (its DOI was taken meanwhile), at
        what that one was found to duplicate."""
        for result in results.values():
            if result.status == "duplicate" and result.doi in self.dois:
                _, _, index = self.dois[result.doi]
                if index is not None and index in results and results[index] is not result:
                    result.id = results[index].id
                    if results[index].status != "created":
                        result.detail = "a work with this DOI exists already"

    @staticmethod
    def _invalid(index: int, record: Record, errors: list[dict[str, Any]]) -> RecordResult:
        located = []
        for e in errors:
            loc = list(e.get("loc") or [])
            if loc[:1] == ["body"]:
                loc = loc[1:]
            located.append(RecordError(loc=_loc(record.locate(tuple(loc))), msg=str(e["msg"]),
                                       type=str(e["type"])))
        return RecordResult(index=index, status="invalid", key=record.key, errors=located)


_BODY_DOC = {
    "required": True,
    "content": {
        **{t: {"schema": {"oneOf": [
            {"type": "array", "maxItems": MAX_RECORDS, "items": {"type": "object"}},
            {"type": "object", "properties": {"items": {"type": "array", "maxItems": MAX_RECORDS}}}]},
            "example": [{"id": "li2024", "type": "article-journal", "title": "Bamboo diet of captive pandas",
                         "author": [{"family": "Li", "given": "Wei"}], "issued": {"date-parts": [[2024, 5]]},
                         "DOI": "10.1234/panda.2024.1", "container-title": "Journal of Zoology"}]}
           for t in CSL_JSON},
        **{t: {"schema": {"type": "string"}, "example": "@article{li2024,\n  author = {Li, Wei},\n"
               "  title = {Bamboo diet of captive pandas},\n  journal = {Journal of Zoology},\n  year = 2024\n}"}
           for t in BIBTEX},
    },
}


@router.post("/import", response_model=ImportReport, response_model_exclude_none=True,
             openapi_extra={"requestBody": _BODY_DOC})
async def import_works(request: Request, caller: ImporterDep, uow: UnitOfWorkDep, clock: ClockDep
                       ) -> ImportReport:
    """Import up to 1000 works from CSL-JSON or BibTeX, as drafts for staff to review; the answer tells, for
    each record, whether it was created, a duplicate (same DOI) or invalid, and why."""
    media_type, charset = _media_type(request)
    body = await _body(request)
    checked = await run_in_threadpool(_read_and_check, media_type, charset, body)
    results = await Importer(uow, caller, clock.now()).run(checked)
    await uow.commit()
    counts = {s: sum(r.status == s for r in results) for s in ("created", "duplicate", "invalid")}
    log.info("works imported", extra={"records": len(results), "records_created": counts["created"],
                                      "records_duplicate": counts["duplicate"],
                                      "records_invalid": counts["invalid"], "role": caller.role.value})
    return ImportReport(created=counts["created"], duplicates=counts["duplicate"], invalid=counts["invalid"],
                        results=results)
