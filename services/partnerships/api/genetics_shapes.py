"""The studbook's genetics on the wire: what `api/genetics.py` answers and accepts. Shapes only; figures rounded to
six decimals, shares and coefficients 0-1."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from services.partnerships.usecases import genetics
from services.partnerships.usecases.genetics import Holder, PairingAnswer

_F = "Inbreeding coefficient F = f(sire, dam), 0-1 (Wright 1922; tabular method)"
_MK = "Mean kinship with the living managed population, itself included, 0-1 (Ballou & Lacy 1995)"


class HolderOut(BaseModel):
    """Who holds a panda: a partner (on an active loan) or the base (`holder_id` null)."""

    holder_id: uuid.UUID | None
    name: str
    country: str

    @classmethod
    def of(cls, h: Holder) -> HolderOut:
        return cls(holder_id=h.holder_id, name=h.name, country=h.country)


class FounderShare(BaseModel):
    founder_id: uuid.UUID
    studbook_number: str
    share: float = Field(description="Share of the genome from this founder, 0-1")


class PandaGeneticsOut(BaseModel):
    panda_id: uuid.UUID
    in_population: bool = Field(description="Alive and in the managed population")
    inbreeding: float = Field(description=_F)
    mean_kinship: float | None = Field(description=_MK)
    mean_kinship_rank: int | None = Field(description="1 = the lowest MK (the most valuable to breed); null "
                                                      "outside the living managed population")
    population_size: int
    founder_contributions: list[FounderShare]
    unknown_ancestry: float = Field(description="Share of the genome from unknown (UNK) parents, 0-1")
    holder: HolderOut = Field(description="Where the panda lives: the partner of its active loan, or the base")
    owner: HolderOut = Field(description="Who owns it: the base, wherever it lives (a loan moves no ownership)")

    @classmethod
    def of(cls, g: genetics.PandaGenetics) -> PandaGeneticsOut:
        return cls(
            panda_id=g.panda_id, in_population=g.in_population, inbreeding=round(g.inbreeding, 6),
            mean_kinship=_r(g.mean_kinship), mean_kinship_rank=g.mk_rank, population_size=g.population_size,
            founder_contributions=[FounderShare(founder_id=f, studbook_number=n, share=round(s, 6))
                                   for f, n, s in g.founder_contributions],
            unknown_ancestry=round(g.unknown_ancestry, 6), holder=HolderOut.of(g.holder),
            owner=HolderOut.of(genetics.OWNER),
        )


class MeanKinshipOut(BaseModel):
    panda_id: uuid.UUID
    studbook_number: str
    mean_kinship: float
    rank: int


class InstitutionOut(HolderOut):
    living: int


class StudbookGeneticsOut(BaseModel):
    revision: int = Field(description="Grows with each partnerships.studbook.updated (and each corrected parent)")
    population_size: int = Field(description="Living animals of the managed population (or of `population`)")
    gene_diversity: float = Field(description="GD = 1 - mean MK: expected heterozygosity kept, relative to the "
                                              "founders (Ballou & Lacy 1995)")
    founder_genome_equivalents: float | None = Field(description="FGE = 1 / (2 mean MK) (Lacy 1989)")
    founder_equivalents: float | None = Field(description="FE = 1 / sum of the squared founder contributions "
                                                          "(Lacy 1989)")
    founders_represented: int = Field(description="Founders with descendants in the population")
    mean_inbreeding: float
    mean_kinship: float
    unknown_ancestry: float = Field(description="Share of the population's genes from unknown parents, 0-1")
    founder_contributions: list[FounderShare]
    mean_kinships: list[MeanKinshipOut] = Field(description="Each animal's MK, the lowest (most valuable) first")
    living_by_institution: list[InstitutionOut] = Field(description="Living pandas (managed or not) by holder")

    @classmethod
    def of(cls, s: genetics.StudbookFigures) -> StudbookGeneticsOut:
        f, n = s.figures, s.studbook_numbers
        ranked = sorted(f.mean_kinships.items(), key=lambda x: (x[1], n.get(x[0], "")))
        mks, rank = [], 0
        for k, (pid, mk) in enumerate(ranked):
            rank = rank if k and abs(mk - ranked[k - 1][1]) < 1e-9 else k + 1
            mks.append(MeanKinshipOut(panda_id=pid, studbook_number=n.get(pid, ""), mean_kinship=round(mk, 6),
                                      rank=rank))
        return cls(
            revision=s.revision, population_size=f.size, gene_diversity=round(f.gene_diversity, 6),
            founder_genome_equivalents=_r(f.founder_genome_equivalents), founder_equivalents=_r(f.founder_equivalents),
            founders_represented=f.founders_represented, mean_inbreeding=round(f.mean_inbreeding, 6),
            mean_kinship=round(f.mean_kinship, 6), unknown_ancestry=round(f.unknown_ancestry, 6),
            founder_contributions=[FounderShare(founder_id=fid, studbook_number=n.get(fid, ""), share=round(sh, 6))
                                   for fid, sh in sorted(f.founder_contributions.items(), key=lambda x: -x[1])],
            mean_kinships=mks,
            living_by_institution=[InstitutionOut(living=h.living, **HolderOut.of(h).model_dump())
                                   for h in s.living_by_institution],
        )


class TransferOut(BaseModel):
    panda_id: uuid.UUID = Field(description="The panda that would move")
    from_holder: HolderOut
    to_holder: HolderOut


class PairingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"sire_id": "0192f0a4-9b3c-7d5e-9f6a-7b8c9d0e1f2a", "dam_id": "0192f0a4-8a2b-7c4d-8e5f-6a7b8c9d0e1f"}]})
    sire_id: uuid.UUID
    dam_id: uuid.UUID


class PairingOut(BaseModel):
    sire_id: uuid.UUID
    sire_studbook_number: str
    dam_id: uuid.UUID
    dam_studbook_number: str
    offspring_inbreeding: float = Field(description="The offspring's F: the pair's kinship, 0-1")
    delta_gene_diversity: float = Field(description="The change of GD were the offspring added to the living "
                                                    "managed population")
    sire_mean_kinship: float
    dam_mean_kinship: float
    mean_kinship_difference: float
    unknown_ancestry: float = Field(description="The offspring's share of unknown ancestry, 0-1")
    same_holder: bool = Field(description="Both are held by the same institution under the loans in force")
    transfer_needed: TransferOut | None = Field(description="Which panda must move where for them to meet")
    reasons: list[str]

    @classmethod
    def of(cls, a: PairingAnswer) -> PairingOut:
        p, m = a.pairing, a.meeting
        transfer = None if m.same_holder else TransferOut(
            panda_id=m.move_panda_id, from_holder=HolderOut.of(m.move_from), to_holder=HolderOut.of(m.move_to))
        return cls(
            sire_id=p.sire, sire_studbook_number=a.studbook_numbers.get(p.sire, ""), dam_id=p.dam,
            dam_studbook_number=a.studbook_numbers.get(p.dam, ""),
            offspring_inbreeding=round(p.offspring_inbreeding, 6),
            delta_gene_diversity=round(p.delta_gene_diversity, 6), sire_mean_kinship=round(p.sire_mean_kinship, 6),
            dam_mean_kinship=round(p.dam_mean_kinship, 6),
            mean_kinship_difference=round(p.mean_kinship_difference, 6),
            unknown_ancestry=round(p.unknown_ancestry, 6), same_holder=m.same_holder, transfer_needed=transfer,
            reasons=a.reasons,
        )


class MatesOut(BaseModel):
    panda_id: uuid.UUID
    mates: list[PairingOut] = Field(description="Best first: offspring F above 1/16 last, then the largest gain "
                                                "of gene diversity, the closest mean kinships, the least unknown "
                                                "ancestry")



def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 6)
