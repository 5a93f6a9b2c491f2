"""What clients send about works, parsed and kept as the domain keeps it: the body that drafts a work (`WorkIn`,
also what each record of a bulk import is checked as), the body that changes one (`WorkPatch`), and the filters
that `GET /works` and the stats share (`filters_query`). Identifiers are checked by their standards (DOI, ISBN
check digits, ORCID check character) and kept in their canonical form."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.publications.domain.identifiers import DATE_RULE, normalize_doi, normalize_isbn, normalize_orcid
from services.publications.domain.work import ContributorRole, ContributorType, WorkStatus, WorkType
from services.publications.usecases.search import WorkFilters
from shared.research import ResearchArea
from shared.validation import Changes, LanguageTag, LocalizedLongText, LocalizedText, ShortText, Text, WebUrl

Keyword = Text(100)
Short = Text(40)
Year = Annotated[int | None, Query(ge=1000, le=9999)]


class Author(BaseModel):
    """A contributor to a work: a person or an organisation, as its author, editor or translator."""

    model_config = ConfigDict(extra="forbid")
    name: ShortText = Field(description='A person as "Family, Given" or "Given Family"; an organisation as it is '
                                        'called ("IUCN Species Survival Commission")')
    type: ContributorType = Field(ContributorType.person, description="An organisation's name is never split "
                                  "into family and given names (BibTeX {{...}}, CSL `literal`)")
    role: ContributorRole = ContributorRole.author
    orcid: Annotated[str, Field(max_length=60)] | None = None
    affiliation_partner_id: uuid.UUID | None = Field(None, description="A partner institution")
    affiliation: Text(300) | None = Field(None, description="Free text, when not a partner")  # type: ignore[valid-type]
    corresponding: bool = False

    @field_validator("orcid")
    @classmethod
    def _orcid(cls, value: str | None) -> str | None:
        return normalize_orcid(value) if value is not None else None


def stored_work_field(name: str, value: Any) -> Any:
    """A field of a work as the domain keeps it: authors as plain JSON, areas and keywords once each, the URL
    and the ids as text."""
    if value is None:
        return None
    match name:
        case "authors":
            return [a.model_dump(mode="json", exclude_none=True) for a in value]
        case "research_areas":
            return list(dict.fromkeys(a.value for a in value))
        case "keywords":
            return list(dict.fromkeys(value))
        case "open_access_url":
            return str(value)
        case "agreement_ids" | "project_ids":
            return [str(i) for i in dict.fromkeys(value)]
    return value


class WorkIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"type": "journal_article",
         "title": {"en": "Bamboo diet of captive pandas"},
         "authors": [{"name": "Li, Wei"}, {"name": "Huber, Anna"}],
         "venue": "Journal of Zoology",
         "date": "2024-05",
         "volume": "312",
         "pages": "101-114",
         "doi": "10.1111/jzo.12345",
         "research_areas": ["breeding"],
         "language": "en"},
    ]})
    type: WorkType
    title: LocalizedText
    abstract: LocalizedLongText | None = None
    authors: list[Author] = Field(min_length=1, max_length=500, description="The contributors in order, each with "
                                  "its role: at least one author or editor")
    venue: Text(500) | None = Field(None, description="Journal, conference or series")  # type: ignore[valid-type]
    publisher: Text(300) | None = None  # type: ignore[valid-type]
    date: Annotated[str, Field(min_length=4, max_length=30, description=f"EDTF (ISO 8601-2): {DATE_RULE}")]
    volume: Short | None = None  # type: ignore[valid-type]
    issue: Short | None = None  # type: ignore[valid-type]
    pages: Short | None = None  # type: ignore[valid-type]
    doi: Annotated[str, Field(max_length=300)] | None = None
    isbn: Annotated[str, Field(max_length=20)] | None = None
    keywords: list[Keyword] = Field(default_factory=list, max_length=50)  # type: ignore[valid-type]
    research_areas: list[ResearchArea] = Field(default_factory=list, max_length=9)
    language: LanguageTag | None = None
    open_access_url: WebUrl | None = None
    agreement_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    project_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)

    @field_validator("doi")
    @classmethod
    def _doi(cls, value: str | None) -> str | None:
        return normalize_doi(value) if value is not None else None

    @field_validator("isbn")
    @classmethod
    def _isbn(cls, value: str | None) -> str | None:
        return normalize_isbn(value) if value is not None else None

    def fields(self) -> dict[str, Any]:
        return {name: stored_work_field(name, getattr(self, name)) for name in type(self).model_fields}


class WorkPatch(Changes, WorkIn):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"open_access_url": "https://repository.example.org/bamboo-diet.pdf"},
    ]})
    REQUIRED = ("type", "title", "authors", "date", "keywords", "research_areas", "agreement_ids", "project_ids")
    type: WorkType | None = None  # type: ignore[assignment]
    title: LocalizedText | None = None  # type: ignore[assignment]
    authors: list[Author] | None = Field(None, min_length=1, max_length=500)  # type: ignore[assignment]
    date: Annotated[str, Field(min_length=4, max_length=30)] | None = None  # type: ignore[assignment]

    def changes(self) -> dict[str, Any]:
        """In the order of the fields (the event's `changed` lists them so), not in the order of a set."""
        changes = super().changes()
        return {name: changes[name] for name in type(self).model_fields if name in changes}

    def stored_field(self, name: str, value: Any) -> Any:
        return stored_work_field(name, value)


async def filters_query(
    type: WorkType | None = None,
    year_from: Year = None,
    year_to: Year = None,
    year: Annotated[int | None, Query(ge=1000, le=9999, description="Shorthand for year_from = year_to")] = None,
    area: ResearchArea | None = None,
    language: LanguageTag | None = None,
    partner_id: uuid.UUID | None = None,
    agreement_id: uuid.UUID | None = None,
    status: Annotated[WorkStatus | None, Query(description="Staff only: the public sees published works")] = None,
) -> WorkFilters:
    """The filters of a list of works, as query parameters (`q` aside: only the list searches)."""
    if year is not None:
        year_from = year_to = year
    return WorkFilters(type=type, year_from=year_from, year_to=year_to, area=area, language=language,
                       partner_id=partner_id, agreement_id=agreement_id, status=status)
