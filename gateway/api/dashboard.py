"""The operations dashboard at `/dashboard/`: one page that people open in a browser, drawn from the public API
only (the summary, the services' lists and stats), with every asset served from here (no CDN: it works offline).

- `GET /dashboard/` the page; `/dashboard/assets/...` its script, styles and the vendored libraries (Apache
  ECharts, topojson-client, Natural Earth's countries from `world-atlas`; versions and why in the README);
- `GET /dashboard/countries.json` each ISO 3166-1 country: its numeric code (what the map's shapes carry) and its
  name in English and Chinese (from pycountry and Babel's CLDR data), so the page names countries as people do;
- `GET /api/v1/me` who the credentials sent are (role, partner), so the page shows a partner its own institution.

The page keeps the credentials in `sessionStorage` and sends them as the API's usual headers; the gateway serves
it under a Content-Security-Policy that lets it talk to this origin only."""

from __future__ import annotations

import functools
import uuid
from pathlib import Path
from typing import Any

import pycountry
from babel import Locale
from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, Field
from starlette.staticfiles import StaticFiles

from gateway.deps import GatewayCallerDep
from gateway.rate_limits import rate_limited

PAGE_DIR = Path(__file__).resolve().parent.parent / "dashboard"
ASSETS_PATH = "/dashboard/assets"
assets = StaticFiles(directory=PAGE_DIR)

# ECharts sets inline styles on its tooltips and canvas; nothing else is inline, and nothing leaves this origin.
_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
           "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")

page_router = APIRouter(include_in_schema=False, dependencies=[Depends(rate_limited)])
router = APIRouter(tags=["identity"], dependencies=[Depends(rate_limited)])


@page_router.get("/dashboard")
async def dashboard_without_slash() -> RedirectResponse:
    return RedirectResponse("/dashboard/", status_code=308)


@page_router.get("/dashboard/")
async def dashboard_page() -> FileResponse:
    return FileResponse(PAGE_DIR / "index.html", media_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": _POLICY, "Cache-Control": "no-cache",
                                 "Referrer-Policy": "no-referrer"})


@functools.cache
def _countries() -> dict[str, dict[str, str]]:
    zh = Locale.parse("zh_Hans")
    return {c.alpha_2: {"numeric": c.numeric, "en": getattr(c, "common_name", c.name),
                        "zh": zh.territories.get(c.alpha_2, c.name)}
            for c in pycountry.countries}


@page_router.get("/dashboard/countries.json")
async def countries() -> JSONResponse:
    return JSONResponse(_countries(), headers={"Cache-Control": "public, max-age=86400"})


class Me(BaseModel):
    """Who the credentials sent are, as every service sees them."""

    role: str = Field(description="anonymous, member, partner, analyst, coordinator or admin",
                      examples=["partner"])
    partner_id: uuid.UUID | None = Field(description="The partner institution the caller acts for, if any")
    via: str = Field(description="How the caller signed in: api-key, jwt or anonymous", examples=["api-key"])


@router.get("/api/v1/me", response_model=Me)
async def me(caller: GatewayCallerDep) -> Any:
    """Who the credentials sent are: role, partner institution, and how they signed in (anyone; an anonymous
    caller is `anonymous`). Bad credentials are 401, as everywhere."""
    return Me(role=caller.role.value, partner_id=caller.partner_id, via=caller.via)
