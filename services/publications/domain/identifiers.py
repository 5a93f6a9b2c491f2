"""The identifiers of scholarly works, checked as their standards say: DOI syntax, ISBN-10/13 check digits,
ORCID's ISO 7064 11,2 check character, and publication dates that may be a year alone, a range, or qualified
(the Extended Date/Time Format, ISO 8601-2:2019, whose levels 0 and 1 biblatex's `date` fields use)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_DOI = re.compile(r"^10\.\d{4,9}/[^\s]+$")
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")
_ORCID = re.compile(r"^(\d{4})-(\d{4})-(\d{4})-(\d{3}[\dX])$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([?~%]?)$")
OPEN = ".."
DATE_RULE = ("YYYY, YYYY-MM or YYYY-MM-DD, each maybe followed by ? (uncertain), ~ (approximate) or % (both); "
             "or a range of two such dates, start/end, either end open (..): e.g. 2026-05-01, 1984/1986, 2019~, "
             "2020-03/..")


def normalize_doi(value: str) -> str:
    """A DOI as stored and compared: without resolver prefix, lower-cased (DOIs are case-insensitive)."""
    doi = value.strip()
    for prefix in _DOI_PREFIXES:
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix):]
            break
    if not _DOI.match(doi) or len(doi) > 200:
        raise ValueError("not a DOI: it reads 10.<registrant>/<suffix>, e.g. 10.1016/j.biocon.2020.108686")
    return doi.lower()


def normalize_isbn(value: str) -> str:
    """An ISBN-10 or ISBN-13 with a right check digit, as its 13-digit form."""
    digits = re.sub(r"[\s-]", "", value).upper()
    if re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        if total % 11:
            raise ValueError("not an ISBN: the ISBN-10 check digit is wrong")
        core = "978" + digits[:9]
        return core + str((10 - sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(core)) % 10) % 10)
    if re.fullmatch(r"97[89]\d{10}", digits):
        if sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(digits)) % 10:
            raise ValueError("not an ISBN: the ISBN-13 check digit is wrong")
        return digits
    raise ValueError("not an ISBN: 10 digits (the last may be X) or 13 digits starting 978 or 979")


def normalize_orcid(value: str) -> str:
    """An ORCID iD (`0000-0002-1825-0097`, or its https://orcid.org/ URL) whose check character is right."""
    orcid = value.strip().removeprefix("https://orcid.org/").removeprefix("http://orcid.org/").upper()
    if not _ORCID.match(orcid):
        raise ValueError("not an ORCID iD: four groups of four digits, e.g. 0000-0002-1825-0097")
    digits = orcid.replace("-", "")
    total = 0
    for c in digits[:-1]:
        total = (total + int(c)) * 2
    check = (12 - total % 11) % 11
    if digits[-1] != ("X" if check == 10 else str(check)):
        raise ValueError("not an ORCID iD: the check character is wrong")
    return orcid


@dataclass(frozen=True)
class EdtfDate:
    """A publication date read: as it is kept (EDTF, an open end written `..`), the year, month and day of each
    end as far as it has them (`end` is None for one date, () for an open end; `start` () when open), its
    qualifiers (`?`, `~`, `%`), and the first day it can mean (to sort by)."""

    text: str
    start: tuple[int, ...]
    end: tuple[int, ...] | None
    qualifiers: frozenset[str]
    first_day: dt.date

    @property
    def year(self) -> int:
        """The year it counts in: its start's, else (open at the start) its end's."""
        return self.first_day.year

    @property
    def is_plain(self) -> bool:
        """One date, unqualified: what `YYYY[-MM[-DD]]` alone says."""
        return self.end is None and not self.qualifiers


def _edtf_date(value: str) -> tuple[tuple[int, ...], str, dt.date, dt.date]:
    """One EDTF date (no interval): its parts, its qualifier, the first and the last day it can mean."""
    m = _DATE.match(value)
    if not m:
        raise ValueError(f"a date is {DATE_RULE}")
    parts = tuple(int(p) for p in m.group(1, 2, 3) if p)
    year, month, day = (*parts, None, None)[:3]
    try:
        first = dt.date(year, month or 1, day or 1)
        if day:
            last = first
        elif month:
            last = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
        else:
            last = dt.date(year, 12, 31)
    except ValueError as exc:
        raise ValueError(f"not a date: {exc}") from exc
    return parts, m.group(4), first, last


def parse_edtf(value: str) -> EdtfDate:
    """A publication date in the subset of EDTF (ISO 8601-2:2019 levels 0 and 1) that biblatex writes: `2026-05-01`,
    `2026-05` or `2026`, each maybe qualified (`2019?` uncertain, `2019~` approximate, `2019%` both), or an interval
    `1984/1986` whose either end may be open (`2020/..`, `../2020`; biblatex's `2020/` is read as `2020/..`).

    ValueError says what is wrong, e.g. an interval that ends before it starts; EDTF's unspecified digits (`199X`)
    and seasons are not kept.
    """
    text = value.strip()
    if "/" not in text:
        parts, qualifier, first, _ = _edtf_date(text)
        return EdtfDate(text, parts, None, frozenset(qualifier), first)
    start, _, end = text.partition("/")
    start, end = start.strip() or OPEN, end.strip() or OPEN
    if start == OPEN and end == OPEN:
        raise ValueError(f"a range has at least one end: {DATE_RULE}")
    begins = _edtf_date(start) if start != OPEN else None
    ends = _edtf_date(end) if end != OPEN else None
    if begins and ends and ends[3] < begins[2]:
        raise ValueError("a range cannot end before it starts")
    counted = begins or ends
    assert counted is not None
    return EdtfDate(f"{start}/{end}", begins[0] if begins else (), ends[0] if ends else (),
                    frozenset((begins[1] if begins else "") + (ends[1] if ends else "")), counted[2])


def parse_publication_date(value: str) -> tuple[str, int, dt.date]:
    """`parse_edtf`'s answer as a work keeps it: the date as kept, the year it counts in, the day it sorts by."""
    date = parse_edtf(value)
    return date.text, date.year, date.first_day
