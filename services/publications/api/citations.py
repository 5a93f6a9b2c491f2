"""`/api/v1/publications/works/{id}/citation`: a work as BibTeX, RIS or CSL-JSON, for reference managers and
citation processors. The same answers come from the work's own URL when its `Accept` header asks for them.

Whoever may see the work may cite it. Each answer has an ETag of its own (the work's version and the format),
so `If-None-Match` gives a 304 while the work is unchanged.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.publications.api.citing import CITATION_CONTENT, citation_response
from services.publications.formats.citation import CitationFormat
from services.publications.usecases.works import visible_work
from shared.auth import CallerDep, GuardedRoute
from shared.service import ReadSessionDep

router = APIRouter(route_class=GuardedRoute, prefix="/works", tags=["works"])


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
    return citation_response(request, await visible_work(session, caller, work_id), fmt)
