"""A giant panda in the studbook: its unique studbook number, names, sex, birth (and whether the date is
estimated), death, whether it is in the managed population, and its pedigree.

Each parent is `known` (`dam_id`/`sire_id` name it), `unknown` (SPARKS `UNK`), `wild` (a wild-born founder's
parent, SPARKS `WILD`), or for the sire `multiple` (SPARKS `MULT`: `possible_sires`, each with a probability, the
probabilities summing to 1). The pedigree is checked when a panda is registered or its parents are corrected: a
dam is female, a sire is male, and a parent is born before its offspring unless one of the two birth dates is
estimated. That no panda becomes its own ancestor needs the whole studbook: `genetics.parents_first` checks it.
The studbook number and sex do not change; names, birthplace, death, management and parents may be corrected.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from typing import Any

from services.partnerships.domain.pedigree import Animal, Parent, ParentOrigin
from shared.contracts.partnerships import PandaRegistered, PandaUpdated
from shared.domain import Aggregate, RuleViolated
from shared.ids import new_id


class Sex(enum.StrEnum):
    female = "female"
    male = "male"


@dataclass(eq=False, kw_only=True)
class Panda(Aggregate):
    EDITABLE = ("name", "birthplace", "birth_date_estimated", "death_date", "managed")
    PEDIGREE = ("dam_id", "sire_id", "dam_origin", "sire_origin", "possible_sires")
    UPDATED = PandaUpdated

    id: uuid.UUID
    studbook_number: str
    name: dict[str, str]
    sex: Sex
    birth_date: dt.date
    birthplace: str | None
    dam_id: uuid.UUID | None
    sire_id: uuid.UUID | None
    birth_date_estimated: bool
    death_date: dt.date | None
    managed: bool
    dam_origin: ParentOrigin
    sire_origin: ParentOrigin
    possible_sires: list[dict[str, Any]] | None  # [{"panda_id": "…", "probability": 0.6}, …] when `multiple`
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def register(cls, **entry: Any) -> Panda:
        """A panda entered in the studbook (what it takes: `entry`), recorded as registered."""
        panda = cls.entry(**entry)
        panda.record(PandaRegistered.of(panda))
        return panda

    @classmethod
    def entry(
        cls,
        *,
        studbook_number: str,
        name: dict[str, str],
        sex: Sex,
        birth_date: dt.date,
        today: dt.date,
        now: dt.datetime,
        birthplace: str | None = None,
        dam: Panda | None = None,
        sire: Panda | None = None,
        birth_date_estimated: bool = False,
        death_date: dt.date | None = None,
        managed: bool = True,
        dam_origin: ParentOrigin | None = None,
        sire_origin: ParentOrigin | None = None,
        possible_sires: list[tuple[Panda, float]] | None = None,
    ) -> Panda:
        """The studbook entry, its pedigree checked. What happened (`register`, or a cub born on loan:
        `Loan.record_cub`) is for the caller to record. Raises RuleViolated (a 422) naming the field."""
        if birth_date > today:
            raise RuleViolated("birth_date cannot be in the future", ("body", "birth_date"))
        panda = cls(
            id=new_id(), studbook_number=studbook_number, name=name, sex=Sex(sex), birth_date=birth_date,
            birthplace=birthplace, dam_id=None, sire_id=None, birth_date_estimated=birth_date_estimated,
            death_date=None, managed=managed, dam_origin=ParentOrigin.unknown, sire_origin=ParentOrigin.unknown,
            possible_sires=None, version=1, created_at=now, updated_at=now,
        )
        panda.set_parents(dam=dam, sire=sire, dam_origin=dam_origin, sire_origin=sire_origin,
                          possible_sires=possible_sires)
        panda.set_death(death_date, today)
        return panda

    def set_parents(self, *, dam: Panda | None, sire: Panda | None, dam_origin: ParentOrigin | None = None,
                    sire_origin: ParentOrigin | None = None,
                    possible_sires: list[tuple[Panda, float]] | None = None) -> None:
        """Set the dam and the sire, checked against this panda: a parent named is `known` (the origin may be
        left out); `unknown` and `wild` name none; only a sire may be `multiple`, naming two or more distinct
        possible sires whose probabilities (each above 0) sum to 1."""
        dam_origin = ParentOrigin(dam_origin or (ParentOrigin.known if dam else ParentOrigin.unknown))
        sire_origin = ParentOrigin(sire_origin or (ParentOrigin.known if sire else ParentOrigin.unknown))
        if dam_origin is ParentOrigin.multiple:
            raise RuleViolated("only a sire may be multiple (several possible sires)", ("body", "dam_origin"))
        for parent, origin, role in ((dam, dam_origin, "dam"), (sire, sire_origin, "sire")):
            if (parent is not None) != (origin is ParentOrigin.known):
                raise RuleViolated(f"{role}_id is given exactly when {role}_origin is known",
                                   ("body", f"{role}_id" if parent is not None else f"{role}_origin"))
        candidates = list(possible_sires or ())
        if (sire_origin is ParentOrigin.multiple) != bool(candidates):
            raise RuleViolated("possible_sires are given exactly when sire_origin is multiple",
                               ("body", "possible_sires"))
        if candidates:
            if len(candidates) < 2 or len({p.id for p, _ in candidates}) < len(candidates):
                raise RuleViolated("possible_sires name two or more different pandas", ("body", "possible_sires"))
            if abs(sum(p for _, p in candidates) - 1.0) > 1e-6:
                raise RuleViolated("the probabilities of the possible sires sum to 1", ("body", "possible_sires"))
        for parent, sex_of_parent, field, role in ((dam, Sex.female, "dam_id", "dam"),
                                                   (sire, Sex.male, "sire_id", "sire"),
                                                   *((p, Sex.male, "possible_sires", "sire") for p, _ in candidates)):
            if parent is None:
                continue
            if parent.id == self.id:
                raise RuleViolated(f"a panda is not its own {role}", ("body", field))
            if Sex(parent.sex) is not sex_of_parent:
                raise RuleViolated(
                    f"the {role} must be {sex_of_parent.value}; panda {parent.studbook_number} is {parent.sex}",
                    ("body", field),
                )
            if parent.birth_date >= self.birth_date and not (parent.birth_date_estimated or
                                                            self.birth_date_estimated):
                raise RuleViolated(
                    f"the {role} must be born before its offspring; panda {parent.studbook_number} was born "
                    f"on {parent.birth_date}", ("body", field),
                )
        self.dam_id, self.sire_id = (dam.id if dam else None), (sire.id if sire else None)
        self.dam_origin, self.sire_origin = dam_origin, sire_origin
        self.possible_sires = [{"panda_id": str(p.id), "probability": float(q)} for p, q in candidates] or None

    def set_death(self, death_date: dt.date | None, today: dt.date) -> None:
        if death_date is not None and not self.birth_date <= death_date <= today:
            raise RuleViolated(f"death_date lies between the birth ({self.birth_date}) and today",
                               ("body", "death_date"))
        self.death_date = death_date

    def check(self) -> None:
        if self.death_date is not None and self.death_date < self.birth_date:
            raise RuleViolated(f"death_date cannot be before the birth ({self.birth_date})", ("body", "death_date"))

    def correct(self, changes: dict[str, Any], parents: dict[str, Any] | None, now: dt.datetime) -> list[str]:
        """Correct the record: `changes` of the `EDITABLE` fields, and `parents` (the `set_parents` arguments)
        when the pedigree is corrected. Recorded as updated, naming what changed. Raises RuleViolated."""
        if changes.get("death_date") is not None and changes["death_date"] > now.date():
            raise RuleViolated("death_date cannot be in the future", ("body", "death_date"))
        before = {f: getattr(self, f) for f in self.PEDIGREE}
        changed = self.apply_changes(changes, now)
        if parents is not None:
            self.set_parents(**parents)
            moved = [f for f in self.PEDIGREE if getattr(self, f) != before[f]]
            if moved and not changed:
                self.touch(now)
            changed += moved
        if changed:
            self.record(PandaUpdated.of(self, changed=changed))
        return changed

    def as_animal(self) -> Animal:
        """What the genetics need of this panda."""
        return animal_of(self.id, self.sex, self.dam_id, self.sire_id, self.dam_origin, self.sire_origin,
                         self.possible_sires, self.death_date is None, self.managed)

    @property
    def is_female(self) -> bool:
        return Sex(self.sex) is Sex.female


def animal_of(panda_id: uuid.UUID, sex: str, dam_id: uuid.UUID | None, sire_id: uuid.UUID | None,
              dam_origin: str, sire_origin: str, possible_sires: list[dict[str, Any]] | None, alive: bool,
              managed: bool) -> Animal:
    """The genetics' view of a studbook record (a panda, a row, or an event's snapshot of one)."""
    return Animal(
        id=panda_id, sex=str(sex),
        dam=Parent.of(dam_origin, dam_id),
        sire=Parent.of(sire_origin, sire_id,
                       [(uuid.UUID(str(c["panda_id"])), float(c["probability"])) for c in possible_sires or ()]),
        alive=alive, managed=managed,
    )
