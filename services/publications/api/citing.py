"""A work answered as a citation, by `GET /works/{id}/citation` and by the work's own URL when its `Accept`
header asks for one. Each format has an ETag of its own (the work's version and the format), so
`If-None-Match` gives a 304 while the work is unchanged."""

from __future__ import annotations

from fastapi import Request, Response

from services.publications.domain.work import Work
from services.publications.formats.citation import MEDIA_TYPES, CitationFormat, file_name, render
from shared.http import etag_of, not_modified

CITATION_CONTENT = {media: {"schema": {"type": "object" if fmt is CitationFormat.csl_json else "string"}}
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
