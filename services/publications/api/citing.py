"""A work answered as a citation, by `GET /works/{id}/citation` and by the work's own URL when its `Accept`
header asks for one. Each format has an ETag of its own (the work's version and the format), so
`If-None-Match` gives a 304 while the work is unchanged."""

from __future__ import annotations

from fastapi import Request, Response

from services.publications.domain.work import Work
from services.publications.formats.citation import MEDIA_TYPES, CitationFormat, file_name, render
from shared.http import etag_of, not_modified

_EXAMPLES = {
    CitationFormat.bibtex: "@article{li2024bamboo,\n  author = {Li, Wei and M{\\\"u}ller, Anna},\n"
                           "  title = {Bamboo diet of captive pandas},\n  journal = {Journal of Zoology},\n"
                           "  year = {2024},\n  doi = {10.1234/panda.2024.1}\n}\n",
    CitationFormat.ris: "TY  - JOUR\r\nAU  - Li, Wei\r\nAU  - Müller, Anna\r\nTI  - Bamboo diet of captive pandas\r\n"
                        "JO  - Journal of Zoology\r\nPY  - 2024\r\nDO  - 10.1234/panda.2024.1\r\nER  - \r\n",
    CitationFormat.csl_json: {"id": "li2024bamboo", "type": "article-journal", "title": "Bamboo diet of captive pandas",
                              "author": [{"family": "Li", "given": "Wei"}, {"family": "Müller", "given": "Anna"}],
                              "container-title": "Journal of Zoology", "issued": {"date-parts": [[2024]]},
                              "DOI": "10.1234/panda.2024.1"},
}
CITATION_CONTENT = {media: {"schema": {"type": "object" if fmt is CitationFormat.csl_json else "string"},
                            "example": _EXAMPLES[fmt]}
                    for fmt, media in MEDIA_TYPES.items()}


def citation_response(request: Request, work: Work, fmt: CitationFormat, *, vary: bool = False) -> Response:
    """The citation, or a 304 when the client's copy (`If-None-Match`) is current. `vary` when the format was
    chosen by the `Accept` header."""
    # The version of this representation: the work's, and the format (`"3-bibtex"`).
    version = f"{work.version}-{fmt.value}"
    vary_header = {"Vary": "Accept"} if vary else {}
    if (unchanged := not_modified(request, version)) is not None:  # type: ignore[arg-type]
        unchanged.headers.update(vary_header)
        return unchanged
    headers = {"ETag": etag_of(version), **vary_header,  # type: ignore[arg-type]
               "Content-Disposition": f'inline; filename="{file_name(work, fmt)}"'}
    return Response(render(work, fmt), media_type=f"{MEDIA_TYPES[fmt]}; charset=utf-8", headers=headers)
