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
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from gateway.deps import GatewayCallerDep
from gateway.rate_limits import rate_limited
from gateway.upstream import fetch
from shared.auth import ANONYMOUS, STAFF
from shared.http import etag_of, not_modified

log = logging.getLogger("aggregates")
router = APIRouter(tags=["aggregates"], dependencies=[Depends(rate_limited)])

HOME_ITEMS = 5


@router.get("/api/v1/dashboard/summary")
async def dashboard_summary(request: Request, caller: GatewayCallerDep) -> dict[str, Any]:
    """The four services' figures in one answer; `missing` names the services that could not answer."""
    caller.require(*STAFF)
    parts = {"partnerships": "/stats", "training": "/stats", "outreach": "/stats", "publications": "/stats"}
    answers = await asyncio.gather(*(fetch(request, caller, s, p) for s, p in parts.items()))
    summary: dict[str, Any] = dict(zip(parts, answers, strict=True))
    summary["missing"] = sorted(s for s, a in summary.items() if a is None)
    summary["generated_at"] = dt.datetime.now(dt.UTC).isoformat()
    return summary


def _languages(accept_language: str | None) -> list[str]:
    """The client's languages, most wanted first (`zh-CN,zh;q=0.9,en;q=0.8` → zh-cn, zh, en)."""
    wanted = []
    for part in (accept_language or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        if tag and tag != "*" and weight > 0:
            wanted.append((weight, tag.lower()))
    return [tag for _, tag in sorted(wanted, key=lambda w: -w[0])]


def localize(text: dict[str, str] | None, languages: list[str]) -> str | None:
    """The text in the best language the client accepts (exact, then its primary language), else English,
    else any."""
    if not text:
        return None
    lowered = {k.lower(): v for k, v in text.items()}
    for tag in languages:
        if tag in lowered:
            return lowered[tag]
        primary = tag.split("-")[0]
        for key, value in lowered.items():
            if key.split("-")[0] == primary:
                return value
    return lowered.get("en") or next(iter(text.values()))


@router.get("/api/v1/mobile/home")
async def mobile_home(request: Request) -> Response:
    """Upcoming events, new works and open programs, as the app's first screen shows them to anyone (`public`,
    cached 60 s, `Vary: Accept-Language`; the credentials a caller sends change nothing here)."""
    languages = _languages(request.headers.get("accept-language"))
    today = dt.datetime.now(dt.UTC).date().isoformat()
    events, works, programs = await asyncio.gather(
        fetch(request, ANONYMOUS, "outreach", "/events", {"status": "scheduled", "from": today, "limit": HOME_ITEMS}),
        fetch(request, ANONYMOUS, "publications", "/works", {"limit": HOME_ITEMS}),
        fetch(request, ANONYMOUS, "training", "/programs", {"status": "published", "limit": HOME_ITEMS}),
    )
    body: dict[str, Any] = {
        "upcoming_events": [
            {"id": e["id"], "title": localize(e["title"], languages), "kind": e["kind"],
             "starts_at": e["starts_at_local"], "city": (e.get("venue") or {}).get("city"),
             "online": e.get("online_url") is not None, "places_left": e["places_left"]}
            for e in (events or {}).get("items", [])],
        "new_works": [
            {"id": w["id"], "title": localize(w["title"], languages), "type": w["type"], "year": w["year"],
             "authors": [a["name"] for a in w["authors"][:3]]}
            for w in (works or {}).get("items", [])],
        "open_programs": [
            {"id": p["id"], "title": localize(p["title"], languages), "format": p["format"],
             "languages": p["languages"]}
            for p in (programs or {}).get("items", [])],
        "missing": sorted(name for name, part in (("outreach", events), ("publications", works),
                                                   ("training", programs)) if part is None),
    }
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    tag = hashlib.sha256(content).hexdigest()[:32]
    headers = {"Cache-Control": "public, max-age=60", "Vary": "Accept-Language"}
    if (unchanged := not_modified(request, tag, headers)) is not None:
        return unchanged
    return JSONResponse(body, headers={**headers, "ETag": etag_of(tag)})
