"""The studbook's genetics at the real scale: 5,000 animals, computed as `services/partnerships/domain/genetics`
computes them in the partnerships service.

A synthetic pedigree of ANIMALS pandas (seeded): FOUNDERS wild-born founders, then births whose dam and sire are
drawn from the latest few hundred animals, 10 % with two possible sires (MULT), 5 % with an unknown sire; the
older 60 % dead. Figures:
- the full recomputation (`StudbookGenetics.of`: the kinship matrix by the tabular method, then the population's
  figures), median of REPEATS, target 1 s;
- the update after one birth (`apply` of one new animal, then the population's figures, as the event handler
  does), median of BIRTHS births, target 50 ms;
- memory: what the computation holds (the float32 kinship matrix with room for 2 % more animals, the founder
  contributions) and the peak while building it (tracemalloc: numpy reports its buffers to it).
The service's own time around it (reading the pandas, writing the figures row) is in the event_propagation and
memory benchmarks' kind of figures, not here.
"""

from __future__ import annotations

import random
import statistics
import time
import tracemalloc
import uuid

from bench.common import ms
from bench.report import Report
from services.partnerships.domain.genetics import StudbookGenetics
from services.partnerships.domain.pedigree import Animal, Parent, ParentOrigin
from tests.harness import Stack

ANIMALS = 5000
FOUNDERS = 150
REPEATS = 5
BIRTHS = 50
FULL_TARGET_MS = 1000.0
BIRTH_TARGET_MS = 50.0


def pedigree(n: int, seed: int = 21) -> list[Animal]:
    rng = random.Random(seed)
    animals: list[Animal] = []
    males: list[uuid.UUID] = []
    females: list[uuid.UUID] = []
    wild = Parent(ParentOrigin.wild)
    for k in range(n):
        sex = "male" if rng.random() < 0.5 else "female"
        me = uuid.UUID(int=rng.getrandbits(128))
        alive = k > n * 0.6
        if k < FOUNDERS:
            a = Animal(me, sex, dam=wild, sire=wild, alive=alive)
        else:
            dam = Parent.of("known", rng.choice(females[-300:]))
            roll = rng.random()
            if roll < 0.10:
                s1, s2 = rng.sample(males[-300:], 2)
                sire = Parent.of("multiple", possible=[(s1, 0.6), (s2, 0.4)])
            elif roll < 0.15:
                sire = Parent(ParentOrigin.unknown)
            else:
                sire = Parent.of("known", rng.choice(males[-300:]))
            a = Animal(me, sex, dam=dam, sire=sire, alive=alive)
        animals.append(a)
        (males if sex == "male" else females).append(me)
    return animals


def run(stack: Stack) -> Report:
    report = Report("genetics", f"studbook genetics of {ANIMALS:,} animals (float32 kinship, numpy)")
    animals = pedigree(ANIMALS)
    fulls = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        g = StudbookGenetics.of(animals)
        g.figures()
        fulls.append(time.perf_counter() - started)
    full = ms(statistics.median(fulls))
    report.add("full_ms", "full recomputation, ms (median)", full, f"<= {FULL_TARGET_MS:g}", full <= FULL_TARGET_MS)

    rng = random.Random(5)
    population = g.population
    females = [a for a in population if g.animals[a].sex == "female"]
    males = [a for a in population if g.animals[a].sex == "male"]
    births = []
    for _ in range(BIRTHS):
        cub = Animal(uuid.uuid4(), rng.choice(("male", "female")), dam=Parent.of("known", rng.choice(females)),
                     sire=Parent.of("known", rng.choice(males)))
        started = time.perf_counter()
        assert g.apply(cub) == "added"
        g.figures()
        births.append(time.perf_counter() - started)
    birth = ms(statistics.median(births), 2)
    report.add("birth_ms", "update after one birth, ms (median)", birth, f"<= {BIRTH_TARGET_MS:g}",
               birth <= BIRTH_TARGET_MS)
    report.add("birth_max_ms", "update after one birth, ms (slowest)", ms(max(births), 2))

    held = (g._kin.nbytes + g._contrib.nbytes + g._mk_sum.nbytes) / 2**20
    report.add("held_mb", "memory held, MB", round(held, 1))
    del g
    tracemalloc.start()
    StudbookGenetics.of(animals)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    report.add("peak_mb", "peak while building, MB", round(peak / 2**20, 1))
    report.add("living", "living animals (the population)", len(population))
    return report
