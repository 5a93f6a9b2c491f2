"""Made-up people: names of their country, and unique e-mail addresses under the reserved `.example` domain."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from deploy.demo import dataset
from deploy.demo.dataset import PartnerSpec

_TRANSLITERATE = str.maketrans({"ø": "o", "Ø": "o", "æ": "ae", "ß": "ss", "ł": "l", "đ": "d", "ı": "i"})


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    return "".join(c for c in plain if c.isascii() and c.isalnum()).lower()


def email_domain(partner: PartnerSpec | None) -> str:
    """Where a partner's staff have their addresses (`mail.example` for everybody else)."""
    return f"{partner.key.replace('_', '-')}.example" if partner else "mail.example"


@dataclass
class Person:
    name: str
    email: str
    country: str
    partner: str | None = None


class People:
    """Made-up people with names of their country and unique addresses under `.example`."""

    def __init__(self) -> None:
        self.emails: set[str] = set()

    def new(self, rng: random.Random, country: str, domain: str, partner: str | None = None) -> Person:
        givens, families = dataset.NAMES.get(country, dataset.NAMES["US"])
        given, family = rng.choice(givens), rng.choice(families)
        name = f"{family} {given}" if country in dataset.FAMILY_NAME_FIRST else f"{given} {family}"
        local = f"{_ascii(given)}.{_ascii(family)}"
        email, n = f"{local}@{domain}", 2
        while email in self.emails:
            email, n = f"{local}{n}@{domain}", n + 1
        self.emails.add(email)
        return Person(name, email, country, partner)
