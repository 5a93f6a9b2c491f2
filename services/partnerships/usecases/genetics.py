"""The studbook's genetics as the API reads them and as the events keep them current.

The kinship of the whole studbook (`domain/genetics.StudbookGenetics`) is held in this process's memory: built
from the pandas once, when first needed (or when the `studbook_genetics` row shows another process has moved the
studbook on), then kept current by the studbook's own events (`keep_genetics_current`, in the consumer's
transaction): a birth adds one row, a death or a change of management moves one column, a corrected parent
recomputes the matrix. A read never recomputes the whole matrix: it reads the held one, and adds (one row each)
pandas registered since whose events have not arrived yet.

When the living managed population's figures change, the handler writes them to `studbook_genetics` with the
next revision and publishes `partnerships.studbook.updated` (through the outbox, in the same transaction as the
inbox row of the event that caused it: once).

Who reads: coordinators, analysts and admins everything; a partner the figures of the pandas it holds (on an
active loan to it), the pairings and mates of those; anyone else 403 (401 anonymous).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.db.models import loans, partners, studbook_genetics
from services.partnerships.db.models import pandas as panda_rows
from services.partnerships.domain.panda import animal_of
from services.partnerships.domain.pedigree import Animal, parents_first
from shared.auth import Caller
from shared.contracts.partnerships import LoanSnapshot, PandaSnapshot, StudbookUpdated
from shared.db.types import utcnow
from shared.domain import NotFound, RuleViolated
from shared.events.envelope import CloudEvent
from shared.events.outbox import publish_in
from shared.problems import forbidden
from shared.roles import STAFF, Role

if TYPE_CHECKING:
    from services.partnerships.domain.genetics import Pairing, PopulationFigures, StudbookGenetics

BASE = "base"  # the research base: the holder of every panda not on an active loan, and every panda's owner
BASE_COUNTRY = "CN"


class _Held:
    """This process's copy of the studbook's kinship and the revision of `studbook_genetics` it reflects."""

    def __init__(self) -> None:
        self.genetics: StudbookGenetics | None = None
        self.revision = -1
        self.lock = asyncio.Lock()


_held = _Held()


def _animal(row: Any) -> Animal:
    return animal_of(row.id, row.sex, row.dam_id, row.sire_id, row.dam_origin, row.sire_origin, row.possible_sires,
                     row.death_date is None, row.managed)


async def _pandas(session: AsyncSession, *where: Any) -> list[Any]:
    t = panda_rows.c
    stmt = select(t.id, t.studbook_number, t.sex, t.dam_id, t.sire_id, t.dam_origin, t.sire_origin,
                  t.possible_sires, t.death_date, t.managed)
    return list((await session.execute(stmt.where(*where))).all())


async def studbook_revision(session: AsyncSession) -> int:
    """The revision of the published figures: 0 before the first."""
    return await session.scalar(select(studbook_genetics.c.revision).where(studbook_genetics.c.id == 1)) or 0


async def genetics_now(session: AsyncSession) -> StudbookGenetics:
    """The held kinship, built from the studbook if this process has none yet or another moved the studbook on."""
    revision = await studbook_revision(session)
    if _held.genetics is None or _held.revision < revision:
        async with _held.lock:
            if _held.genetics is None or _held.revision < revision:
                # numpy (15 MB) is loaded here, when the genetics are first needed, not at every start-up.
                from services.partnerships.domain.genetics import StudbookGenetics

                rows = await _pandas(session)
                _held.genetics = StudbookGenetics.of(_animal(r) for r in rows)
                _held.revision = revision
    assert _held.genetics is not None
    return _held.genetics


async def _catch_up(session: AsyncSession, g: StudbookGenetics, ids: Iterable[uuid.UUID]) -> None:
    """Add to `g` the pandas among `ids` it does not hold yet (registered since; their events on the way), with
    any of their ancestors it does not hold either: one row each."""
    wanted = {i for i in ids if i not in g.index}
    fetched: dict[uuid.UUID, Animal] = {}
    while wanted:
        fetched.update({r.id: _animal(r) for r in await _pandas(session, panda_rows.c.id.in_(wanted))})
        wanted = {p for a in fetched.values() for p in a.parent_ids if p not in g.index and p not in fetched}
    for a in parents_first(fetched):
        g.apply(fetched[a])


# --- kept current by the studbook's events -------------------------------------------------------------------


async def keep_genetics_current(session: AsyncSession, event: CloudEvent) -> None:
    """A panda registered, born, corrected (a death, management, a parent) or moved by a loan: bring the held
    kinship up to date from the panda's row as it is now (so a repeated or late event changes nothing), and if
    the population's figures changed, store them with the next revision and publish `studbook.updated`."""
    if event.type.startswith("partnerships.loan."):
        panda_id = LoanSnapshot.parse(event).panda_id
    else:
        panda_id = PandaSnapshot.parse(event).id
    g = await genetics_now(session)
    rows = await _pandas(session, panda_rows.c.id == panda_id)
    change = "unchanged"
    if rows:
        animal = _animal(rows[0])
        await _catch_up(session, g, animal.parent_ids)
        change = g.apply(animal)
    summary = await _summary(session, g)
    held = (await session.execute(select(studbook_genetics).where(studbook_genetics.c.id == 1)
                                  .with_for_update())).first()
    published = held is not None and held.figures == summary
    # A corrected parent moves the revision even when the population's figures stay (a dead animal's F): other
    # processes see their held copy is behind and build it again.
    if published and change != "pedigree":
        return
    revision = (held.revision if held else 0) + 1
    values = {"revision": revision, "figures": summary, "updated_at": utcnow()}
    if held is None:
        await session.execute(insert(studbook_genetics).values(id=1, **values))
    else:
        await session.execute(update(studbook_genetics).where(studbook_genetics.c.id == 1).values(**values))
    _held.revision = max(_held.revision, revision)
    if published:
        return
    await publish_in(session, StudbookUpdated(
        revision=revision, cause=event.type, panda_id=panda_id,
        **{k: v for k, v in summary.items() if k in StudbookUpdated.model_fields},
    ))


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


async def _summary(session: AsyncSession, g: StudbookGenetics) -> dict[str, Any]:
    f = g.figures()
    return {
        "living": f.size, "gene_diversity": _round(f.gene_diversity),
        "founder_genome_equivalents": _round(f.founder_genome_equivalents),
        "founder_equivalents": _round(f.founder_equivalents), "founders_represented": f.founders_represented,
        "mean_inbreeding": _round(f.mean_inbreeding),
        "living_by_institution": [
            {"holder_id": None if h.holder_id is None else str(h.holder_id), "living": h.living}
            for h in await living_by_institution(session)
        ],
    }


# --- holders -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    """Who holds a panda now: a partner on an active loan, or the base (`holder_id` None). The base owns them all."""

    holder_id: uuid.UUID | None
    name: str
    country: str
    living: int = 0


OWNER = Holder(None, BASE, BASE_COUNTRY)  # every panda's, wherever it lives


async def holders(session: AsyncSession, panda_ids: Iterable[uuid.UUID] | None = None) -> dict[uuid.UUID, uuid.UUID]:
    """panda id → the partner holding it under an active loan (pandas at the base are not in the answer)."""
    stmt = select(loans.c.panda_id, loans.c.host_partner_id).where(loans.c.state == "active")
    if panda_ids is not None:
        stmt = stmt.where(loans.c.panda_id.in_(list(panda_ids)))
    return {r.panda_id: r.host_partner_id for r in (await session.execute(stmt)).all()}


async def holder_names(session: AsyncSession, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID | None, Holder]:
    """The holders `ids` name (partner ids; None the base), with their names and countries."""
    wanted = [i for i in set(ids) if i is not None]
    found: dict[uuid.UUID | None, Holder] = {None: OWNER}
    if wanted:
        rows = (await session.execute(select(partners.c.id, partners.c.name, partners.c.country)
                                      .where(partners.c.id.in_(wanted)))).all()
        for r in rows:
            found[r.id] = Holder(r.id, r.name.get("en") or next(iter(r.name.values())), r.country)
    return found


async def living_by_institution(session: AsyncSession) -> list[Holder]:
    """The living pandas (managed or not) per holder, the base first, then by count and name."""
    alive = [r.id for r in (await session.execute(select(panda_rows.c.id).where(
        panda_rows.c.death_date.is_(None)))).all()]
    held = await holders(session)
    counts: dict[uuid.UUID | None, int] = {}
    for p in alive:
        counts[held.get(p)] = counts.get(held.get(p), 0) + 1
    names = await holder_names(session, counts)
    out = [Holder(h, names[h].name, names[h].country, n) for h, n in counts.items() if h in names]
    return sorted(out, key=lambda h: (h.holder_id is not None, -h.living, h.name))


# --- reads ---------------------------------------------------------------------------------------------------


async def _may_read(session: AsyncSession, caller: Caller, panda_ids: list[uuid.UUID],
                    fields: list[str] | None = None) -> dict[uuid.UUID, uuid.UUID]:
    """Staff read all; a partner only about pandas it holds (at least one of `panda_ids`). Answers the holders of
    `panda_ids`. Raises 401/403 (`Caller.require`); for a panda that does not exist NotFound (404: the URL names
    it) or, when the body names it in `fields`, RuleViolated (422 on that field)."""
    if not caller.is_staff:
        caller.require(*STAFF, Role.partner)
    found = {r.id for r in await _pandas(session, panda_rows.c.id.in_(panda_ids))}
    for k, p in enumerate(panda_ids):
        if p not in found:
            if fields:
                raise RuleViolated(f"no panda {p}", ("body", fields[k]), "not_found")
            raise NotFound(f"no panda {p}")
    held = await holders(session, panda_ids)
    if not caller.is_staff and not any(held.get(p) == caller.partner_id for p in panda_ids):
        raise forbidden("a partner reads the genetics of the pandas it holds only")
    return held


@dataclass(frozen=True)
class PandaGenetics:
    panda_id: uuid.UUID
    in_population: bool
    inbreeding: float
    mean_kinship: float | None
    mk_rank: int | None
    population_size: int
    founder_contributions: list[tuple[uuid.UUID, str, float]]  # founder id, studbook number, share
    unknown_ancestry: float
    holder: Holder


async def panda_genetics(session: AsyncSession, caller: Caller, panda_id: uuid.UUID) -> PandaGenetics:
    held = await _may_read(session, caller, [panda_id])
    g = await genetics_now(session)
    await _catch_up(session, g, [panda_id])
    shares, unknown = g.founder_contributions(panda_id)
    numbers = await _studbook_numbers(session, shares)
    names = await holder_names(session, [held.get(panda_id)])
    return PandaGenetics(
        panda_id=panda_id, in_population=g.animals[panda_id].in_population, inbreeding=g.inbreeding(panda_id),
        mean_kinship=g.mean_kinship(panda_id), mk_rank=g.mk_rank(panda_id), population_size=len(g.population),
        founder_contributions=sorted(((f, numbers.get(f, ""), s) for f, s in shares.items()), key=lambda x: -x[2]),
        unknown_ancestry=unknown, holder=names[held.get(panda_id)],
    )


async def _studbook_numbers(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = await session.execute(select(panda_rows.c.id, panda_rows.c.studbook_number)
                                 .where(panda_rows.c.id.in_(wanted)))
    return {r.id: r.studbook_number for r in rows.all()}


@dataclass(frozen=True)
class StudbookFigures:
    figures: PopulationFigures
    revision: int
    studbook_numbers: dict[uuid.UUID, str]
    living_by_institution: list[Holder]


async def studbook_figures(session: AsyncSession, caller: Caller,
                           among: list[uuid.UUID] | None = None) -> StudbookFigures:
    """The living managed population's figures (staff only), or those of the group of pandas `among` (a
    group being planned: mean kinships taken within it). Raises NotFound for a panda of `among` that does not
    exist."""
    caller.require(*STAFF)
    g = await genetics_now(session)
    if among:
        found = {r.id for r in await _pandas(session, panda_rows.c.id.in_(among))}
        if missing := [a for a in among if a not in found]:
            raise NotFound(f"no panda {missing[0]} (named in population)")
        await _catch_up(session, g, among)
    f = g.figures(among)
    revision = await studbook_revision(session)
    numbers = await _studbook_numbers(session, [*f.founder_contributions, *f.mean_kinships])
    return StudbookFigures(f, revision, numbers, await living_by_institution(session))


@dataclass(frozen=True)
class Meeting:
    """Whether a pair can meet under the loans in force: at the same holder, or which panda must move where."""

    same_holder: bool
    move_panda_id: uuid.UUID | None = None
    move_from: Holder | None = None
    move_to: Holder | None = None


@dataclass(frozen=True)
class PairingAnswer:
    pairing: Pairing
    meeting: Meeting
    studbook_numbers: dict[uuid.UUID, str]
    reasons: list[str]


def _meeting(one: uuid.UUID, other: uuid.UUID, held: dict[uuid.UUID, uuid.UUID],
             names: dict[uuid.UUID | None, Holder]) -> Meeting:
    """`other` goes to `one`'s holder (the animal asked about stays where it is)."""
    a, b = held.get(one), held.get(other)
    if a == b:
        return Meeting(True)
    return Meeting(False, other, names[b], names[a])


def _reasons(p: Pairing) -> list[str]:
    out = [f"offspring inbreeding F = {p.offspring_inbreeding:.4f}"
           + (" (above 1/16: a close relative)" if p.offspring_inbreeding > 0.0625 + 1e-9 else ""),
           f"gene diversity {'+' if p.delta_gene_diversity >= 0 else ''}{p.delta_gene_diversity:.5f} if they breed",
           f"mean kinship difference {p.mean_kinship_difference:.4f}"]
    if p.unknown_ancestry > 0:
        out.append(f"{p.unknown_ancestry:.0%} of the offspring's ancestry unknown")
    return out


async def evaluate_pairing(session: AsyncSession, caller: Caller, sire_id: uuid.UUID,
                           dam_id: uuid.UUID) -> PairingAnswer:
    """What breeding `sire_id` with `dam_id` would give. Raises RuleViolated (422) for a sire that is not male, a
    dam that is not female, or the same panda twice; a partner must hold one of the two."""
    if sire_id == dam_id:
        raise RuleViolated("sire_id and dam_id name the same panda", ("body", "dam_id"))
    held = await _may_read(session, caller, [sire_id, dam_id], ["sire_id", "dam_id"])
    g = await genetics_now(session)
    await _catch_up(session, g, [sire_id, dam_id])
    for pid, sex, field in ((sire_id, "male", "sire_id"), (dam_id, "female", "dam_id")):
        if g.animals[pid].sex != sex:
            raise RuleViolated(f"the {field[:-3]} must be {sex}", ("body", field))
    pairing = g.pairing(sire_id, dam_id)
    names = await holder_names(session, [held.get(sire_id), held.get(dam_id)])
    return PairingAnswer(pairing, _meeting(dam_id, sire_id, held, names),
                         await _studbook_numbers(session, [sire_id, dam_id]), _reasons(pairing))


async def mates(session: AsyncSession, caller: Caller, panda_id: uuid.UUID, limit: int,
                among: list[uuid.UUID] | None = None) -> list[PairingAnswer]:
    """The living managed pandas of the other sex (only those `among`, if given) ranked as mates for `panda_id`
    (`mate_order`), best first, at most `limit`, each with why and how the two could meet."""
    await _may_read(session, caller, [panda_id])
    g = await genetics_now(session)
    await _catch_up(session, g, [panda_id, *(among or ())])
    candidates = g.mates(panda_id)
    if among is not None:
        shortlist = set(among)
        candidates = [p for p in candidates if (p.dam if p.sire == panda_id else p.sire) in shortlist]
    from services.partnerships.domain.genetics import mate_order  # imported late, as in genetics_now

    ranked = sorted(candidates, key=mate_order)[:limit]
    others = [p.dam if p.sire == panda_id else p.sire for p in ranked]
    held = await holders(session, [panda_id, *others])
    names = await holder_names(session, held.values())
    numbers = await _studbook_numbers(session, [panda_id, *others])
    return [PairingAnswer(p, _meeting(panda_id, o, held, names), numbers, _reasons(p))
            for p, o in zip(ranked, others, strict=True)]
