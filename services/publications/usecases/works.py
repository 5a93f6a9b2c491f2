"""Works: drafted, changed, published and retracted by coordinators and admins. The public sees published works;
staff see drafts and retractions too. A work's affiliations, agreements and projects must be known here (copies
kept from partnerships' events), and a DOI belongs to one work only."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.publications.db.models import known_agreements, known_partners, known_projects
from services.publications.db.search import index_work
from services.publications.domain.work import Work
from shared.auth import Caller
from shared.db.lookup import get_visible
from shared.domain import Conflict, ExpectedVersion
from shared.service import UnitOfWork
from shared.usecases import check_known, check_known_id


def may_see(caller: Caller, work: Work) -> bool:
    return caller.is_staff or work.is_public


async def visible_work(session: AsyncSession, caller: Caller, work_id: uuid.UUID, *, for_update: bool = False
                       ) -> Work:
    """The work (locked for the transaction when `for_update`), or NotFound (404) if it does not exist or the
    caller may not see it."""
    return await get_visible(session, Work, work_id, what="work", for_update=for_update,
                             may_see=lambda w: may_see(caller, w))


async def check_references(session: AsyncSession, fields: dict[str, Any]) -> None:
    """Affiliations, agreements and projects must be known here (from partnerships' events)."""
    for i, author in enumerate(fields.get("authors") or []):
        if partner := author.get("affiliation_partner_id"):
            await check_known_id(session, uuid.UUID(str(partner)), known_partners, "partner",
                                 ("body", "authors", i, "affiliation_partner_id"), service="publications")
    await check_known(session, fields, [("agreement_ids", known_agreements, "agreement"),
                                        ("project_ids", known_projects, "project")], service="publications")


async def check_doi_free(session: AsyncSession, doi: str | None, except_id: uuid.UUID | None = None) -> None:
    if doi is None:
        return
    other = (await session.execute(select(Work.id).where(Work.doi == doi))).scalar_one_or_none()  # type: ignore[call-overload,arg-type]
    if other is not None and other != except_id:
        raise Conflict(f"work {other} already has DOI {doi}")


async def save_new_work(session: AsyncSession, work: Work) -> None:
    """Store a new work and its search entry; a DOI taken meanwhile is a Conflict (409)."""
    session.add(work)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"a work with DOI {work.doi} exists already") from exc
    await index_work(session, work, new=True)


async def draft_work(uow: UnitOfWork, fields: dict[str, Any], now: dt.datetime) -> Work:
    await check_references(uow.session, fields)
    await check_doi_free(uow.session, fields.get("doi"))
    work = Work.draft(now=now, **fields)
    await save_new_work(uow.session, work)
    await uow.commit()
    return work


async def update_work(uow: UnitOfWork, caller: Caller, work_id: uuid.UUID, changes: dict[str, Any],
                      expected: ExpectedVersion, now: dt.datetime) -> Work:
    work = await visible_work(uow.session, caller, work_id, for_update=True)
    expected.check(work.version)
    await check_references(uow.session, changes)
    await check_doi_free(uow.session, changes.get("doi"), except_id=work.id)
    if work.update(changes, now):
        await index_work(uow.session, work)
    await uow.commit()
    return work


STEPS = {"publish": Work.publish, "retract": Work.retract}


async def take_work_step(uow: UnitOfWork, caller: Caller, work_id: uuid.UUID, action: str,
                         expected: ExpectedVersion, now: dt.datetime, **details: Any) -> Work:
    """publish (public from now on, credited to its agreements and its authors' partners), retract (`reason`:
    the credit is taken back)."""
    work = await visible_work(uow.session, caller, work_id, for_update=True)
    return await uow.commit_change(work, expected, lambda w: STEPS[action](w, now=now, **details))
