"""A giant panda in the studbook: its unique studbook number, names, sex, birth and pedigree (dam and sire).

The pedigree is checked when a panda is registered: a dam is female, a sire is male, and both were born
before their offspring. The studbook number, sex, birth date and parents are facts of record and do not change;
names and the birthplace may be corrected.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from shared.domain import RuleViolated
from shared.ids import new_id


class Sex(enum.StrEnum):
    female = "female"
    male = "male"


class Panda:
    EDITABLE = ("name", "birthplace")
    REQUIRED = ("name",)

    def __init__(
        self,
        *,
        id: uuid.UUID,
        studbook_number: str,
        name: dict[str, str],
        sex: Sex,
        birth_date: dt.date,
        birthplace: str | None,
        dam_id: uuid.UUID | None,
        sire_id: uuid.UUID | None,
        version: int,
        created_at: dt.datetime,
        updated_at: dt.datetime,
    ) -> None:
        self.id = id
        self.studbook_number = studbook_number
        self.name = name
        self.sex = sex
        self.birth_date = birth_date
        self.birthplace = birthplace
        self.dam_id = dam_id
        self.sire_id = sire_id
        self.version = version
        self.created_at = created_at
        self.updated_at = updated_at

    @classmethod
    def register(
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

    def update(self, changes: dict[str, Any], now: dt.datetime) -> list[str]:
        """Apply the fields given; answer which actually changed. No change, no new version."""
        unknown = set(changes) - set(self.EDITABLE)
        if unknown:
            raise RuleViolated(f"cannot change {', '.join(sorted(unknown))}")
        for name in self.REQUIRED:
            if name in changes and changes[name] is None:
                raise RuleViolated(f"{name} cannot be removed", ("body", name))
        changed = [k for k, v in changes.items() if getattr(self, k) != v]
        if not changed:
            return []
        for k in changed:
            setattr(self, k, changes[k])
        self.version += 1
        self.updated_at = now
        return changed

    @property
    def is_female(self) -> bool:
        return Sex(self.sex) is Sex.female
