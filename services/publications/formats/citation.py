"""A work as a citation: CSL-JSON (what citation processors such as citeproc-js and citeproc-py read), BibTeX
(LaTeX-escaped) and RIS (what reference managers import). Plain formatting: no I/O.

Contributors are cited in their roles (author, editor, translator: each format's fields of those names; RIS's
`AU`, `ED` and `A4`). An organisation's name is kept whole (BibTeX `{{...}}`, CSL `literal`, RIS as it is). A
person's name is split as people write it: "Müller, Zoë" is family Müller, given Zoë; "Zoë Müller" is the
same person (the last word is the family name, with lowercase particles before it: "Anna van der Berg"); a
name of one word ("Xiaoming") is a family name alone. Write a name "Family, Given" when its family name comes
first ("Li, Wei").

Dates are EDTF (`1984/1986`, `2019~`): BibTeX gets `year` and `month` for the styles that read only those and
biblatex's `date` for all of it; CSL gets `date-parts` (two for a range), `circa`, and the EDTF as `raw` when
date parts cannot say it; RIS gets the year its range starts.
"""

from __future__ import annotations

import enum
import json
import re
import unicodedata
from typing import Any

from pylatexenc.latexencode import UnicodeToLatexEncoder

from services.publications.domain.identifiers import parse_edtf
from services.publications.domain.work import ContributorRole, ContributorType, Work, WorkStatus, WorkType
from shared.http import weighted


class CitationFormat(enum.StrEnum):
    bibtex = "bibtex"
    ris = "ris"
    csl_json = "csl-json"


MEDIA_TYPES = {
    CitationFormat.bibtex: "application/x-bibtex",
    CitationFormat.ris: "application/x-research-info-systems",
    CitationFormat.csl_json: "application/vnd.citationstyles.csl+json",
}
FILE_EXTENSIONS = {CitationFormat.bibtex: "bib", CitationFormat.ris: "ris", CitationFormat.csl_json: "json"}


class _Kind:
    """How one type of work is cited in each format, and what its `venue` names there."""

    def __init__(self, csl: str, bibtex: str, ris: str, venue: str) -> None:
        self.csl = csl
        self.bibtex = bibtex
        self.ris = ris
        # container: the journal, book, proceedings or magazine it appears in; series: the book series;
        # institution: who issued it (a report's institution, a thesis's university, a dataset's repository),
        # standing in for the publisher when none is given.
        self.venue = venue


T = WorkType
# Each type to the nearest type of each format. BibTeX entries are written with biblatex's types (`@collection`,
# `@online`, `@patent`, `@software`, `@dataset`), which classic BibTeX styles print as `@misc`; a magazine article
# is biblatex's `@article` with `entrysubtype = {magazine}`. Where CSL has no type of its own for one of ours
# (a popular-science book, a manual), the item says ours in `custom.type`, which the import reads back.
KINDS = {
    T.journal_article: _Kind("article-journal", "article", "JOUR", "container"),
    T.book: _Kind("book", "book", "BOOK", "series"),
    T.book_chapter: _Kind("chapter", "incollection", "CHAP", "container"),
    T.conference_paper: _Kind("paper-conference", "inproceedings", "CONF", "container"),
    T.report: _Kind("report", "techreport", "RPRT", "institution"),
    T.popular_science_book: _Kind("book", "book", "BOOK", "series"),
    T.popular_article: _Kind("article-magazine", "article", "MGZN", "container"),
    T.thesis: _Kind("thesis", "phdthesis", "THES", "institution"),
    T.dataset: _Kind("dataset", "dataset", "DATA", "institution"),
    T.edited_book: _Kind("book", "collection", "EDBOOK", "series"),
    T.manual: _Kind("book", "manual", "GEN", "institution"),
    T.web_resource: _Kind("webpage", "online", "ELEC", "institution"),
    T.patent: _Kind("patent", "patent", "PAT", "institution"),
    T.software: _Kind("software", "software", "COMP", "institution"),
    T.other: _Kind("document", "misc", "GEN", "container"),
}
# The CSL type each of ours reads back as without `custom.type` (the import's mapping, `formats/bibliography.py`).
_CSL_READS_AS = {T.popular_science_book: T.book, T.manual: T.book, T.edited_book: T.book}

# --- what every format shares ------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    """Whitespace (line breaks included) as single spaces: no format here wants a line break inside a value."""
    return " ".join(text.split())


def _localized(value: dict[str, str] | None) -> str | None:
    """English if the work has it, else the first language given."""
    if not value:
        return None
    for tag, text in value.items():
        if tag.lower() == "en":
            return text
    for tag, text in value.items():
        if tag.lower().startswith("en-"):
            return text
    return next(iter(value.values()))


SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "des", "di", "da", "das", "do", "dos", "du", "la", "le",
             "ten", "ter", "bin", "ibn", "al", "el", "y", "zu"}


def person_name(name: str) -> dict[str, str]:
    """A person's name as CSL-JSON writes it: `family`, `given` (and `suffix`); a name of one word is a family
    name alone ("Xiaoming")."""
    name = _one_line(name)
    if "," in name:
        parts = [p.strip() for p in name.split(",")]
        family, rest = parts[0], [p for p in parts[1:] if p]
        if not family:
            return {"literal": name}
        if len(rest) == 1 and rest[0].lower() in SUFFIXES:  # "Martin Luther King, Jr.": the name, then its suffix
            return person_name(f"{family} {rest[0]}")
        out = {"family": family}
        if len(rest) >= 2 and rest[0].lower() in SUFFIXES:  # BibTeX's order: "King, Jr., Martin"
            out["suffix"], rest = rest[0], rest[1:]
        elif len(rest) >= 2 and rest[-1].lower() in SUFFIXES:  # RIS's order: "King, Martin, Jr."
            out["suffix"], rest = rest[-1], rest[:-1]
        if rest:
            out["given"] = ", ".join(rest)
        return out
    words = name.split(" ")
    if len(words) == 1:
        return {"family": name}
    suffix = words.pop() if len(words) > 2 and words[-1].lower() in SUFFIXES else None
    start = len(words) - 1
    while start > 0 and words[start - 1] in PARTICLES:  # lowercase particles belong to the family name
        start -= 1
    out = {"family": " ".join(words[start:])}
    if start:
        out["given"] = " ".join(words[:start])
    if suffix:
        out["suffix"] = suffix
    return out


def contributor_name(contributor: dict[str, Any]) -> dict[str, str]:
    """A contributor's name as CSL-JSON writes it: an organisation as a `literal`, never split."""
    if contributor.get("type") == ContributorType.organization:
        return {"literal": _one_line(contributor["name"])}
    return person_name(contributor["name"])


def _names(work: Work, role: ContributorRole = ContributorRole.author) -> list[dict[str, str]]:
    return [contributor_name(a) for a in work.contributors(role)]


def _first_name(work: Work) -> dict[str, str]:
    """Whom a work is cited by: its first author, else its first editor, else whoever comes first."""
    for role in (ContributorRole.author, ContributorRole.editor):
        if names := _names(work, role):
            return names[0]
    return contributor_name(work.authors[0])


def _date_parts(work: Work) -> list[int]:
    """The date's year, month and day as far as it has them, when it is one plain date; else its year alone."""
    date = parse_edtf(work.date)
    return list(date.start) if date.is_plain else [work.year]


def _csl_issued(work: Work) -> dict[str, Any]:
    """CSL's date: `date-parts` (two for a range), `circa` for an approximate date; and the EDTF itself as `raw`
    when date parts cannot say all of it (an open range, an uncertain date)."""
    date = parse_edtf(work.date)
    if date.is_plain:
        return {"date-parts": [list(date.start)]}
    issued: dict[str, Any] = {"date-parts": [list(p) for p in (date.start, date.end) if p], "raw": date.text}
    if date.qualifiers & {"~", "%"}:
        issued["circa"] = True
    return issued


def _pages(pages: str | None) -> tuple[str | None, str | None]:
    """First and last page of `12-34`, `12--34` or the same with an en dash; an article number (`e0123`) is a
    first page only."""
    if not pages:
        return None, None
    first, _, last = re.sub(r"\s*(?:--|-|–|—)\s*", "-", pages.strip(), count=1).partition("-")
    return first or None, last or None


def _venue_and_publisher(work: Work) -> tuple[str | None, str | None, str | None]:
    """(container, series, publisher) as this type of work names them."""
    venue, publisher = work.venue, work.publisher
    match KINDS[work.type].venue:
        case "container":
            return venue, None, publisher
        case "series":
            return None, venue, publisher
        case _:
            return None, venue if publisher else None, publisher or venue


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return re.sub(r"[^a-z0-9]", "", folded.encode("ascii", "ignore").decode().lower())


_FOLD = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l",
                       "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "þ": "th", "ı": "i"})
_TITLE_STOPWORDS = {"a", "an", "the", "of", "on", "in", "at", "to", "for", "and", "or", "with", "from", "by", "is",
                    "are", "as", "its", "their", "about", "into", "der", "die", "das", "le", "la", "les", "el", "un",
                    "une"}


def citation_key(work: Work) -> str:
    """Stable and readable: first author's family name, year, first word of the title that says something
    (`muller2026bamboo`), ASCII letters and digits only."""
    first = _first_name(work)
    who = _ascii_word(first.get("family") or first.get("literal") or "") or "anon"
    words = [_ascii_word(w) for w in re.split(r"[\s\-–—:/]+", _localized(work.title) or "")]
    what = next((w for w in words if w and w not in _TITLE_STOPWORDS), "") or work.id.hex[:8]
    return f"{who[:30]}{work.year}{what[:30]}"


# --- CSL-JSON ----------------------------------------------------------------------------------------------


def csl_json(work: Work) -> dict[str, Any]:
    """One item of CSL-JSON (the schema of citeproc-js and citeproc-py; variables as CSL 1.0.2 names them)."""
    container, series, publisher = _venue_and_publisher(work)
    first, last = _pages(work.pages)
    item: dict[str, Any] = {
        "id": str(work.id),
        "type": KINDS[work.type].csl,
        "citation-key": citation_key(work),
        "title": _one_line(_localized(work.title) or ""),
        "author": _names(work) or None,
        "editor": _names(work, ContributorRole.editor) or None,
        "translator": _names(work, ContributorRole.translator) or None,
        "issued": _csl_issued(work),
        "container-title": container,
        "collection-title": series,
        "publisher": publisher,
        "volume": work.volume,
        "issue": work.issue,
        "page": f"{first}-{last}" if first and last else first,
        "DOI": work.doi,
        "ISBN": work.isbn,
        "URL": work.open_access_url,
        "language": work.language,
        "abstract": _localized(work.abstract),
        "keyword": ", ".join(work.keywords) or None,
        "status": "retracted" if work.status is WorkStatus.retracted else None,
        "custom": {"type": work.type.value} if work.type in _CSL_READS_AS else None,
    }
    return {k: v for k, v in item.items() if v is not None}


# --- BibTeX ------------------------------------------------------------------------------------------------

_LATEX_ASCII = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
                "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}
_LATEX_UNICODE = UnicodeToLatexEncoder(non_ascii_only=True, replacement_latex_protection="braces-all",
                                       unknown_char_policy="keep", unknown_char_warning=False)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _matched_braces(text: str) -> set[int]:
    """Positions of the braces that pair up: escaped as `\\{ \\}`. BibTeX counts braces even when escaped, so an
    unpaired one becomes `\\textbraceleft{}` (or `...right{}`) and the entry stays readable."""
    opened: list[int] = []
    paired: set[int] = set()
    for i, c in enumerate(text):
        if c == "{":
            opened.append(i)
        elif c == "}" and opened:
            paired |= {opened.pop(), i}
    return paired


def latex(text: str) -> str:
    """Text as LaTeX for a BibTeX field: the special characters escaped, letters with accents as `{\\"u}`
    (pylatexenc's table), what LaTeX has no command for (e.g. Chinese characters) kept as UTF-8."""
    text = _one_line(text)
    paired = _matched_braces(text)
    out = []
    for i, c in enumerate(text):
        if c in "{}":
            out.append("\\" + c if i in paired else r"\textbraceleft{}" if c == "{" else r"\textbraceright{}")
        elif c in _LATEX_ASCII:
            out.append(_LATEX_ASCII[c])
        elif ord(c) > 127:
            out.append(_LATEX_UNICODE.unicode_to_latex(c))
        else:
            out.append(c)
    return "".join(out)


def _bibtex_name(name: dict[str, str]) -> str:
    """"Family, Given" ("von Last, Jr, First" with a suffix); a literal name in braces, which BibTeX keeps
    whole. A part with "and" or a comma in it is braced too, so BibTeX does not split it."""

    def part(text: str) -> str:
        escaped = latex(text)
        return "{" + escaped + "}" if re.search(r"\band\b|,", text, re.IGNORECASE) else escaped

    if "literal" in name:
        return "{" + latex(name["literal"]) + "}"
    return ", ".join(part(name[k]) for k in ("family", "suffix", "given") if name.get(k))


def bibtex(work: Work) -> str:
    kind = KINDS[work.type]
    container, series, publisher = _venue_and_publisher(work)
    first, last = _pages(work.pages)
    date = _date_parts(work)
    container_field = {"article": "journal", "misc": "howpublished"}.get(kind.bibtex, "booktitle")
    publisher_field = {"techreport": "institution", "phdthesis": "school", "online": "organization"}.get(
        kind.bibtex, "publisher")
    fields: list[tuple[str, str | None]] = [
        *((role.value, " and ".join(_bibtex_name(n) for n in _names(work, role))) for role in ContributorRole),
        ("entrysubtype", "magazine" if work.type is WorkType.popular_article else None),
        # Braced twice: bibliography styles change the case of titles; this one is written as it should read.
        ("title", "{" + latex(_localized(work.title) or "") + "}"),
        (container_field, container and latex(container)),
        ("series", series and latex(series)),
        ("year", str(work.year)),
        ("month", _MONTHS[date[1] - 1] if len(date) > 1 else None),  # a macro (`may`), as styles expect
        # biblatex's date says all of it (the day, a range, a qualifier): what biblatex and the import read first.
        ("date", work.date if not re.fullmatch(r"\d{4}", work.date) else None),
        ("volume", work.volume and latex(work.volume)),
        ("number", work.issue and latex(work.issue)),
        ("pages", first and (f"{latex(first)}--{latex(last)}" if last else latex(first))),
        (publisher_field, publisher and latex(publisher)),
        ("isbn", work.isbn),
        # DOI and URL are verbatim fields (biblatex, the url package): not LaTeX-escaped, only kept balanced.
        ("doi", work.doi and _verbatim(work.doi)),
        ("url", work.open_access_url and _verbatim(work.open_access_url)),
        ("language", work.language),
        ("keywords", ", ".join(latex(k) for k in work.keywords) or None),
        ("abstract", (abstract := _localized(work.abstract)) and latex(abstract)),
        ("note", "Retracted" if work.status is WorkStatus.retracted else None),
    ]
    lines = [f"  {name} = {value}," if name == "month" else f"  {name} = {{{value}}},"
             for name, value in fields if value]
    return "\n".join([f"@{kind.bibtex}{{{citation_key(work)},", *lines, "}", ""])


def _verbatim(text: str) -> str:
    return re.sub(r"[{}\\\s]", lambda m: f"%{ord(m.group()):02X}", text)


# --- RIS ---------------------------------------------------------------------------------------------------


def _ris_name(name: dict[str, str]) -> str:
    """RIS's "Lastname, Firstname, Suffix"."""
    if "literal" in name:
        return name["literal"]
    return ", ".join(name[k] for k in ("family", "given", "suffix") if name.get(k))


def ris(work: Work) -> str:
    """RIS as reference managers import it: `TY` first, `ER` last, one tag a line, CRLF, UTF-8. RIS has no
    escaping; a value only must not break its line."""
    container, series, publisher = _venue_and_publisher(work)
    first, last = _pages(work.pages)
    date = _date_parts(work)
    tags: list[tuple[str, str | None]] = [
        ("TY", KINDS[work.type].ris),
        *(("AU", _ris_name(n)) for n in _names(work)),
        *(("ED", _ris_name(n)) for n in _names(work, ContributorRole.editor)),
        *(("A4", _ris_name(n)) for n in _names(work, ContributorRole.translator)),  # RIS's subsidiary author
        ("TI", _localized(work.title)),
        ("T2", container or series),
        ("PY", f"{work.year:04d}"),
        ("DA", "/".join([f"{date[0]:04d}", *(f"{p:02d}" for p in date[1:])] + [""] * (4 - len(date)))
         if len(date) > 1 else None),
        ("VL", work.volume),
        ("IS", work.issue),
        ("SP", first),
        ("EP", last),
        ("PB", publisher),
        ("SN", work.isbn),
        ("DO", work.doi),
        ("UR", work.open_access_url),
        ("LA", work.language),
        ("AB", _localized(work.abstract)),
        *(("KW", k) for k in work.keywords),
        ("N1", "Retracted" if work.status is WorkStatus.retracted else None),
        ("ID", str(work.id)),
    ]
    lines = [f"{tag}  - {_one_line(value)}" for tag, value in tags if value]
    return "\r\n".join([*lines, "ER  - ", ""])


# --- choosing -----------------------------------------------------------------------------------------------


def render(work: Work, fmt: CitationFormat) -> str:
    match fmt:
        case CitationFormat.bibtex:
            return bibtex(work)
        case CitationFormat.ris:
            return ris(work)
        case CitationFormat.csl_json:
            return json.dumps(csl_json(work), ensure_ascii=False, indent=2) + "\n"


def file_name(work: Work, fmt: CitationFormat) -> str:
    return f"{citation_key(work)}.{FILE_EXTENSIONS[fmt]}"


def negotiate(accept: str | None, default: str = "application/json") -> CitationFormat | None:
    """The citation format an `Accept` header prefers to `default` (the resource's own JSON), if any.

    Each offer takes the quality of the most specific media range that matches it; the highest quality wins,
    then an offer named outright over one matched by a wildcard, then the one named first, then `default`.
    """
    if not accept:
        return None
    ranges = [(media.lower(), quality) for media, quality in weighted(accept)]

    def rank(offer: str) -> tuple[float, int, int, bool]:
        kind = offer.split("/")[0]
        best: tuple[float, int, int, bool] = (0.0, -1, 0, offer == default)
        for position, (media, quality) in enumerate(ranges):
            specificity = 2 if media == offer else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
            if specificity > best[1]:
                best = (quality, specificity, -position, offer == default)
        return best

    offers = [default, *MEDIA_TYPES.values()]
    chosen = max(offers, key=rank)
    if chosen == default or rank(chosen)[0] <= 0:
        return None
    return next(fmt for fmt, media in MEDIA_TYPES.items() if media == chosen)
