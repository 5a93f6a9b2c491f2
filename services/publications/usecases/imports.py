"""A bulk import: up to a thousand works at once, from the records partners' systems and staff export (read by
`formats/bibliography.py`, then checked as the body of `POST /works` is). Each record becomes:
- `created`: a new work, in `draft`: imported records wait for staff to review and publish them (a partner's
  import never publishes anything);
- `duplicate`: a work with its DOI that the caller may read exists already, or an earlier record of the same
  import has it; `id` is that work;
- `invalid` with `doi_unavailable` on `doi`: the DOI is held by a work the caller may not read (a draft, for a
  partner). A refusal tells no more than the caller could read: neither that work's id nor that it "exists";
- `invalid`: `errors` says why, located in the record's own field names.

Valid records are kept whatever happens to the others. They are written a chunk at a time in one savepoint (one
INSERT of many rows, one statement for their search entries): a thousand works within the gateway's time limit.
If a chunk fails in the database (a DOI another request took a moment ago, a value the database refuses), its
savepoint is rolled back and its records are written again one savepoint each, so the one that fails is told
apart and the others are kept. The import commits once, at the end; a work rolled back with its savepoint
leaves the session, and the event it recorded with it.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.publications.db.search import index_works
from services.publications.domain.work import Work, WorkStatus
from services.publications.formats.bibliography import Record
from services.publications.usecases.works import check_references, save_new_work
from shared.auth import Caller
from shared.domain import Conflict, RuleViolated
from shared.service import UnitOfWork

log = logging.getLogger("import")

CHUNK = 200
EXISTS = "a work with this DOI exists already"
UNAVAILABLE = "this DOI cannot be imported by this caller; the base's publications office can say more"


@dataclass(frozen=True)
class CheckedRecord:
    """A record read from the body and checked as a work sent to `POST /works` is, with no database yet."""

    record: Record
    fields: dict[str, Any] | None  # the work to create, as the domain keeps its fields; None: the record is invalid
    errors: list[dict[str, Any]]  # why it is invalid: each {"loc", "msg", "type"}, in the record's terms


@dataclass
class Outcome:
    """What became of one record."""

    index: int  # its place in the body, from 0
    status: Literal["created", "duplicate", "invalid"]
    key: str | None  # the record's own id: a CSL item's `id`, a BibTeX citation key
    id: uuid.UUID | None = None  # the work created, or the work a duplicate duplicates
    doi: str | None = None
    detail: str | None = None
    errors: list[dict[str, Any]] | None = None


@dataclass
class _Ready:
    """A record that passed every check: the work to write."""

    index: int
    record: Record
    fields: dict[str, Any]
    work: Work


# A DOI seen: the work that has it (None when the caller may not see it), why a record with it is a duplicate,
# and the record of this import that has it (None: a work that existed before).
_Dois = dict[str, tuple[uuid.UUID | None, str, int | None]]


async def import_works(uow: UnitOfWork, caller: Caller, records: list[CheckedRecord], now: dt.datetime
                       ) -> list[Outcome]:
    """Create the works the records describe, as drafts: what became of each record, in the body's order."""
    session = uow.session
    dois = await _existing_dois(session, caller, {c.fields["doi"] for c in records if c.fields and c.fields["doi"]})
    outcomes: dict[int, Outcome] = {}
    ready: list[_Ready] = []
    for index, checked in enumerate(records):
        prepared = await _prepare(session, dois, index, checked, now)
        if isinstance(prepared, _Ready):
            ready.append(prepared)
        else:
            outcomes[index] = prepared
    for start in range(0, len(ready), CHUNK):
        chunk = ready[start:start + CHUNK]
        if await _write_together(session, chunk):
            outcomes |= {r.index: _created(r) for r in chunk}
        else:
            outcomes |= {r.index: await _write_alone(session, caller, r, now) for r in chunk}
    _point_duplicates_at_their_record(outcomes, dois)
    await uow.commit()
    results = [outcomes[i] for i in range(len(records))]
    counts = {s: sum(r.status == s for r in results) for s in ("created", "duplicate", "invalid")}
    log.info("works imported", extra={"records": len(results), "records_created": counts["created"],
                                      "records_duplicate": counts["duplicate"],
                                      "records_invalid": counts["invalid"], "role": caller.role.value})
    return results


async def _existing_dois(session: AsyncSession, caller: Caller, dois: set[str]) -> _Dois:
    found: _Dois = {}
    ordered = sorted(dois)
    for chunk in (ordered[i:i + 500] for i in range(0, len(ordered), 500)):
        rows = await session.execute(
            select(Work.id, Work.doi, Work.status).where(Work.doi.in_(chunk)))  # type: ignore[attr-defined]
        for work_id, doi, status in rows:
            visible = caller.is_staff or status == WorkStatus.published
            found[doi] = (work_id, EXISTS, None) if visible else (None, UNAVAILABLE, None)
    return found


async def _prepare(session: AsyncSession, dois: _Dois, index: int, checked: CheckedRecord, now: dt.datetime
                   ) -> _Ready | Outcome:
    """The checks that read but do not write: references known here, the work's own rules, the DOI free."""
    record, fields = checked.record, checked.fields
    if fields is None:
        return Outcome(index, "invalid", record.key, errors=checked.errors)
    doi = fields["doi"]
    if doi in dois:
        work_id, detail, _ = dois[doi]
        if detail == UNAVAILABLE:
            return _invalid(index, record, ("body", "doi"), UNAVAILABLE, "doi_unavailable")
        return Outcome(index, "duplicate", record.key, id=work_id, doi=doi, detail=detail)
    try:
        await check_references(session, fields)
        work = Work.draft(now=now, **fields)
    except RuleViolated as exc:  # an affiliation, agreement or project not known here; the work's own rules
        return _invalid(index, record, exc.loc, exc.detail, exc.kind)
    if doi is not None:
        dois[doi] = (work.id, f"record {index} of this import has this DOI", index)
    return _Ready(index, record, fields, work)


async def _write_together(session: AsyncSession, chunk: list[_Ready]) -> bool:
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


async def _write_alone(session: AsyncSession, caller: Caller, ready: _Ready, now: dt.datetime) -> Outcome:
    work = Work.draft(now=now, **ready.fields)  # afresh: the one of the failed chunk was rolled back
    try:
        async with session.begin_nested():
            await save_new_work(session, work)
    except Conflict:  # the DOI was taken meanwhile, by another request: a draft, for all this caller can tell
        if not caller.is_staff:
            return _invalid(ready.index, ready.record, ("body", "doi"), UNAVAILABLE, "doi_unavailable")
        return Outcome(ready.index, "duplicate", ready.record.key, doi=work.doi, detail=EXISTS)
    except (DataError, IntegrityError) as exc:
        log.warning("an imported record could not be stored", extra={"error": str(exc.orig)[:300]})
        return _invalid(ready.index, ready.record, (), "the record could not be stored as a work", "not_storable")
    ready.work = work
    return _created(ready)


def _created(ready: _Ready) -> Outcome:
    return Outcome(ready.index, "created", ready.record.key, id=ready.work.id, doi=ready.work.doi)


def _invalid(index: int, record: Record, loc: tuple[str | int, ...], msg: str, kind: str) -> Outcome:
    """The record is invalid: `loc` (in the work's terms) located in the record's."""
    where = loc[1:] if loc[:1] == ("body",) else loc
    return Outcome(index, "invalid", record.key,
                   errors=[{"loc": record.locate(tuple(where)), "msg": msg, "type": kind}])


def _point_duplicates_at_their_record(outcomes: dict[int, Outcome], dois: _Dois) -> None:
    """A record duplicating an earlier one of this import points at the work that one became (written again on
    its own, it has another id) or, if it was not created after all (its DOI was taken meanwhile), at what that
    one was found to duplicate."""
    for outcome in outcomes.values():
        if outcome.status == "duplicate" and outcome.doi in dois:
            _, _, index = dois[outcome.doi]
            if index is not None and index in outcomes and outcomes[index] is not outcome:
                outcome.id = outcomes[index].id
                if outcomes[index].status != "created":
                    outcome.detail = EXISTS

