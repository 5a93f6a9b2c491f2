"""Bibliographic records as partners' systems export them, read into the fields of a work.

Two formats: CSL-JSON (what Zotero, Mendeley, citeproc and Crossref speak: a list of items) and BibTeX (what
LaTeX users and most reference managers export). Reading is two steps, so a body with too many records is
refused before any is mapped: `split_records` splits a body into its records (`csl_items` / `bibtex_blocks`)
and answers the function that maps one (`csl_record` / `bibtex_record`). A record becomes a `Record`: the
fields a new work is made of (`WorkIn`'s shape, not yet checked: the API validates them as it validates a work
sent by hand), what is already known to be wrong with it, and where each field came from, so an error names the
record's own field (`DOI`, `issued`; `doi`, `year`) rather than ours. A record that cannot be read at all (a
BibTeX entry with a syntax error, an item that is not an object) has no fields, only its error; a body that
cannot be read at all is `UnreadableBody`.

How a record maps (CSL-JSON name / BibTeX name → the work's field); docs/publications.md lists
every type:
- type: CSL `type` (every CSL 1.0.2 type) / the entry type (every BibTeX and biblatex type; `@set` and `@xdata`
  are no works and refused saying so); a book with editors and no author is an edited book; this API's own type
  names are read too, and a CSL item's `custom.type` overrides (e.g. `popular_science_book`).
- title and abstract: `{"<language>": text}` in the record's `language` when it names one, else `{"en": text}`.
- authors, the contributors: CSL `author`, `editor`, `translator` (`family`, `given`, particles, `suffix`;
  `literal` is an organisation; `ORCID`; `affiliation` as text or Crossref's `[{"name"}]`;
  `affiliation_partner_id`) / BibTeX `author`, `editor`, `translator` ("Last, First and First Last and
  {Corporate Name} and others": a name wholly in braces is an organisation, `others` is "et al."), in that order.
- date, as EDTF: CSL `issued` (`raw` when it is EDTF, else `date-parts`, two of them a range, `circa`, else `raw`
  or `literal`) / biblatex `date`, else `year` (`1984--1986` a range) and `month`.
- doi; isbn (the first of several, and only for a book or a chapter: the ISBN of the proceedings volume a paper
  is in is not the paper's); volume; issue (`issue` / `number`); pages (`page` / `pages`); venue
  (`container-title`, `event-title`, `collection-title` / `journal`, `journaltitle`, `booktitle`, `maintitle`,
  `series`, `howpublished`);
  publisher (`publisher` / `publisher`, `school`, `institution`, `organization`); keywords (`keyword` /
  `keywords`, split at commas and semicolons); language (a BCP 47 tag or a language's English name, else left
  out); open_access_url (`URL` / `url`, unless it only resolves the DOI: doi.org says nothing about access).
- CSL-JSON's `custom` object may carry `research_areas`, `agreement_ids` and `project_ids`.

BibTeX's LaTeX (`M{\\"u}ller`, `--`, `\\emph{...}`, `\\TeX`, `\\hyph`) is decoded to plain Unicode, and `crossref` and
`xdata` are resolved within the file (`bibtex_blocks`).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import bibtexparser
import langcodes
from bibtexparser import model as bibtex
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from pylatexenc import latex2text, latexwalker, macrospec
from pylatexenc.latex2text import LatexNodes2Text

from services.publications.domain.identifiers import parse_publication_date
from services.publications.domain.work import BOOKS, ContributorRole, ContributorType, WorkType
from shared.problems import loc_part

log = logging.getLogger("import")
logging.getLogger("bibtexparser").setLevel(logging.ERROR)  # a broken entry is the client's news, not the log's

CSL_JSON = ("application/vnd.citationstyles.csl+json", "application/json")
BIBTEX = ("application/x-bibtex", "text/x-bibtex")

Loc = tuple[str | int, ...]


class UnreadableBody(ValueError):
    """The body as a whole is not CSL-JSON / BibTeX this service can read: not one record in it can be told.
    `kind` names why (the `type` of the error in a 422)."""

    def __init__(self, detail: str, kind: str = "unreadable") -> None:
        super().__init__(detail)
        self.kind = kind


@dataclass
class Record:
    """One record of an import: the work's fields (not yet checked) and what is already known to be wrong with
    it (`errors`, each `{"loc", "msg", "type"}` with `loc` in the record's terms); `fields` is None when the
    record could not be read at all."""

    fields: dict[str, Any] | None
    key: str | None = None  # the record's own name for itself: a CSL item's `id`, a BibTeX citation key
    errors: list[dict[str, Any]] = field(default_factory=list)
    sources: dict[str, Loc] = field(default_factory=dict)  # the work's field -> where the record has it
    author_fields: dict[str, str | None] = field(default_factory=dict)  # the same inside an author (None: made)
    contributor_locs: list[Loc] = field(default_factory=list)  # where the record has each contributor

    def locate(self, loc: Loc) -> list[str | int]:
        """Where in the record, as it was sent, is the value that `loc` (in the work's terms, no "body") names.
        A client's dict key may be part of it: cut, so that an error cannot echo 100 kB back."""
        return [loc_part(p) for p in self._locate(loc)]

    def _locate(self, loc: Loc) -> list[str | int]:
        if not loc:
            return []
        head, *rest = loc
        if head not in self.sources:
            return [head, *rest]
        if head in ("title", "abstract"):
            rest = []  # the language key is ours, not the record's
        elif head == "authors" and rest:
            index, *inside = rest
            if inside:
                inner = self.author_fields.get(str(inside[0]), str(inside[0]))
                inside = [] if inner is None else [inner, *inside[1:]]
            if isinstance(index, int) and 0 <= index < len(self.contributor_locs):
                return [*self.contributor_locs[index], *inside]
            rest = [index, *inside]
        return [*self.sources[head], *rest]

    def put(self, name: str, value: Any, source: Loc | None = None) -> None:
        """Set the work's field `name`, if the record has a value for it, noting where it came from."""
        if value is None or value == "" or value == []:
            return
        assert self.fields is not None
        self.fields[name] = value
        if source is not None:
            self.sources[name] = source


def _unreadable(msg: str, key: str | None = None) -> Record:
    return Record(None, key=key, errors=[{"loc": [], "msg": msg, "type": "unreadable"}])


def split_records(media_type: str, text: str) -> tuple[list[Any], Callable[[Any], Record]]:
    """The records of a CSL-JSON (`media_type` one of `CSL_JSON`) or BibTeX text, not mapped yet, and the
    function that maps one. UnreadableBody when the text as a whole cannot be read."""
    try:
        if media_type in CSL_JSON:
            return csl_items(json.loads(text)), csl_record
        return bibtex_blocks(text), bibtex_record
    except UnreadableBody:
        raise
    except (ValueError, RecursionError):
        raise UnreadableBody("the body is not JSON this API can read (UTF-8, not nested too deep, numbers not "
                             "too long)", "json_invalid") from None
    except Exception:  # the BibTeX parser on input it did not foresee: still the body's fault, not ours
        log.warning("BibTeX body could not be parsed", exc_info=True)
        raise UnreadableBody("the body is not BibTeX that can be read", "bibtex_invalid") from None


# --- types -------------------------------------------------------------------------------------------------

_CSL_TYPES = {  # every item type of CSL 1.0.2
    "article-journal": WorkType.journal_article,
    "review": WorkType.journal_article,
    "review-book": WorkType.journal_article,
    "article": WorkType.report,  # CSL's "article" is a preprint or a working paper
    "article-magazine": WorkType.popular_article,
    "article-newspaper": WorkType.popular_article,
    "post": WorkType.popular_article,
    "post-weblog": WorkType.popular_article,
    "book": WorkType.book,  # with editors and no author: an edited book
    "classic": WorkType.book,
    "pamphlet": WorkType.book,
    "collection": WorkType.edited_book,
    "periodical": WorkType.edited_book,
    "chapter": WorkType.book_chapter,
    "entry": WorkType.book_chapter,
    "entry-encyclopedia": WorkType.book_chapter,
    "entry-dictionary": WorkType.book_chapter,
    "paper-conference": WorkType.conference_paper,
    "report": WorkType.report,
    "standard": WorkType.report,
    "thesis": WorkType.thesis,
    "dataset": WorkType.dataset,
    "webpage": WorkType.web_resource,
    "patent": WorkType.patent,
    "software": WorkType.software,
    **{name: WorkType.other for name in (
        "bill", "broadcast", "document", "event", "figure", "graphic", "hearing", "interview", "legal_case",
        "legislation", "manuscript", "map", "motion_picture", "musical_score", "performance",
        "personal_communication", "regulation", "song", "speech", "treaty")},
}
_BIBTEX_TYPES = {  # every entry type of BibTeX and of biblatex 3 (its standard, non-standard and alias types)
    "article": WorkType.journal_article,  # with `entrysubtype = {magazine}` or `{newspaper}`: a popular article
    "suppperiodical": WorkType.journal_article,
    "review": WorkType.journal_article,
    "book": WorkType.book,  # with editors and no author: an edited book
    "mvbook": WorkType.book,
    "booklet": WorkType.book,
    "collection": WorkType.edited_book,
    "mvcollection": WorkType.edited_book,
    "proceedings": WorkType.edited_book,
    "mvproceedings": WorkType.edited_book,
    "reference": WorkType.edited_book,
    "mvreference": WorkType.edited_book,
    "periodical": WorkType.edited_book,  # a whole issue, as its editors made it
    "inbook": WorkType.book_chapter,
    "bookinbook": WorkType.book_chapter,
    "suppbook": WorkType.book_chapter,
    "incollection": WorkType.book_chapter,
    "suppcollection": WorkType.book_chapter,
    "inreference": WorkType.book_chapter,
    "inproceedings": WorkType.conference_paper,
    "conference": WorkType.conference_paper,
    "techreport": WorkType.report,
    "report": WorkType.report,
    "standard": WorkType.report,
    "phdthesis": WorkType.thesis,
    "mastersthesis": WorkType.thesis,
    "thesis": WorkType.thesis,
    "dataset": WorkType.dataset,
    "data": WorkType.dataset,
    "manual": WorkType.manual,
    "online": WorkType.web_resource,
    "electronic": WorkType.web_resource,
    "www": WorkType.web_resource,
    "patent": WorkType.patent,
    "software": WorkType.software,
    **{name: WorkType.other for name in (
        "misc", "unpublished", "artwork", "audio", "bibnote", "commentary", "image", "jurisdiction", "legislation",
        "legal", "letter", "movie", "music", "performance", "video", "customa", "customb", "customc", "customd",
        "custome", "customf")},
}
# Entry types that are not works: refused, saying why (their fields reach the entries that use them).
_NOT_WORKS = {
    "set": "a @set only groups entries (its `entryset`); each of them is imported as itself",
    "xdata": "an @xdata entry only holds fields for the entries that name it in `xdata`; it is not a work",
}


def _edited_book_if_only_editors(record: Record, has_author: bool, has_editor: bool) -> None:
    """A book with editors and no author is an edited book (how reference managers export one as @book/`book`)."""
    if record.fields and record.fields.get("type") == WorkType.book and has_editor and not has_author:
        record.put("type", WorkType.edited_book.value)


def _work_type(record: Record, value: Any, known: dict[str, WorkType], source: Loc, shown: str = "{}") -> None:
    """Our type for the record's. A type that has none is the record's error, naming the types that have."""
    if isinstance(value, str) and value.strip():
        name = value.strip().lower()
        if name in known:
            record.put("type", known[name].value, source)
        elif name in WorkType.__members__:
            record.put("type", name, source)
        else:
            record.sources["type"] = source
            record.errors.append({"loc": list(source), "type": "unsupported_type", "msg": (
                f"records of this type cannot be imported; the types that can: "
                f"{', '.join(shown.format(t) for t in sorted(known))}, or one of: {', '.join(WorkType)}")})
    else:
        record.put("type", value, source)  # absent or not text: validation says what is wrong


# --- values ------------------------------------------------------------------------------------------------

_LANGUAGE_NAMES = {
    "english": "en", "chinese": "zh", "mandarin": "zh", "german": "de", "ngerman": "de", "french": "fr",
    "spanish": "es", "italian": "it", "japanese": "ja", "korean": "ko", "russian": "ru", "portuguese": "pt",
    "dutch": "nl", "polish": "pl", "czech": "cs", "swedish": "sv", "danish": "da", "finnish": "fi",
}
_DOI_RESOLVER = re.compile(r"^https?://(dx\.)?doi\.org/", re.IGNORECASE)
_JATS_TAG = re.compile(r"</?jats:[^>]*>")
_SEPARATORS = re.compile(r"[;,]")
_DASHES = re.compile(r"\s*(--|–|—)\s*")
_MONTHS = {name: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}


def _text(value: Any) -> Any:
    """A string stripped, a number as its digits (CSL allows `"volume": 12`), anything else as it is:
    validation then says it is not text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    return value.strip() if isinstance(value, str) else value


def _language(value: Any) -> str | None:
    """A BCP 47 tag for the record's language: "zh-CN" and "English" are read; what names no language this
    service knows is left out rather than refusing the record."""
    if not isinstance(value, str) or not value.strip() or len(value) > 35:
        return None
    tag = _LANGUAGE_NAMES.get(value.strip().lower(), value.strip())
    try:
        return langcodes.standardize_tag(tag) if langcodes.tag_is_valid(tag) else None
    except (ValueError, LookupError):
        return None


def _split(value: Any) -> Any:
    """Keywords: a list as it is, a string split at commas and semicolons."""
    if isinstance(value, str):
        return [k.strip() for k in _SEPARATORS.split(value) if k.strip()]
    return value


def _first(value: Any) -> Any:
    """The first of several (ISBNs, container titles): of a list, or of a string split at commas/semicolons."""
    if isinstance(value, list):
        return _text(value[0]) if value else None
    if isinstance(value, str):
        return next((v.strip() for v in _SEPARATORS.split(value) if v.strip()), None)
    return _text(value)


def _open_access_url(value: Any) -> Any:
    if isinstance(value, str) and _DOI_RESOLVER.match(value.strip()):
        return None
    return _text(value)


def _pages(value: Any) -> Any:
    value = _text(value)
    return _DASHES.sub("-", value) if isinstance(value, str) else value


def _date(year: Any, month: Any = None, day: Any = None) -> str | None:
    """`YYYY`, `YYYY-MM` or `YYYY-MM-DD` from numbers or digit strings; None when they are not numbers."""
    if isinstance(year, bool) or year is None:
        return None
    try:
        numbers = [int(str(p).strip()) for p in (year, month, day) if p is not None and str(p).strip()]
    except ValueError:
        return None
    if not numbers or numbers[0] < 0:
        return None
    y, *rest = numbers
    if rest and not 1 <= rest[0] <= 12:
        rest = []  # CSL's seasons (13-16) and the like: the year says when
    return "-".join([f"{y:04d}", *(f"{n:02d}" for n in rest)])


def _contributors(record: Record, people: dict[str, Any], read: Callable[[Any], Any]) -> None:
    """The record's authors, editors and translators (`people`: the record's field for each role -> its value) as
    the work's contributors, in that order, each with its role; where each came from is noted for errors."""
    contributors: list[Any] = []
    for role, (name, value) in zip(ContributorRole, people.items(), strict=True):
        if isinstance(value, list):
            for i, person in enumerate(value):
                read_person = read(person)
                if isinstance(read_person, dict):
                    read_person["role"] = role.value
                contributors.append(read_person)
                record.contributor_locs.append((name, i))
        elif value is not None and value != "":
            record.put("authors", value, (name,))  # not a list: validation says what is wrong
            return
    first = next(iter(people))
    record.put("authors", contributors, (first,))


def _is_edtf(value: str) -> bool:
    try:
        parse_publication_date(value)
    except ValueError:
        return False
    return True


def _key(value: Any) -> str | None:
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value)[:100]
    return None


# --- CSL-JSON ------------------------------------------------------------------------------------------------

_CSL_SOURCES: dict[str, Loc] = {
    "type": ("type",), "title": ("title",), "abstract": ("abstract",), "authors": ("author",),
    "date": ("issued",), "doi": ("DOI",), "isbn": ("ISBN",), "volume": ("volume",), "issue": ("issue",),
    "pages": ("page",), "venue": ("container-title",), "publisher": ("publisher",), "keywords": ("keyword",),
    "language": ("language",), "open_access_url": ("URL",), "research_areas": ("custom", "research_areas"),
    "agreement_ids": ("custom", "agreement_ids"), "project_ids": ("custom", "project_ids"),
}


def csl_items(document: Any) -> list[Any]:
    """The items of a CSL-JSON document: a list of items, or `{"items": [...]}`."""
    if isinstance(document, dict) and "items" in document:
        document = document["items"]
    if not isinstance(document, list):
        raise UnreadableBody('CSL-JSON is a list of items, or an object {"items": [...]}')
    return document


def _csl_author(person: Any) -> Any:
    """A CSL name as a contributor: a `literal` is an organisation's name (CSL has no other way to say one)."""
    if not isinstance(person, dict):
        return person
    literal = person.get("literal")
    kind = ContributorType.person
    if isinstance(literal, str) and literal.strip():
        name: Any = literal.strip()
        kind = ContributorType.organization
    else:
        parts = [person.get(k) for k in ("given", "dropping-particle", "non-dropping-particle", "family")]
        words = [p.strip() for p in parts if isinstance(p, str) and p.strip()]
        name = " ".join(words) if words else person.get("family", person.get("given"))
        suffix = person.get("suffix")
        if words and isinstance(suffix, str) and suffix.strip():
            name = f"{name}, {suffix.strip()}"
    author: dict[str, Any] = {"name": name, "type": kind.value}
    if person.get("ORCID"):
        author["orcid"] = _text(person["ORCID"])
    affiliation = person.get("affiliation")
    if isinstance(affiliation, list):  # Crossref: [{"name": "..."}]
        affiliation = next((a.get("name") if isinstance(a, dict) else a for a in affiliation), None)
    if affiliation:
        author["affiliation"] = _text(affiliation)
    if person.get("affiliation_partner_id"):
        author["affiliation_partner_id"] = person["affiliation_partner_id"]
    return author


def _csl_date(issued: Any) -> Any:
    """CSL's date as EDTF: `raw` when it is EDTF already (what the export writes for a range or a qualified
    date), else `date-parts` (two of them a range; `circa` approximate), else `raw` or `literal` as they are."""
    if isinstance(issued, dict):
        raw = issued.get("raw")
        if isinstance(raw, str) and _is_edtf(raw):
            return raw.strip()
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            ends = [_date(*p[:3]) if isinstance(p, list) and p else None for p in parts[:2]]
            if ends[0] is None:
                return " ".join(str(p) for p in parts[0][:3])[:20]
            circa = "~" if issued.get("circa") in (True, 1, "1", "true") else ""
            if len(ends) == 2 and ends[1] and ends[1] != ends[0]:
                return f"{ends[0]}{circa}/{ends[1]}{circa}"
            return ends[0] + circa
        for key in ("raw", "literal"):
            if isinstance(issued.get(key), str):
                return issued[key].strip()
    return _text(issued)


def csl_record(item: Any) -> Record:
    """One CSL-JSON item as a work's fields."""
    if not isinstance(item, dict):
        return _unreadable("a CSL-JSON item is an object")
    record = Record({}, key=_key(item.get("id")), sources=dict(_CSL_SOURCES),
                    author_fields={"name": None, "orcid": "ORCID", "type": None, "role": None})
    custom = item["custom"] if isinstance(item.get("custom"), dict) else {}
    if "type" in custom:
        _work_type(record, custom["type"], _CSL_TYPES, ("custom", "type"))
    else:
        _work_type(record, item.get("type"), _CSL_TYPES, ("type",))
    language = _language(item.get("language"))
    if item.get("title"):
        record.put("title", {language or "en": _text(item["title"])})
    if item.get("abstract"):
        abstract = _text(item["abstract"])
        if isinstance(abstract, str):
            abstract = " ".join(_JATS_TAG.sub(" ", abstract).split())  # Crossref's abstracts are JATS XML
        record.put("abstract", {language or "en": abstract})
    _contributors(record, {name: item.get(name) for name in ("author", "editor", "translator")}, _csl_author)
    if "type" not in custom:  # a type named outright is the item's word for it
        _edited_book_if_only_editors(record, bool(item.get("author")), bool(item.get("editor")))
    record.put("date", _csl_date(item.get("issued")))
    for name, csl in (("doi", "DOI"), ("volume", "volume"), ("issue", "issue"), ("publisher", "publisher")):
        record.put(name, _text(item.get(csl)))
    record.put("pages", _pages(item.get("page")))
    if record.fields and isinstance(record.fields.get("type"), str) and record.fields["type"] in BOOKS:
        record.put("isbn", _first(item.get("ISBN")))
    for csl in ("container-title", "event-title", "collection-title"):
        if item.get(csl):
            record.put("venue", _first(item[csl]) if isinstance(item[csl], list) else _text(item[csl]), (csl,))
            break
    record.put("keywords", _split(item.get("keyword")))
    record.put("language", language)
    record.put("open_access_url", _open_access_url(item.get("URL")))
    for name in ("research_areas", "agreement_ids", "project_ids"):
        record.put(name, custom.get(name))
    return record


# --- BibTeX ------------------------------------------------------------------------------------------------

_BIBTEX_SOURCES: dict[str, Loc] = {
    "type": ("entry_type",), "title": ("title",), "abstract": ("abstract",), "authors": ("author",),
    "date": ("year",), "doi": ("doi",), "isbn": ("isbn",), "volume": ("volume",), "issue": ("number",),
    "pages": ("pages",), "venue": ("journal",), "publisher": ("publisher",), "keywords": ("keywords",),
    "language": ("language",), "open_access_url": ("url",),
}


def _latex_converter() -> tuple[LatexNodes2Text, Any]:
    """pylatexenc's LaTeX-to-text, taught the macros bibliographies use that it does not know: the TeX logos
    (`\\TeX`, `\\LaTeX`...), biblatex's `\\hyph` (a hyphen that keeps hyphenation), and its quotation macros."""
    logos = {"TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "XeTeX": "XeTeX", "XeLaTeX": "XeLaTeX",
             "LuaTeX": "LuaTeX", "LuaLaTeX": "LuaLaTeX", "BibTeX": "BibTeX", "ConTeXt": "ConTeXt", "AmS": "AMS",
             "hyph": "-", "slash": "/", "textquotedbl": '"'}
    quoting = {"enquote": "“%s”", "mkbibquote": "“%s”", "mkbibemph": "%s", "mkbibitalic": "%s",
               "mkbibbold": "%s", "url": "%s", "nolinkurl": "%s"}
    text_db = latex2text.get_default_latex_context_db()
    text_db.add_context_category("bibliography", prepend=True, macros=[
        *(latex2text.MacroTextSpec(name, text) for name, text in logos.items()),
        *(latex2text.MacroTextSpec(name, form % "%(1)s") for name, form in quoting.items())])
    parse_db = latexwalker.get_default_latex_context_db()
    parse_db.add_context_category("bibliography", prepend=True, macros=[
        *(macrospec.MacroSpec(name, "") for name in logos), *(macrospec.MacroSpec(name, "{") for name in quoting)])
    return LatexNodes2Text(latex_context=text_db, math_mode="verbatim"), parse_db


_LATEX, _LATEX_MACROS = _latex_converter()
_PLAIN = (("---", "—"), ("--", "–"), ("~", " "), ("``", "“"), ("''", "”"))


def latex_to_text(value: str) -> str:
    """BibTeX's LaTeX as plain Unicode: `M{\\"u}ller` is "Müller", `{DNA}` is "DNA", `1--10` an en dash,
    `The \\TeX book` "The TeXbook" (TeX eats the space after a control word), ``` ``a'' ``` is “a”."""
    if "\\" in value or "$" in value:
        try:
            value = _LATEX.latex_to_text(value, latex_context=_LATEX_MACROS)
        except Exception:  # pylatexenc on odd input: the text without its braces is better than nothing
            value = value.replace("{", "").replace("}", "")
    else:  # no macros: most fields, and far quicker than parsing them as LaTeX
        value = value.replace("{", "").replace("}", "")
        for latex, text in _PLAIN:
            value = value.replace(latex, text)
    return " ".join(value.split())


# biblatex's inheritance (its manual, §B "Default Crossref Setup"): fields never inherited, and the fields that
# change name from a parent of one type to a child of another (a collection's title is its chapter's booktitle).
_NOT_INHERITED = {"ids", "crossref", "xref", "xdata", "entryset", "entrysubtype", "execute", "label", "options",
                  "presort", "related", "relatedoptions", "relatedstring", "relatedtype", "shorthand",
                  "shorthandintro", "sortkey", "title", "subtitle", "titleaddon", "shorttitle", "sorttitle",
                  "indextitle", "indexsorttitle",
                  # and, beyond biblatex's list, what names or describes the parent itself: with its DOI a chapter
                  # would be taken for a duplicate of its book. (Its ISBN is the chapter's book's: inherited.)
                  "doi", "url", "eprint", "pages", "abstract", "keywords"}
_AS_BOOK = {"title": "booktitle", "subtitle": "booksubtitle", "titleaddon": "booktitleaddon"}
_AS_MAIN = {"title": "maintitle", "subtitle": "mainsubtitle", "titleaddon": "maintitleaddon"}
_INHERITS = {
    **{(p, c): _AS_BOOK for p in ("collection", "reference", "proceedings")
       for c in ("incollection", "inreference", "inproceedings", "suppcollection")},
    **{(p, c): _AS_MAIN for p in ("mvcollection", "mvreference", "mvproceedings")
       for c in ("collection", "reference", "proceedings")},
    **{(p, c): _AS_BOOK | {"author": "bookauthor"} for p in ("book",) for c in ("inbook", "bookinbook", "suppbook")},
    **{(p, c): _AS_MAIN for p in ("mvbook",) for c in ("book", "inbook", "bookinbook", "suppbook")},
    **{("periodical", c): {"title": "journaltitle", "subtitle": "journalsubtitle"}
       for c in ("article", "suppperiodical")},
    ("proceedings", "conference"): _AS_BOOK,  # BibTeX's alias of inproceedings
}


def _resolved(entries: dict[str, bibtex.Entry], entry: bibtex.Entry, seen: frozenset[str] = frozenset()
              ) -> list[bibtex.Field]:
    """An entry's fields with those it inherits within its file: from the @xdata entries it names (`xdata`, as
    they are) and from its `crossref` parent (by biblatex's rules; a classic BibTeX parent's `booktitle` reaches
    the child as it is). Its own fields win; a chain is followed, a cycle is not."""
    own = {f.key.lower() for f in entry.fields}
    fields = list(entry.fields)

    def take(name: str, value: Any) -> None:
        if name not in own:
            own.add(name)
            fields.append(bibtex.Field(name, value))

    for field_ in entry.fields:
        key = field_.key.lower()
        if key not in ("xdata", "crossref") or not isinstance(field_.value, str):
            continue
        for parent_key in (k.strip() for k in field_.value.split(",") if k.strip()):
            parent = entries.get(parent_key.lower())
            if parent is None or parent_key.lower() in seen:
                continue
            parent_fields = _resolved(entries, parent, seen | {entry.key.lower()})
            renames = _INHERITS.get((parent.entry_type.lower(), entry.entry_type.lower()), {})
            for inherited in parent_fields:
                name = inherited.key.lower()
                if key == "xdata":
                    take(name, inherited.value)
                elif name in renames:
                    take(renames[name], inherited.value)
                elif name not in _NOT_INHERITED:
                    take(name, inherited.value)
    return fields


_COMMENT_LIKE = re.compile(r"(?im)^(\s*@)(comment\w+)(?=\s*[{(])")
_RENAMED = "x_"


def bibtex_blocks(text: str) -> list[bibtex.Block]:
    """The entries of a BibTeX text, and the entries that could not be parsed, in the order they came;
    `@string`s resolved, `crossref` and `xdata` inheritance resolved within the text, comments and preambles left
    out. A citation key used twice is no error here: keys are the file's business, and duplicate works are told by
    their DOI."""
    blocks: list[bibtex.Block] = []
    # bibtexparser reads every `@comment...` as a comment; biblatex's @commentary is an entry: renamed while parsed.
    text = _COMMENT_LIKE.sub(lambda m: f"{m.group(1)}{_RENAMED}{m.group(2)}", text)
    for block in bibtexparser.parse_string(text).blocks:
        if isinstance(block, bibtex.Entry) and block.entry_type.lower().startswith(_RENAMED):
            block.entry_type = block.entry_type[len(_RENAMED):]
        if isinstance(block, bibtex.DuplicateBlockKeyBlock) and isinstance(block.ignore_error_block, bibtex.Entry):
            blocks.append(block.ignore_error_block)
        elif isinstance(block, bibtex.Entry | bibtex.ParsingFailedBlock):
            blocks.append(block)
    entries: dict[str, bibtex.Entry] = {}
    for block in blocks:
        if isinstance(block, bibtex.Entry):
            entries.setdefault(block.key.lower(), block)  # BibTeX's keys are case-insensitive; the first counts
    return [bibtex.Entry(b.entry_type, b.key, _resolved(entries, b), b.start_line)
            if isinstance(b, bibtex.Entry) and any(f.key.lower() in ("crossref", "xdata") for f in b.fields) else b
            for b in blocks]


def _bibtex_person(raw: str) -> dict[str, Any]:
    """One name of a BibTeX name list. A name wholly in braces (`{World Wildlife Fund}`, written
    `author = {{World Wildlife Fund}}`) is an organisation: BibTeX keeps it whole, and so does this."""
    stripped = raw.strip()
    if stripped.startswith("{") and stripped.endswith("}") and _closes_at_end(stripped):
        return {"name": latex_to_text(stripped[1:-1]), "type": ContributorType.organization.value}
    parts = parse_single_name_into_parts(raw)  # braces kept: "{van} Berg" is a last name with a particle
    name = latex_to_text(" ".join([*parts.first, *parts.von, *parts.last]))
    if parts.jr:
        name = f"{name}, {latex_to_text(' '.join(parts.jr))}"
    return {"name": name, "type": ContributorType.person.value}


def _closes_at_end(text: str) -> bool:
    """Whether the brace that opens `text` closes at its very end (`{A} and {B}` opens and closes twice)."""
    depth = 0
    for i, c in enumerate(text):
        depth += (c == "{") - (c == "}")
        if depth == 0:
            return i == len(text) - 1
    return False


def _bibtex_names(value: str) -> list[dict[str, Any]]:
    """A BibTeX name list ("Last, First and First Last and {Corporate Name} and others"); `and others` is
    BibTeX's "et al.", not a person."""
    return [_bibtex_person(raw) for raw in split_multiple_persons_names(value) if raw.strip().lower() != "others"]


_YEAR_RANGE = re.compile(r"^(\d{4})\s*(?:--|–|—|-|/)\s*(\d{4})$")


def _bibtex_date(date: str | None, fields: dict[str, str]) -> tuple[str | None, Loc]:
    """biblatex's `date` (EDTF: `1984/1986`, `2019~`, `2020-03/`; as written, not decoded as LaTeX, where `~` is a
    space), else `year` (a range such as `1984--1986` read as one) and `month` (decoded `fields`)."""
    if date:
        return date.replace("{", "").replace("}", "").strip(), ("date",)
    year = fields.get("year")
    if year is None:
        return None, ("year",)
    if span := _YEAR_RANGE.match(year):
        return f"{span.group(1)}/{span.group(2)}", ("year",)
    month = (fields.get("month") or "").lower().rstrip(".")
    number = _MONTHS.get(month) or (month if month.isdigit() else None)
    return _date(year, number) or year, ("year",)


def bibtex_record(block: bibtex.Block) -> Record:
    """One BibTeX entry (or an entry that could not be parsed) as a work's fields."""
    if not isinstance(block, bibtex.Entry):
        line = f" at line {block.start_line + 1}" if block.start_line is not None else ""
        error = getattr(block, "error", None)
        reason = " ".join(str(getattr(error, "abort_reason", None) or error or "").split())[:300]
        return _unreadable(f"the entry{line} is not BibTeX that can be read" + (f": {reason}" if reason else ""))
    if block.entry_type.lower() in _NOT_WORKS:  # nothing else about it is wrong: it is no work at all
        return Record(None, key=_key(block.key), errors=[
            {"loc": ["entry_type"], "type": "not_a_work", "msg": _NOT_WORKS[block.entry_type.lower()]}])
    raw = {f.key.lower(): f.value for f in block.fields if isinstance(f.value, str) and f.value.strip()}
    people = {role.value: raw.get(role.value) for role in ContributorRole}
    plain = {k: latex_to_text(v) for k, v in raw.items() if k not in people}
    record = Record({}, key=_key(block.key), sources=dict(_BIBTEX_SOURCES),
                    author_fields={"name": None, "type": None, "role": None})
    _work_type(record, block.entry_type, _BIBTEX_TYPES, ("entry_type",), shown="@{}")
    language_field = "langid" if plain.get("langid") else "language"
    language = _language(plain.get(language_field))
    if plain.get("title"):
        record.put("title", {language or "en": plain["title"]})
    if plain.get("abstract"):
        record.put("abstract", {language or "en": plain["abstract"]})
    names: dict[str, Any] = {}
    for role, value in people.items():
        try:
            names[role] = _bibtex_names(value) if value else None
        except ValueError as exc:  # bibtexparser's InvalidNameError: "Too many commas" and the like
            reason = str(exc).rsplit(": ", 1)[-1][:200]
            record.errors.append({"loc": [role], "msg": f"names that cannot be read: {reason}",
                                  "type": "value_error"})
            names[role] = None
    _contributors(record, names, lambda person: person)
    _edited_book_if_only_editors(record, bool(people["author"]), bool(people["editor"]))
    if block.entry_type.lower() == "article" and plain.get("entrysubtype", "").lower() in ("magazine", "newspaper"):
        record.put("type", WorkType.popular_article.value)
    date, date_source = _bibtex_date(raw.get("date"), plain)
    record.put("date", date, date_source)
    record.put("doi", plain.get("doi"))
    record.put("volume", plain.get("volume"))
    issue = "number" if plain.get("number") else "issue"
    record.put("issue", plain.get(issue), (issue,))
    record.put("pages", _pages(plain.get("pages")))
    if record.fields and isinstance(record.fields.get("type"), str) and record.fields["type"] in BOOKS:
        record.put("isbn", _first(plain.get("isbn")))
    for name in ("journal", "journaltitle", "booktitle", "maintitle", "series", "howpublished"):
        if plain.get(name):
            record.put("venue", plain[name], (name,))
            break
    for name in ("publisher", "school", "institution", "organization"):
        if plain.get(name):
            record.put("publisher", plain[name], (name,))
            break
    record.put("keywords", _split(plain.get("keywords")))
    record.put("language", language, (language_field,))
    record.put("open_access_url", _open_access_url(plain.get("url")))
    return record
