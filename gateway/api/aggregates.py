"""Answers made of several services' answers, fetched concurrently, so a dashboard or the mobile app asks once:

- `GET /api/v1/dashboard/summary` (analyst and up): the four services' figures; a service that is down or too
  slow is named in `missing` and the others still answer, in the time of the slowest one.
- `GET /api/v1/mobile/home`: what the app's first screen shows (upcoming events, new works, open programs),
  small, in the language `Accept-Language` asks for, with an ETag and 304. It is the public's view whoever asks
  (the parts are fetched as an anonymous caller), so one copy may be cached for everyone: staff see drafts in
  the services' own lists, never here.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from gateway.deps import GatewayCallerDep
from gateway.rate_limits import rate_limited
from gateway.upstream import fetch
from shared.auth import ANONYMOUS, STAFF
from shared.http import etag_of, not_modified
from shared.language import best_translation, wanted_languages

log = logging.getLogger("aggregates")
router = APIRouter(tags=["aggregates"], dependencies=[Depends(rate_limited)])

HOME_ITEMS = 5


STATS_SERVICES = ("partnerships", "training", "outreach", "publications")


class DashboardSummary(BaseModel):
    """Each service's figures as its own `GET /api/v1/<service>/stats` answers them (null when it could not
    answer; the merged API description gives each its service's schema)."""

    partnerships: dict[str, Any] | None
    training: dict[str, Any] | None
    outreach: dict[str, Any] | None
    publications: dict[str, Any] | None
    missing: list[str] = Field(description="The services that could not answer in time")
    generated_at: dt.datetime


class HomeEvent(BaseModel):
    id: uuid.UUID
    title: str | None = Field(description="In the language `Accept-Language` asked for, else English")
    kind: str
    starts_at: str = Field(description="Local date and time at the venue, ISO 8601 with its offset")
    city: str | None
    online: bool
    places_left: int


class HomeWork(BaseModel):
    id: uuid.UUID
    title: str | None
    type: str
    year: int | None
    authors: list[str] = Field(description="The first three")


class HomeProgram(BaseModel):
    id: uuid.UUID
    title: str | None
    format: str
    languages: list[str]


class MobileHome(BaseModel):
    upcoming_events: list[HomeEvent]
    new_works: list[HomeWork]
    open_programs: list[HomeProgram]
    missing: list[str] = Field(description="The services that could not answer: their part is empty")


@router.get("/api/v1/dashboard/summary", response_model=DashboardSummary)
async def dashboard_summary(request: Request, caller: GatewayCallerDep) -> DashboardSummary:
    """The four services' figures in one answer; `missing` names the services that could not answer (analysts
    and up)."""
    caller.require(*STAFF)
    answers = await asyncio.gather(*(fetch(request, caller, s, "/stats") for s in STATS_SERVICES))
    parts: dict[str, Any] = dict(zip(STATS_SERVICES, answers, strict=True))
    return DashboardSummary(**parts, missing=sorted(s for s, a in parts.items() if a is None),
                            generated_at=dt.datetime.now(dt.UTC))


class _Localizer:
    """Picks each text's translation for the languages asked for, and remembers which languages it answered in
    (for `Content-Language`)."""

    def __init__(self, accept_language: str | None) -> None:
        self.wanted = wanted_languages(accept_language)
        self.used: list[str] = []

    def __call__(self, text: dict[str, str] | None) -> str | None:
        best = best_translation(text, self.wanted)
        if best is None:
            return None
        if best[0] not in self.used:
            self.used.append(best[0])
        return best[1]


@router.get("/api/v1/mobile/home", response_model=MobileHome,
            responses={200: {"description": "The home screen", "model": MobileHome}, 304: {"description":
                       "Not modified"}})
async def mobile_home(request: Request) -> Response:
    """Upcoming events, new works and open programs, as the app's first screen shows them to anyone (`public`,
    cached 60 s, `Vary: Accept-Language`; the credentials a caller sends change nothing here)."""
    localize = _Localizer(request.headers.get("accept-language"))
    today = dt.datetime.now(dt.UTC).date().isoformat()
    events, works, programs = await asyncio.gather(
        fetch(request, ANONYMOUS, "outreach", "/events", {"status": "scheduled", "from": today, "limit": HOME_ITEMS}),
        fetch(request, ANONYMOUS, "publications", "/works", {"limit": HOME_ITEMS}),
        fetch(request, ANONYMOUS, "training", "/programs", {"status": "published", "limit": HOME_ITEMS}),
    )
    body: dict[str, Any] = {
        "upcoming_events": [
            {"id": e["id"], "title": localize(e["title"]), "kind": e["kind"],
             "starts_at": e["starts_at_local"], "city": (e.get("venue") or {}).get("city"),
             "online": e.get("online_url") is not None, "places_left": e["places_left"]}
            for e in (events or {}).get("items", [])],
        "new_works": [
            {"id": w["id"], "title": localize(w["title"]), "type": w["type"], "year": w["year"],
             "authors": [a["name"] for a in w["authors"][:3]]}
            for w in (works or {}).get("items", [])],
        "open_programs": [
            {"id": p["id"], "title": localize(p["title"]), "format": p["format"],
             "languages": p["languages"]}
            for p in (programs or {}).get("items", [])],
        "missing": sorted(name for name, part in (("outreach", events), ("publications", works),
                                                   ("training", programs)) if part is None),
    }
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    tag = hashlib.sha256(content).hexdigest()[:32]
    headers = {"Cache-Control": "public, max-age=60", "Vary": "Accept-Language"}
    if localize.used:  # the languages the texts are in (RFC 9110 §8.5: a list when there are several)
        headers["Content-Language"] = ", ".join(localize.used)
    if (unchanged := not_modified(request, tag, headers)) is not None:
        return unchanged
    return JSONResponse(body, headers={**headers, "ETag": etag_of(tag)})
