"""The studbook's population genetics: kinship, inbreeding, mean kinship, founder contributions, gene diversity,
founder genome equivalents and founder equivalents, and what a pairing would do to them.

Definitions (Ballou & Lacy 1995, "Identifying genetically important individuals for management of genetic
variation in pedigreed populations"; Lacy 1989, "Analysis of founder representation in pedigrees: founder
equivalents and founder genome equivalents", Zoo Biology 8:111-123):

- kinship f(i, j): the probability that an allele drawn at random from i and one from j are identical by descent.
  Computed by the tabular method (Emik & Terrill 1949): animals in an order where parents come before their
  offspring (a topological order of the pedigree, not the birth dates, which may be estimated and out of order);
  f(i, j) = ½ (f(sire, j) + f(dam, j)) and f(i, i) = ½ (1 + f(sire, dam)).
- an unknown (`UNK`) or wild (`WILD`) parent is a new founder unrelated to everyone (its kinship with anyone else
  is 0), so an animal with one known parent has half its kinship with others through that parent;
- a `MULT` sire (several possible sires with probabilities summing to 1) is the probability-weighted parent:
  f(i, j) = ½ (Σₖ pₖ f(sireₖ, j) + f(dam, j)) (the approach PMx takes for uncertain parentage);
- inbreeding F(i) = f(sire, dam) = 2 f(i, i) - 1;
- mean kinship MK(i) = the mean of f(i, j) over the living managed population, j = i included (Ballou & Lacy 1995);
- gene diversity GD = 1 - mean MK over the living managed population (the expected heterozygosity retained
  relative to the founders); founder genome equivalents FGE = 1 / (2 · mean MK) (Lacy 1989 via Ballou & Lacy 1995);
- founder contributions: the share of an animal's genome from each founder, ½ from each parent down the pedigree;
  a wild-born animal is its own founder, a `UNK` parent's half is unknown ancestry; founder equivalents
  FE = 1 / Σ pᵢ² over the living managed population's mean contributions pᵢ of the known founders (renormalised to
  sum to 1 where some ancestry is unknown) (Lacy 1989).

Plain Python and numpy, no I/O: `StudbookGenetics` holds the kinship of every animal in the studbook and is kept
current one change at a time (a birth adds one row: O(n); a death or a change of management moves one column
out of the mean kinships: O(n)); a corrected parent recomputes the whole matrix, its descendants' rows all change.
The kinship is held in float32: 5,000 animals take 100 MB, and the figures are reported to six decimals.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from services.partnerships.domain.pedigree import Animal, ParentOrigin, parents_first

DTYPE = np.float32


@dataclass(frozen=True)
class PopulationFigures:
    """The living managed population's figures. `founder_contributions`: founder id → its share of the
    population's genes, known founders only, renormalised to sum to 1; `unknown_ancestry`: the share from `UNK`
    parents (0-1)."""

    size: int
    gene_diversity: float
    founder_genome_equivalents: float | None
    founder_equivalents: float | None
    founders_represented: int
    mean_inbreeding: float
    mean_kinship: float
    unknown_ancestry: float
    founder_contributions: dict[uuid.UUID, float]
    mean_kinships: dict[uuid.UUID, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Pairing:
    """What a pairing would give: the offspring's inbreeding (= the pair's kinship), the change of the
    population's gene diversity were the offspring added to it, the parents' mean kinships and their difference,
    and the offspring's unknown ancestry (0-1)."""

    sire: uuid.UUID
    dam: uuid.UUID
    offspring_inbreeding: float
    delta_gene_diversity: float
    sire_mean_kinship: float
    dam_mean_kinship: float
    unknown_ancestry: float

    @property
    def mean_kinship_difference(self) -> float:
        return abs(self.sire_mean_kinship - self.dam_mean_kinship)


class StudbookGenetics:
    """The kinship of every animal of a studbook and the figures derived from it, kept current one change at a
    time (`apply`). Build with `StudbookGenetics.of(animals)`."""

    def __init__(self, capacity: int = 64):
        self.animals: dict[uuid.UUID, Animal] = {}
        self.index: dict[uuid.UUID, int] = {}
        self.ids: list[uuid.UUID] = []
        self._kin = np.zeros((capacity, capacity), DTYPE)
        # Founder contributions: column 0 is unknown ancestry, then one column per founder (a wild-born animal).
        self._contrib = np.zeros((capacity, 16), DTYPE)
        self.founders: list[uuid.UUID] = []
        self._founder_column: dict[uuid.UUID, int] = {}
        self._in_pop = np.zeros(capacity, bool)
        self._mk_sum = np.zeros(capacity, np.float64)  # Σ_j∈population f(i, j), for each animal i

    # --- building ------------------------------------------------------------------------------------------

    @classmethod
    def of(cls, animals: Iterable[Animal]) -> StudbookGenetics:
        """The whole studbook computed from scratch; every parent named must be among `animals`. Raises
        `PedigreeCycle`."""
        by_id = {a.id: a for a in animals}
        order = parents_first(by_id)
        g = cls(capacity=len(by_id) + max(64, len(by_id) // 50))  # room for the births to come
        for a in order:
            g._add(by_id[a])
        g._recount_mean_kinships()
        return g

    @property
    def n(self) -> int:
        return len(self.ids)

    def apply(self, animal: Animal) -> str:
        """Bring one animal's record up to date: `"added"` (a new animal: one row), `"population"` (alive or
        managed changed: one column in or out of the mean kinships), `"pedigree"` (its parents changed: the
        whole matrix again), or `"unchanged"`. Applying the same record twice changes nothing the second time.

        Raises `PedigreeCycle` for a parent change that makes a cycle (nothing is changed then)."""
        held = self.animals.get(animal.id)
        if held == animal:
            return "unchanged"
        if held is None and all(p in self.index for p in animal.parent_ids):
            self._add(animal)
            i = self.index[animal.id]
            if animal.in_population:
                self._mk_sum[: self.n] += self._kin[: self.n, i]
                self._in_pop[i] = True
            self._mk_sum[i] = float(self._kin[i, : self.n] @ self._in_pop[: self.n])
            return "added"
        if held is not None and (held.dam, held.sire) == (animal.dam, animal.sire):
            self.animals[animal.id] = animal
            i = self.index[animal.id]
            if held.in_population != animal.in_population:
                sign = 1.0 if animal.in_population else -1.0
                self._mk_sum[: self.n] += sign * self._kin[: self.n, i]
                self._in_pop[i] = animal.in_population
            return "population"
        rebuilt = StudbookGenetics.of([*(a for a in self.animals.values() if a.id != animal.id), animal])
        self.__dict__.update(rebuilt.__dict__)
        return "pedigree"

    def _grow(self) -> None:
        cap = self._kin.shape[0]
        if self.n < cap:
            return
        new = cap + cap // 4 + 64  # a quarter more: the matrix is most of the memory
        kin = np.zeros((new, new), DTYPE)
        kin[:cap, :cap] = self._kin
        self._kin = kin
        contrib = np.zeros((new, self._contrib.shape[1]), DTYPE)
        contrib[:cap] = self._contrib
        self._contrib = contrib
        self._in_pop = np.concatenate([self._in_pop, np.zeros(new - cap, bool)])
        self._mk_sum = np.concatenate([self._mk_sum, np.zeros(new - cap)])

    def _founder(self, animal_id: uuid.UUID) -> int:
        col = self._founder_column.get(animal_id)
        if col is None:
            col = len(self.founders) + 1
            if col >= self._contrib.shape[1]:
                wider = np.zeros((self._contrib.shape[0], self._contrib.shape[1] * 2), DTYPE)
                wider[:, : self._contrib.shape[1]] = self._contrib
                self._contrib = wider
            self.founders.append(animal_id)
            self._founder_column[animal_id] = col
        return col

    def _add(self, a: Animal) -> None:
        """Append `a`'s row and column: its parents are already in (the tabular method)."""
        self._grow()
        i, n = self.n, self.n
        kin, contrib = self._kin, self._contrib
        row = np.zeros(n, DTYPE)
        self_kin = 0.0
        crow = np.zeros(contrib.shape[1], DTYPE)
        for parent in (a.dam, a.sire):
            if parent.origin is ParentOrigin.wild:
                col = self._founder(a.id)
                crow = _fit(crow, self._contrib.shape[1])
                crow[col] += 0.5
            elif not parent.candidates:
                crow[0] += 0.5
            for pid, p in parent.candidates:
                j = self.index[pid]
                row += (0.5 * p) * kin[j, :n]
                crow += (0.5 * p) * self._contrib[j, : crow.size]
        for sid, ps in a.sire.candidates:
            for did, pd in a.dam.candidates:
                self_kin += ps * pd * float(kin[self.index[sid], self.index[did]])
        kin[i, :n] = row
        kin[:n, i] = row
        kin[i, i] = 0.5 * (1.0 + self_kin)
        self._contrib[i, : crow.size] = crow
        self.animals[a.id] = a
        self.index[a.id] = i
        self.ids.append(a.id)
        self._in_pop[i] = False  # counted in by `apply` or `_recount_mean_kinships`

    def _recount_mean_kinships(self) -> None:
        n = self.n
        self._in_pop[:n] = [self.animals[a].in_population for a in self.ids]
        self._mk_sum[:n] = self._kin[:n, :n] @ self._in_pop[:n].astype(DTYPE)

    # --- reading -------------------------------------------------------------------------------------------

    def _i(self, animal_id: uuid.UUID) -> int:
        return self.index[animal_id]

    @property
    def population(self) -> list[uuid.UUID]:
        return [a for a in self.ids if self._in_pop[self.index[a]]]

    def kinship(self, a: uuid.UUID, b: uuid.UUID) -> float:
        return float(self._kin[self._i(a), self._i(b)])

    def inbreeding(self, a: uuid.UUID) -> float:
        """F = 2 f(a, a) - 1."""
        return 2.0 * float(self._kin[self._i(a), self._i(a)]) - 1.0

    def mean_kinship(self, a: uuid.UUID) -> float | None:
        """MK with the living managed population (itself included if it is in it); None for an empty population."""
        size = int(self._in_pop[: self.n].sum())
        return float(self._mk_sum[self._i(a)]) / size if size else None

    def mk_rank(self, a: uuid.UUID) -> int | None:
        """1 for the population's lowest MK (the most valuable to breed); ties share a rank. None outside it."""
        i = self._i(a)
        if not self._in_pop[i]:
            return None
        sums = self._mk_sum[: self.n][self._in_pop[: self.n]]
        return int((sums < self._mk_sum[i] - 1e-9).sum()) + 1

    def founder_contributions(self, a: uuid.UUID) -> tuple[dict[uuid.UUID, float], float]:
        """(founder id → share of `a`'s genome, the unknown share), shares 0-1 summing to 1."""
        row = self._contrib[self._i(a)]
        return ({f: float(row[c]) for f, c in self._founder_column.items() if row[c] > 0}, float(row[0]))

    def figures(self, among: Iterable[uuid.UUID] | None = None) -> PopulationFigures:
        """The figures of the living managed population, or of the animals `among` (any, alive or not: a group
        being planned) with the mean kinships taken within that group."""
        if among is None:
            ix = np.flatnonzero(self._in_pop[: self.n])
            mk_sums = self._mk_sum[ix]
        else:
            ix = np.array(sorted({self._i(a) for a in among}), dtype=np.int64)
            mk_sums = self._kin[np.ix_(ix, ix)].sum(axis=1, dtype=np.float64)
        size = len(ix)
        if size == 0:
            return PopulationFigures(0, 0.0, None, None, 0, 0.0, 0.0, 0.0, {})
        mean_mk = float(mk_sums.sum()) / size / size
        mean_f = float((2.0 * self._kin[ix, ix].astype(np.float64) - 1.0).mean())
        p = self._contrib[ix].mean(axis=0, dtype=np.float64)
        unknown, known = float(p[0]), p[1:]
        total = known.sum()
        shares = {f: float(known[c - 1] / total) for f, c in self._founder_column.items()
                  if total > 0 and known[c - 1] > 0}
        fe = 1.0 / sum(s * s for s in shares.values()) if shares else None
        return PopulationFigures(
            size=size, gene_diversity=1.0 - mean_mk,
            founder_genome_equivalents=1.0 / (2.0 * mean_mk) if mean_mk > 0 else None,
            founder_equivalents=fe, founders_represented=len(shares), mean_inbreeding=mean_f, mean_kinship=mean_mk,
            unknown_ancestry=unknown, founder_contributions=shares,
            mean_kinships={self.ids[i]: float(s) / size for i, s in zip(ix, mk_sums, strict=True)},
        )

    def pairing(self, sire: uuid.UUID, dam: uuid.UUID) -> Pairing:
        return self._pairings(sire, [dam], sire_first=True)[0]

    def mates(self, animal: uuid.UUID) -> list[Pairing]:
        """Every living managed animal of the other sex paired with `animal`, in no particular order."""
        sex = self.animals[animal].sex
        others = [a for a in self.population if a != animal and self.animals[a].sex != sex]
        return self._pairings(animal, others, sire_first=sex == "male")

    def _pairings(self, one: uuid.UUID, others: list[uuid.UUID], *, sire_first: bool) -> list[Pairing]:
        """The pairings of `one` with each of `others`, vectorised: the offspring o of a and b has
        f(o, j) = ½ (f(a, j) + f(b, j)) and f(o, o) = ½ (1 + f(a, b)), so the population's kinship sum with o
        added is S + 2 Σ_j∈pop f(o, j) + f(o, o), all from the held sums (Ballou & Lacy 1995's ΔGD)."""
        if not others:
            return []
        n = self.n
        size = int(self._in_pop[:n].sum())
        total = float(self._mk_sum[:n][self._in_pop[:n]].sum())
        i = self._i(one)
        js = np.array([self._i(o) for o in others])
        f_pair = self._kin[i, js].astype(np.float64)
        with_o = 0.5 * (self._mk_sum[i] + self._mk_sum[js])
        self_o = 0.5 * (1.0 + f_pair)
        gd_before = 1.0 - total / size / size if size else 0.0
        gd_after = 1.0 - (total + 2.0 * with_o + self_o) / (size + 1) / (size + 1)
        mk = self._mk_sum / size if size else np.zeros_like(self._mk_sum)
        unknown = 0.5 * (self._contrib[i, 0] + self._contrib[js, 0])
        out = []
        for k, other in enumerate(others):
            sire, dam = (one, other) if sire_first else (other, one)
            out.append(Pairing(
                sire=sire, dam=dam, offspring_inbreeding=float(f_pair[k]),
                delta_gene_diversity=float(gd_after[k] - gd_before),
                sire_mean_kinship=float(mk[self._i(sire)]), dam_mean_kinship=float(mk[self._i(dam)]),
                unknown_ancestry=float(unknown[k]),
            ))
        return out


def _fit(row: np.ndarray, width: int) -> np.ndarray:
    """`row` widened to `width` columns (the founder columns grew while the row was being built)."""
    if row.size >= width:
        return row
    out = np.zeros(width, row.dtype)
    out[: row.size] = row
    return out


def mate_order(p: Pairing) -> tuple[bool, float, float, float]:
    """How candidate mates are ranked: pairings whose offspring would be inbred above 1/16 (first cousins' young)
    last; then the largest gain (smallest loss) of gene diversity; then the closest mean kinships (a valuable
    animal is paired with an equally valuable one: Ballou & Lacy 1995); then the least unknown ancestry."""
    return (p.offspring_inbreeding > 0.0625 + 1e-9, -p.delta_gene_diversity, p.mean_kinship_difference,
            p.unknown_ancestry)
