"""The studbook's pedigree as the genetics read it: what is known of each parent (`ParentOrigin`, `Parent`), an
animal's place in it (`Animal`), and the pedigree's order, parents first (`parents_first`), which refuses a cycle.
Plain Python, no I/O; `genetics.py` computes the figures from it (with numpy, loaded only there).
"""

from __future__ import annotations

import enum
import heapq
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from shared.domain import RuleViolated


class ParentOrigin(enum.StrEnum):
    """What the studbook knows of a parent. SPARKS writes the last three as `UNK`, `WILD` and `MULT`."""

    known = "known"
    unknown = "unknown"
    wild = "wild"
    multiple = "multiple"


@dataclass(frozen=True)
class Parent:
    """One parent of an animal: its origin and, for a known parent, the animal (probability 1); for `multiple`
    the possible sires with their probabilities (summing to 1)."""

    origin: ParentOrigin
    candidates: tuple[tuple[uuid.UUID, float], ...] = ()

    @classmethod
    def of(cls, origin: ParentOrigin | str, parent_id: uuid.UUID | None = None,
           possible: Iterable[tuple[uuid.UUID, float]] = ()) -> Parent:
        origin = ParentOrigin(origin)
        if origin is ParentOrigin.known:
            return cls(origin, ((parent_id, 1.0),)) if parent_id else cls(ParentOrigin.unknown)
        if origin is ParentOrigin.multiple:
            return cls(origin, tuple((pid, float(p)) for pid, p in possible))
        return cls(origin)


UNKNOWN = Parent(ParentOrigin.unknown)


@dataclass(frozen=True)
class Animal:
    """An animal as the genetics see it: its parents, sex, whether it is alive and in the managed population."""

    id: uuid.UUID
    sex: str
    dam: Parent = UNKNOWN
    sire: Parent = UNKNOWN
    alive: bool = True
    managed: bool = True

    @property
    def parent_ids(self) -> set[uuid.UUID]:
        return {pid for p in (self.dam, self.sire) for pid, _ in p.candidates}

    @property
    def in_population(self) -> bool:
        """Counted in the living managed population, whose mean kinships the figures are taken over."""
        return self.alive and self.managed


class PedigreeCycle(RuleViolated):
    """The parents named make an animal its own ancestor."""

    def __init__(self, animals: list[uuid.UUID]):
        self.animals = animals
        super().__init__("the pedigree has a cycle: these animals would be their own ancestors: "
                         + ", ".join(str(a) for a in animals))


def parents_first(animals: dict[uuid.UUID, Animal]) -> list[uuid.UUID]:
    """`animals`' ids, each after all its parents in the studbook (Kahn's algorithm; ties in id order, so that
    the order is the same every time). A parent not in `animals` is treated as unknown.

    Raises `PedigreeCycle` (a 422) naming the animals on a cycle."""
    children: dict[uuid.UUID, list[uuid.UUID]] = {}
    waiting: dict[uuid.UUID, int] = {}
    for a in animals.values():
        parents = [p for p in a.parent_ids if p in animals]
        waiting[a.id] = len(parents)
        for p in parents:
            children.setdefault(p, []).append(a.id)
    ready = [a for a, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order: list[uuid.UUID] = []
    while ready:
        a = heapq.heappop(ready)
        order.append(a)
        for c in children.get(a, ()):
            waiting[c] -= 1
            if waiting[c] == 0:
                heapq.heappush(ready, c)
    if len(order) < len(animals):
        raise PedigreeCycle(_a_cycle(animals, {a for a, n in waiting.items() if n > 0}))
    return order


def _a_cycle(animals: dict[uuid.UUID, Animal], stuck: set[uuid.UUID]) -> list[uuid.UUID]:
    """One cycle among `stuck` (animals Kahn's algorithm could not place): follow parents until one repeats."""
    at = min(stuck)
    seen: list[uuid.UUID] = []
    while at not in seen:
        seen.append(at)
        at = min(p for p in animals[at].parent_ids if p in stuck)
    return seen[seen.index(at):]
