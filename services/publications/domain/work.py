"""A work of the joint research: a paper, a book, a report, a popular-science book...

    draft --publish--> published --retract (reason)--> retracted

The public sees published works. Publishing and retracting credit (or take back credit from) the agreements it
is linked to and the partner institutions its authors belong to, through the events the impact ledger counts.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from typing import Any

from services.publications.domain.identifiers import parse_publication_date
from shared.contracts.publications import WorkDrafted, WorkPublished, WorkRetracted, WorkUpdated
from shared.domain import Conflict, LifecycleAggregate, RuleViolated, StateMachine
from shared.ids import new_id


class WorkType(enum.StrEnum):
    journal_article = "journal_article"
    book = "book"
    book_chapter = "book_chapter"
    conference_paper = "conference_paper"
    report = "report"
    popular_science_book = "popular_science_book"
    popular_article = "popular_article"
    thesis = "thesis"
    dataset = "dataset"
    edited_book = "edited_book"  # a collection or proceedings volume: its contributors are its editors
    manual = "manual"  # technical documentation: husbandry manuals, guidelines
    web_resource = "web_resource"  # a web page, site or online-only document
    patent = "patent"
    software = "software"
    other = "other"  # what no other type describes (a letter, a video, an unpublished manuscript)


class ContributorRole(enum.StrEnum):
    """What a person or organisation did for a work (CSL's and BibTeX's name variables of the same names)."""

    author = "author"
    editor = "editor"
    translator = "translator"


class ContributorType(enum.StrEnum):
    person = "person"
    organization = "organization"  # cited by its name as written, never split into family and given


class WorkStatus(enum.StrEnum):
    draft = "draft"
    published = "published"
    retracted = "retracted"


W = WorkStatus
LIFECYCLE = StateMachine("work", {"publish": ({W.draft}, W.published), "retract": ({W.published}, W.retracted)})
BOOKS = frozenset({WorkType.book, WorkType.popular_science_book, WorkType.book_chapter, WorkType.edited_book,
                   WorkType.manual})


@dataclass(eq=False, kw_only=True)
class Work(LifecycleAggregate):
    EDITABLE = ("type", "title", "abstract", "authors", "venue", "publisher", "date", "volume", "issue", "pages",
                "doi", "isbn", "keywords", "research_areas", "language", "open_access_url", "agreement_ids",
                "project_ids")
    UPDATED = WorkUpdated
    LIFECYCLE = LIFECYCLE

    id: uuid.UUID
    type: WorkType
    title: dict[str, str]
    abstract: dict[str, str] | None
    # The contributors in order, each {name, type (person/organization), role (author/editor/translator), orcid,
    # affiliation_partner_id or affiliation, corresponding}: `authors` after the contract's first name for them.
    authors: list[dict[str, Any]]
    venue: str | None  # the journal, conference or series
    publisher: str | None
    date: str  # EDTF as biblatex writes it: YYYY-MM-DD, YYYY-MM or YYYY, maybe qualified (~ ? %) or a range a/b
    year: int
    sort_date: dt.date
    volume: str | None
    issue: str | None
    pages: str | None
    doi: str | None
    isbn: str | None
    keywords: list[str]
    research_areas: list[str]
    language: str | None
    open_access_url: str | None
    agreement_ids: list[str]
    project_ids: list[str]
    status: WorkStatus
    retraction_reason: str | None
    published_at: dt.datetime | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def draft(cls, *, type: WorkType, title: dict[str, str], authors: list[dict[str, Any]], date: str,
              now: dt.datetime, **optional: Any) -> Work:
        fields: dict[str, Any] = {name: None for name in ("abstract", "venue", "publisher", "volume", "issue",
                                                           "pages", "doi", "isbn", "language", "open_access_url")}
        fields.update({"keywords": [], "research_areas": [], "agreement_ids": [], "project_ids": []})
        unknown = set(optional) - set(fields)
        if unknown:
            raise RuleViolated(f"unknown fields {', '.join(sorted(unknown))}")
        fields.update(optional)
        work = cls(id=new_id(), type=type, title=title, authors=authors, date=date, year=0,
                   sort_date=dt.date.min, status=W.draft, retraction_reason=None, published_at=None, version=1,
                   created_at=now, updated_at=now, **fields)
        work.check()
        work.record(WorkDrafted.of(work))
        return work

    def check_changeable(self, fields: list[str]) -> None:
        if self.status is W.retracted:
            raise Conflict("a retracted work cannot be changed")

    def check(self) -> None:
        """The date as given read (its year, and the day it sorts by); at least one contributor, an author or an
        editor (a translator alone does not make a work); an ISBN on books."""
        self.type = WorkType(self.type)
        try:
            self.date, self.year, self.sort_date = parse_publication_date(self.date)
        except ValueError as exc:
            raise RuleViolated(str(exc), ("body", "date")) from exc
        if not (self.contributors(ContributorRole.author) or self.contributors(ContributorRole.editor)):
            raise RuleViolated("a work has at least one author or editor", ("body", "authors"))
        if self.isbn and self.type not in BOOKS:
            raise RuleViolated("an ISBN belongs to a book, an edited book, a manual or a chapter", ("body", "isbn"))

    # --- the lifecycle -----------------------------------------------------------------------------------------

    def publish(self, now: dt.datetime) -> None:
        """Public from now on, and credited to its agreements and its authors' partners."""
        self._move("publish", now)
        self.published_at = now
        self.record(WorkPublished.of(self))

    def retract(self, reason: str, now: dt.datetime) -> None:
        """Hidden from the public again, and the credit taken back."""
        self._move("retract", now)
        self.retraction_reason = reason
        self.record(WorkRetracted.of(self, reason=reason))

    @property
    def is_public(self) -> bool:
        return self.status is W.published

    def contributors(self, role: ContributorRole) -> list[dict[str, Any]]:
        """Those of its contributors who have `role`, in order (an entry without a role is an author)."""
        return [a for a in self.authors if a.get("role", ContributorRole.author) == role]

    @property
    def partner_ids(self) -> list[str]:
        """The partner institutions its contributors belong to, in their order, once each."""
        return list(dict.fromkeys(str(a["affiliation_partner_id"]) for a in self.authors
                                  if a.get("affiliation_partner_id")))
