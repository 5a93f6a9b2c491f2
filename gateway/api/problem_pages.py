"""`GET /problems/{slug}`: the page a problem's `type` URI points at, saying what the problem means and what to do
(RFC 9457 §3.1.1: the type URI should resolve to human-readable documentation). Public, cacheable, offline."""

from __future__ import annotations

import re
from html import escape

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from gateway.rate_limits import rate_limited
from shared.problem_types import SLUG, explained
from shared.problems import not_found

router = APIRouter(include_in_schema=False, dependencies=[Depends(rate_limited)])

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; line-height: 1.5">
<h1>{title}</h1>
<p><code>type: /problems/{slug}</code>, HTTP {statuses}</p>
<h2>What it means</h2><p>{meaning}</p>
<h2>What to do</h2><p>{remedy}</p>
<p>Every problem answer is <code>application/problem+json</code> (RFC 9457) with <code>type</code>,
<code>title</code>, <code>status</code> and <code>detail</code>; <code>X-Request-ID</code> names the request in
the base's logs.</p>
</body></html>
"""


def _html(text: str) -> str:
    """The explanation's text as HTML: escaped, with its `names` as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))


@router.get("/problems/{slug}", response_class=HTMLResponse)
async def problem_page(slug: str) -> HTMLResponse:
    """The explanation of one problem type; 404 for a slug that names none."""
    kind = explained(slug) if SLUG.fullmatch(slug) else None
    if kind is None:
        raise not_found(f"no problem type is called {slug[:100]!r}")
    page = _PAGE.format(title=escape(kind.title), slug=escape(kind.slug),
                        statuses=", ".join(map(str, kind.statuses)), meaning=_html(kind.meaning),
                        remedy=_html(kind.remedy))
    return HTMLResponse(page, headers={"Cache-Control": "public, max-age=86400", "Content-Language": "en"})
