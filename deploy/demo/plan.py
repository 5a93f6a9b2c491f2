"""The rules of the demo dataset as tables: how many things of each kind, in which states, and the settings of
each kind that the plans in the service modules consult (`partnerships`, `publications`, `training`, `outreach`).

Every choice is drawn from a generator seeded with the seed and what the choice is for, so the same seed gives the
same dataset. The plans draw in a fixed order, whatever a table says: a setting that needs no draw (a single
option, a share of 0) draws nothing, and one that does always draws at the same point.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

# --- agreements ------------------------------------------------------------------------------------------------

AGREEMENT_KINDS = ("panda_loan", "research_cooperation", "training_cooperation", "framework", "cultural_exchange")


@dataclass(frozen=True)
class AgreementState:
    """An agreement in one state: the transitions that take it there from a draft, and what follows from it."""

    steps: tuple[str, ...] = ()
    activated: bool = False  # it has been in force: its loans ran, its projects started
    in_force: bool = False  # it is in force today: events name it
    terminated: bool = False  # ended early: terminated after its projects, and those under way cancelled


_IN_FORCE = ("submit", "sign", "activate")
AGREEMENT_STATES = {  # in the order the loader's summary line lists them
    "draft": AgreementState(),
    "negotiating": AgreementState(("submit",)),
    "signed": AgreementState(("submit", "sign")),
    "active": AgreementState(_IN_FORCE, activated=True, in_force=True),
    "terminated": AgreementState(_IN_FORCE, activated=True, terminated=True),
    "expiring": AgreementState(_IN_FORCE, activated=True, in_force=True),  # active, its term ends today
}
STATES = tuple(AGREEMENT_STATES)
SUBMITTED_NOTE = "Terms sent to the partner for review."
TERMINATED_REASON = "Ended early."  # for a spec that gives none


@dataclass(frozen=True)
class TermRule:
    """How an agreement in one state gets its term when its spec gives none. Drawn in the order of the fields."""

    starts: str  # how its start is drawn from `start_range`: a key of `partnerships.STARTS`
    start_range: tuple[int, ...]
    signed_days_ago: tuple[int, int] | None = None  # signed so many days before today, drawn before the start
    years: tuple[int, ...] = ()  # its length, one of these; none: it ends today
    extend_by: int = 0  # years added to a term that would end within a year
    signed_days_before_start: tuple[int, int] | None = None  # with neither: signed on the day it starts


_PLANNED = TermRule("month_ahead", (70, 300), years=(5, 10))
_RAN = TermRule("month_in_years", (2015, 2023), years=(10, 10, 15), extend_by=5, signed_days_before_start=(20, 120))
TERMS = {
    "draft": _PLANNED,
    "negotiating": _PLANNED,
    "signed": TermRule("month_ahead", (40, 150), signed_days_ago=(10, 60), years=(10,)),
    "active": _RAN,
    "terminated": _RAN,
    "expiring": TermRule("years_ago", (5, 10), signed_days_before_start=(30, 120)),  # in force until today
}
SIGNED_DAYS_BEFORE_GIVEN_START = (30, 120)  # a spec with its term but no signature date
PROJECT_YEARS = (2, 4)


# --- (to be reshaped) -----------------------------------------------------------------------------------------

EVENT_KINDS = {  # kind: (weight, capacity, registrations (min, max), party size (min, max), walk-ins (min, max))
    "classroom": (18, 40, (2, 5), (2, 8), (0, 6)),
    "lecture": (18, 150, (5, 12), (1, 2), (10, 60)),
    "school_visit": (14, 70, (1, 2), (20, 32), (0, 4)),
    "hands_on_course": (12, 24, (4, 8), (1, 3), (0, 3)),
    "online_broadcast": (10, 5000, (5, 12), (1, 1), (0, 0)),
    "museum_tour": (10, 30, (3, 8), (1, 4), (0, 5)),
    "bookstore_event": (7, 60, (4, 10), (1, 2), (5, 40)),
    "exhibition": (6, 2000, (4, 10), (1, 5), (300, 3000)),
    "festival": (5, 3000, (5, 12), (2, 5), (800, 5000)),
}
AUDIENCES = {
    "classroom": ["children", "students"], "lecture": ["general", "professionals", "students"],
    "school_visit": ["students", "teachers", "children"], "hands_on_course": ["families", "children"],
    "online_broadcast": ["general", "students"], "museum_tour": ["tourists", "general"],
    "bookstore_event": ["general", "families"], "exhibition": ["general", "families", "tourists"],
    "festival": ["families", "general", "tourists", "children"],
}
WORK_TYPES = {  # type: (weight, authors (min, max))
    "journal_article": (110, (3, 8)), "conference_paper": (20, (2, 5)), "report": (16, (2, 4)),
    "popular_article": (18, (1, 2)), "book_chapter": (10, (1, 3)), "popular_science_book": (8, (1, 2)),
    "thesis": (8, (1, 1)), "book": (5, (1, 3)), "dataset": (5, (2, 5)),
}


# --- drawing ---------------------------------------------------------------------------------------------------


def one_of(rng: random.Random, options: Sequence[T]) -> T:
    """One of `options`; a single option is taken without a draw."""
    return options[0] if len(options) == 1 else rng.choice(options)


def spread(count: int, weights: dict[str, int], rng: random.Random) -> list[str]:
    """`count` values in proportion to `weights`, each value at least once when there is room, shuffled."""
    values = list(weights)
    out = values[:count] if count < len(values) else list(values)
    total = sum(weights.values())
    remaining = count - len(out)
    shares = {v: remaining * w / total for v, w in weights.items()}
    for v in values:
        out += [v] * int(shares[v])
    by_fraction = sorted(values, key=lambda v: -(shares[v] - int(shares[v])))
    out += by_fraction[: count - len(out)]
    rng.shuffle(out)
    return out

