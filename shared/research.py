"""The research areas of the cooperation: one list for the projects of the cooperation plans (partnerships) and
for the works they yield (publications), so a project's area and a work's areas mean the same."""

from __future__ import annotations

import enum


class ResearchArea(enum.StrEnum):
    protection = "protection"
    breeding = "breeding"
    disease_treatment = "disease_treatment"
    epidemic_prevention = "epidemic_prevention"
    wild_population = "wild_population"
    habitat = "habitat"
    genetics = "genetics"
    education = "education"
    other = "other"
