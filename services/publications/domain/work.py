"""A work of the joint research: a paper, a book, a report, a popular-science book...

    draft --publish--> published --retract (reason)--> retracted

The public sees published works. Publishing and retracting credit (or take back credit from) the agreements it
is linked to and the partner institutions its authors belong to, through the events the impact ledger counts.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from services.publications.domain.identifiers import parse_publication_date
from shared.domain import Conflict, RuleViolated, StateMachine
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


class WorkStatus(enum.StrEnum):
    draft = "draft"
    published = "published"
    retracted = "retracted"


W = WorkStatus
LIFECYCLE = StateMachine("work", {"publish": ({W.draft}, W.published), "retract": ({W.published}, W.retracted)})
BOOKS = frozenset({WorkType.book, WorkType.popular_science_book, WorkType.book_chapter})


class Work:
    EDITABLE = ("type", "title", "abstract", "authors", "venue", "publisher", "date", "volume", "issue", "pages",
                "doi", "isbn", "keywords", "research_areas", "language", "open_access_url", "agreement_ids",
                "project_ids")

    def __init__(
        self,
        *,
        id: uuid.UUID,
        type: WorkType,
        title: dict[str, str],
        abstract: dict[str, str] | None,
        authors: list[dict[str, Any]],
        venue: str | None,
        publisher: str | None,
        date: str,
        year: int,
        sort_date: dt.date,
        volume: str | None,
        issue: str | None,
        pages: str | None,
        doi: str | None,
        isbn: str | None,
        keywords: list[str],
        research_areas: list[str],
        language: str | None,
        open_access_url: str | None,
        agreement_ids: list[str],
        project_ids: list[str],
        status: WorkStatus,
        retraction_reason: str | None,
        published_at: dt.datetime | None,
        version: int,
        created_at: dt.datetime,
        updated_at: dt.datetime,
    ) -> None:
        self.id = id
        self.type = type
        self.title = title
        self.abstract = abstract
        self.authors = authors  # in order: name, orcid, affiliation_partner_id or affiliation, corresponding
        self.venue = venue  # the journal, conference or series
        self.publisher = publisher
        self.date = date  # as given: YYYY-MM-DD, YYYY-MM or YYYY
        self.year = year
        self.sort_date = sort_date
        self.volume = volume
        self.issue = issue
        self.pages = pages
        self.doi = doi
        self.isbn = isbn
        self.keywords = keywords
        self.research_areas = research_areas
        self.language = language
        self.open_access_url = open_access_url
        self.agreement_ids = agreement_ids
        self.project_ids = project_ids
        self.status = status
        self.retraction_reason = retraction_reason
        self.published_at = published_at
        self.version = version
        self.created_at = created_at
        self.updated_at = updated_at

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
        work = cls(id=new_id(), type=WorkType(type), title=title, authors=authors, date="", year=0,
                   sort_date=dt.date.min, status=W.draft, retraction_reason=None, published_at=None, version=1,
                   created_at=now, updated_at=now, **fields)
        work._set_date(date)
        work._check()
        return work

    def update(self, changes: dict[str, Any], now: dt.datetime) -> list[str]:
        unknown = set(changes) - set(self.EDITABLE)
        if unknown:
            raise RuleViolated(f"cannot change {', '.join(sorted(unknown))}")
        changed = [k for k, v in changes.items() if getattr(self, k) != v]
        if not changed:
            return []
        if self.status is W.retracted:
            raise Conflict("a retracted work cannot be changed")
        for k in changed:
            if k == "date":
                self._set_date(changes[k])
            else:
                setattr(self, k, WorkType(changes[k]) if k == "type" else changes[k])
        self._check()
        self._touch(now)
        return changed

    def _set_date(self, value: str) -> None:
        try:
            self.date, self.year, self.sort_date = parse_publication_date(value)
        except ValueError as exc:
            raise RuleViolated(str(exc), ("body", "date")) from exc

    def _check(self) -> None:
        if not self.authors:
            raise RuleViolated("a work has at least one author", ("body", "authors"))
        if self.isbn and self.type not in BOOKS:
            raise RuleViolated("an ISBN belongs to a book or a book chapter", ("body", "isbn"))

    # --- the lifecycle -----------------------------------------------------------------------------------------

    def publish(self, now: dt.datetime) -> None:
        self.status = WorkStatus(LIFECYCLE.next_state(self.status, "publish"))
        self.published_at = now
        self._touch(now)

    def retract(self, reason: str, now: dt.datetime) -> None:
        self.status = WorkStatus(LIFECYCLE.next_state(self.status, "retract"))
        self.retraction_reason = reason
        self._touch(now)

    @property
    def allowed_actions(self) -> list[str]:
        return LIFECYCLE.allowed(self.status)

    @property
    def is_public(self) -> bool:
        return self.status is W.published

    @property
    def partner_ids(self) -> list[str]:
        """The partner institutions its authors belong to, in author order, once each."""
        return list(dict.fromkeys(str(a["affiliation_partner_id"]) for a in self.authors
                                  if a.get("affiliation_partner_id")))

    def _touch(self, now: dt.datetime) -> None:
        self.version += 1
        self.updated_at = now
