"""A giant panda in the studbook: its unique studbook number, names, sex, birth and pedigree (dam and sire).

The pedigree is checked when a panda is registered: a dam is female, a sire is male, and both were born
before their offspring. The studbook number, sex, birth date and parents are facts of record and do not change;
names and the birthplace may be corrected.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from typing import Any

from shared.contracts.partnerships import PandaRegistered, PandaUpdated
from shared.domain import Aggregate, RuleViolated
from shared.ids import new_id


class Sex(enum.StrEnum):
    female = "female"
    male = "male"


@dataclass(eq=False, kw_only=True)
class Panda(Aggregate):
    EDITABLE = ("name", "birthplace")
    UPDATED = PandaUpdated

    id: uuid.UUID
    studbook_number: str
    name: dict[str, str]
    sex: Sex
    birth_date: dt.date
    birthplace: str | None
    dam_id: uuid.UUID | None
    sire_id: uuid.UUID | None
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
    ) -> Panda:
        """The studbook entry, its pedigree checked. What happened (`register`, or a cub born on loan:
        `Loan.record_cub`) is for the caller to record."""
        if birth_date > today:
            raise RuleViolated("birth_date cannot be in the future", ("body", "birth_date"))
        for parent, sex_of_parent, field, role in ((dam, Sex.female, "dam_id", "dam"),
                                                   (sire, Sex.male, "sire_id", "sire")):
            if parent is None:
                continue
            if Sex(parent.sex) is not sex_of_parent:
                raise RuleViolated(
                    f"the {role} must be {sex_of_parent.value}; panda {parent.studbook_number} is {parent.sex}",
                    ("body", field),
                )
            if parent.birth_date >= birth_date:
                raise RuleViolated(
                    f"the {role} must be born before its offspring; panda {parent.studbook_number} was born "
                    f"on {parent.birth_date}", ("body", field),
                )
        return cls(
            id=new_id(), studbook_number=studbook_number, name=name, sex=Sex(sex), birth_date=birth_date,
            birthplace=birthplace, dam_id=dam.id if dam else None, sire_id=sire.id if sire else None,
            version=1, created_at=now, updated_at=now,
        )

    @property
    def is_female(self) -> bool:
        return Sex(self.sex) is Sex.female
