"""The studbook exchanged with the field's tools in SPARKS' layout (`formats/sparks.py`): an import of many
records with a result for each, and an export of the whole studbook for PMx.

An import takes the file's records in the pedigree's order (parents first, wherever they stand in the file, by
`genetics.parents_first`), so a record may name a parent that comes later. Each record is checked as a panda sent
to `POST /pandas` is. A record is `created`, `exists` (its studbook number is registered already: left as it is),
or `invalid` (`errors` say why, located by column): a bad field, a parent that is in neither the studbook nor the
file, a parent whose own record was invalid, or a parent cycle among the file's records. The created pandas are
committed together; the invalid records change nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.partnerships.domain.panda import Panda
from services.partnerships.domain.pedigree import Animal, Parent, ParentOrigin, PedigreeCycle, parents_first
from services.partnerships.formats.sparks import CODES, ExchangeRecord, write_exchange
from services.partnerships.usecases.genetics import holder_names, holders
from shared.domain import RuleViolated
from shared.service import UnitOfWork

_COLUMN_OF = {"dam_id": "DAM_ID", "sire_id": "SIRE_ID", "dam_origin": "DAM_ID", "sire_origin": "SIRE_ID",
              "possible_sires": "MULT_SIRES", "birth_date": "BDATE", "death_date": "DDATE", "sex": "SEX",
              "studbook_number": "STUD_ID", "name": "NAME"}


@dataclass
class Outcome:
    line: int
    stud_id: str
    status: str = "invalid"  # created, exists, invalid
    id: uuid.UUID | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)


def _key(number: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"studbook:{number}")


def _parent_numbers(r: ExchangeRecord) -> list[str]:
    f = r.fields
    return [n for n in (f.get("dam_number"), f.get("sire_number")) if n] + [
        n for n, _ in f.get("possible_sire_numbers", ())]


async def import_exchange(uow: UnitOfWork, records: list[ExchangeRecord], now: dt.datetime) -> list[Outcome]:
    """Import `records` (read by `formats.sparks.read_exchange`); one outcome per record, in the file's order."""
    session = uow.session
    outcomes = {id(r): Outcome(r.line, r.stud_id, errors=list(r.errors)) for r in records}
    numbers = {r.stud_id for r in records} | {n for r in records for n in _parent_numbers(r)}
    known = {p.studbook_number: p for p in (await session.execute(
        select(Panda).where(Panda.studbook_number.in_(numbers)))).scalars()}  # type: ignore[attr-defined]
    todo: dict[str, ExchangeRecord] = {}
    for r in records:
        out = outcomes[id(r)]
        if r.stud_id in known:
            out.status, out.id, out.errors = "exists", known[r.stud_id].id, []
        elif r.stud_id in todo:
            out.errors.append({"loc": ["STUD_ID"], "msg": f"studbook number {r.stud_id} appears twice in the file",
                               "type": "duplicate"})
        elif not out.errors:
            todo[r.stud_id] = r
    created: dict[str, Panda] = {}
    for number in _in_pedigree_order(todo, outcomes):
        r = todo[number]
        out = outcomes[id(r)]
        try:
            panda = Panda.register(today=now.date(), now=now, **_entry(r, known, created))
        except RuleViolated as exc:
            column = _COLUMN_OF.get(str(exc.loc[-1]), str(exc.loc[-1])) if len(exc.loc) > 1 else "STUD_ID"
            out.errors.append({"loc": [column], "msg": exc.detail, "type": exc.kind})
            continue
        session.add(panda)
        created[number] = panda
        out.status, out.id = "created", panda.id
    if created:
        await uow.commit()
    return [outcomes[id(r)] for r in records]


def _in_pedigree_order(todo: dict[str, ExchangeRecord], outcomes: dict[int, Outcome]) -> list[str]:
    """The numbers of `todo` with parents first; the records on a parent cycle are marked invalid and left out."""
    while True:
        animals = {_key(n): _as_animal(r) for n, r in todo.items()}
        try:
            order = parents_first(animals)
        except PedigreeCycle as cycle:
            by_key = {_key(n): n for n in todo}
            names = [by_key[a] for a in cycle.animals]
            for n in names:
                outcomes[id(todo.pop(n))].errors.append({
                    "loc": ["SIRE_ID"], "msg": "a parent cycle: " + " -> ".join(names), "type": "cycle"})
            continue
        by_key = {_key(n): n for n in todo}
        return [by_key[a] for a in order]


def _as_animal(r: ExchangeRecord) -> Animal:
    """The record as the pedigree's order sees it: every parent it names (a MULT sire's candidates too)."""
    f = r.fields
    sires = [(f["sire_number"], 1.0)] if f.get("sire_number") else list(f.get("possible_sire_numbers", ()))
    dam = Parent.of("known", _key(f["dam_number"])) if f.get("dam_number") else Parent(ParentOrigin.unknown)
    return Animal(_key(r.stud_id), f["sex"], dam=dam,
                  sire=Parent(ParentOrigin.multiple, tuple((_key(n), p) for n, p in sires)))


def _entry(r: ExchangeRecord, known: dict[str, Panda], created: dict[str, Panda]) -> dict[str, Any]:
    """`Panda.register`'s arguments for `r`, its parents found among `known` and `created`. Raises RuleViolated
    for a parent found in neither (or whose record was invalid)."""
    f = r.fields

    def parent(number: str, field_name: str) -> Panda:
        found = created.get(number) or known.get(number)
        if found is None:
            raise RuleViolated(f"no panda {number} in the studbook, nor a valid record of it in the file",
                               ("body", field_name), "not_found")
        return found

    entry = {k: f[k] for k in ("studbook_number", "name", "sex", "birth_date", "birth_date_estimated")}
    entry["death_date"] = f.get("death_date")
    entry["dam"] = parent(f["dam_number"], "dam_id") if f.get("dam_number") else None
    entry["sire"] = parent(f["sire_number"], "sire_id") if f.get("sire_number") else None
    entry["dam_origin"] = f.get("dam_origin")
    entry["sire_origin"] = f.get("sire_origin")
    if f.get("possible_sire_numbers"):
        entry["possible_sires"] = [(parent(n, "possible_sires"), p) for n, p in f["possible_sire_numbers"]]
    return entry


async def export_exchange(session: AsyncSession) -> str:
    """The whole studbook in the exchange layout, by studbook number; `LOCATION` is the holder's name."""
    pandas = list((await session.execute(select(Panda))).scalars())
    number = {p.id: p.studbook_number for p in pandas}
    held = await holders(session)
    names = await holder_names(session, held.values())
    rows = []
    for p in sorted(pandas, key=lambda p: (len(p.studbook_number), p.studbook_number)):
        mult = p.possible_sires or []
        rows.append({
            "STUD_ID": p.studbook_number,
            "SIRE_ID": number[p.sire_id] if p.sire_id else CODES[ParentOrigin(p.sire_origin).value],
            "DAM_ID": number[p.dam_id] if p.dam_id else CODES[ParentOrigin(p.dam_origin).value],
            "SEX": "M" if p.sex == "male" else "F", "BDATE": p.birth_date,
            "BIRTH_EST": "Y" if p.birth_date_estimated else "N", "DDATE": p.death_date,
            "LOCATION": names[held.get(p.id)].name,
            "NAME": p.name.get("en") or next(iter(p.name.values())),
            # Probabilities in full (`repr`): three thirds written as 0.333333 would not sum to 1 when read back.
            "MULT_SIRES": ";".join(f"{number[uuid.UUID(str(c['panda_id']))]}:{float(c['probability'])!r}"
                                   for c in mult),
        })
    return write_exchange(rows)
