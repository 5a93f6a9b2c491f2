"""The rules of the demo dataset: how many of each kind, and each kind's settings."""

from __future__ import annotations

import random

STATES = ("draft", "negotiating", "signed", "active", "terminated", "expiring")
AGREEMENT_KINDS = ("panda_loan", "research_cooperation", "training_cooperation", "framework", "cultural_exchange")
STATES = ("draft", "negotiating", "signed", "active", "terminated", "expiring")
AGREEMENT_KINDS = ("panda_loan", "research_cooperation", "training_cooperation", "framework", "cultural_exchange")
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

