"""`/api/v1/publications/works/{id}/citation`: a work as BibTeX, RIS or CSL-JSON, for reference managers and
citation processors. The same answers come from the work's own URL when its `Accept` header asks for them.

Whoever may see the work may cite it. Each answer has an ETag of its own (the work's version and the format),
so `If-None-Match` gives a 304 while the work is unchanged.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.publications.api.works import visible_work
from services.publications.domain.work import Work
from services.publications.formats.citation import MEDIA_TYPES, CitationFormat, file_name, render
from shared.auth import CallerDep, GuardedRoute
from shared.service import ReadSessionDep

router = APIRouter(route_class=GuardedRoute, prefix="/works", tags=["works"])

CITATION_CONTENT = {media: {"schema": {"type": "object" if fmt is CitationFormat.csl_json else "string"}}
                    for fmt, media in MEDIA_TYPES.items()}


def _etag(work: Work, fmt: CitationFormat) -> str:
    return f'"{work.version}-{fmt.value}"'


def _is_fresh(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def citation_response(request: Request, work: Work, fmt: CitationFormat, *, vary: bool = False) -> Response:
    """The citation, or a 304 when the client's copy (`If-None-Match`) is current. `vary` when the format was
    chosen by the `Accept` header."""
    headers = {"ETag": _etag(work, fmt)}
    if vary:
        headers["Vary"] = "Accept"
    if _is_fresh(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = f'inline; filename="{file_name(work, fmt)}"'
    return Response(render(work, fmt), media_type=f"{MEDIA_TYPES[fmt]}; charset=utf-8", headers=headers)


@router.get("/{work_id}/citation", response_class=Response, responses={200: {"content": CITATION_CONTENT}})
async def cite_work(
    work_id: uuid.UUID,
    caller: CallerDep,
    session: ReadSessionDep,
    request: Request,
    fmt: Annotated[CitationFormat, Query(alias="format", description="bibtex, ris or csl-json")] = (
        CitationFormat.csl_json),
) -> Response:
    """`bibtex` (`application/x-bibtex`, LaTeX-escaped), `ris` (`application/x-research-info-systems`) or
    `csl-json` (`application/vnd.citationstyles.csl+json`, one CSL-JSON item); UTF-8."""
    work = await visible_work(session, work_id, caller)
    return citation_response(request, work, fmt)
