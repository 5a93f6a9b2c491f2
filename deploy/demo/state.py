"""One load of the demo: its settings, its callers, and what it has made so far that later parts name."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from deploy.demo import dataset
from deploy.demo.client import Caller, Gateway
from deploy.demo.dataset import AgreementSpec, PandaSpec, PartnerSpec
from deploy.demo.report import Report


@dataclass
class Load:
    seed: int
    scale: float
    now: dt.datetime
    gateway: Gateway
    admin: Caller
    coord: Caller  # the coordinator key the admin key issued: it writes almost everything
    report: Report
    partners: dict[str, PartnerSpec] = field(default_factory=lambda: {p.key: p for p in dataset.PARTNERS})
    partner_ids: dict[str, str] = field(default_factory=dict)
    partner_callers: dict[str, Caller] = field(default_factory=dict)  # partner key: its own API key
    agreement_specs: dict[str, AgreementSpec] = field(default_factory=dict)  # the chosen ones
    agreements: dict[str, dict[str, Any]] = field(default_factory=dict)  # key: the agreement as last answered
    projects: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))  # by agreement
    studbook: list[PandaSpec] = field(default_factory=list)  # the named pandas and the generated population
    pandas: dict[str, asyncio.Future[str]] = field(default_factory=dict)  # key: its id, once registered
    popular_books: list[dict[str, Any]] = field(default_factory=list)  # published, for book launches
    works_ready: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def rng(self, *what: object) -> random.Random:
        """The random choices for one thing: the same for the same seed, whatever runs at the same time."""
        return random.Random(f"{self.seed}/" + "/".join(map(str, what)))

    def count(self, full: int, least: int) -> int:
        return max(least, round(full * self.scale))
