"""One `/openapi.json` for the whole API as the gateway serves it (the gateway's own routes and every
service's), and `/docs` (Swagger UI) and `/redoc` to browse it. A service that is down is named in
`x-missing-services`.

Both pages load their scripts and styles from the gateway itself (`/docs/assets/`, the files the
`fastapi-offline` package ships), never from a CDN: the docs work offline and where CDNs are blocked."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.staticfiles import StaticFiles

from gateway.api.aggregates import STATS_SERVICES
from gateway.api.http_contract import describe_http
from gateway.rate_limits import rate_limited
from gateway.routing import RoutingTable
from shared.contracts.catalog import CONTACT, asyncapi, event_schemas

router = APIRouter(include_in_schema=False, dependencies=[Depends(rate_limited)])
_CACHE_SECONDS = 30.0
_TITLE = "Panda cooperation API"
ASSETS_PATH = "/docs/assets"
# One real answer per response schema, recorded from the demo data by `python -m deploy.demo.examples`.
RESPONSE_EXAMPLES: dict[str, Any] = json.loads((Path(__file__).parent / "response_examples.json").read_text())
# swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js, favicon.png
assets = StaticFiles(directory=Path(fastapi_offline.__file__).parent / "static")


def _rename_clashes(service: str, doc: dict[str, Any], taken: dict[str, Any]) -> dict[str, Any]:
    """A schema name another service already uses for a different schema gets the service's prefix."""
    schemas = doc.get("components", {}).get("schemas", {})
    renames = {
        name: f"{service.capitalize()}{name}" for name, s in schemas.items() if name in taken and taken[name] != s
    }
    if not renames:
        return doc
    text = json.dumps(doc)
    for old, new in renames.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    doc = json.loads(text)
    schemas = doc["components"]["schemas"]
    for old, new in renames.items():
        schemas[new] = {**schemas.pop(old), "title": new}  # a generator names the class by its title
    return doc


def merge_openapi(base: dict[str, Any], services: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    merged.setdefault("paths", {})
    schemas = merged.setdefault("components", {}).setdefault("schemas", {})
    missing = []
    for service, doc in services.items():
        if doc is None:
            missing.append(service)
            continue
        doc = _rename_clashes(service, doc, schemas)
        merged["paths"].update(doc.get("paths", {}))
        schemas.update(doc.get("components", {}).get("schemas", {}))
        merged.setdefault("tags", []).extend(doc.get("tags", []))
    merged["components"]["securitySchemes"] = {
        "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        "Bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    }
    merged["security"] = [{"ApiKey": []}, {"Bearer": []}, {}]
    merged["info"]["contact"] = CONTACT
    merged["servers"] = [{"url": "/", "description": "this gateway"}]
    _type_dashboard(merged)
    _describe_webhooks(merged)
    for name, example in RESPONSE_EXAMPLES.items():  # real answers (deploy/demo/examples.py)
        if name in schemas and "examples" not in schemas[name]:
            schemas[name]["examples"] = [example]
    if missing:
        merged["x-missing-services"] = sorted(missing)
    return describe_http(merged, own_paths=set(base.get("paths", {})))


def _describe_webhooks(doc: dict[str, Any]) -> None:
    """The deliveries a partner's webhook receives (OpenAPI 3.1 `webhooks`): a POST of one CloudEvent, one of the
    published event types (docs/events.md), signed as Standard Webhooks sign."""
    schemas = event_schemas()  # made once per process; the merged document copies them in
    doc["components"]["schemas"].update(copy.deepcopy(schemas))
    events = sorted(name for name in schemas if name.endswith("Event"))
    header = {"required": True, "schema": {"type": "string"}}
    doc["webhooks"] = {"event": {"post": {
        "operationId": "receive_event",
        "tags": ["webhooks"],
        "summary": "An event that concerns the subscriber's institution",
        "description": "Sent to each active subscription whose `event_types` take the event's type, with the "
                       "headers of Standard Webhooks (verify `webhook-signature` with the subscription's secret). "
                       "Retried with backoff until a 2xx; the events of one subject arrive in order.",
        "parameters": [{"name": "webhook-id", "in": "header", "description": "The delivery's id: the same on "
                        "every retry, for the receiver's duplicate check", **header},
                       {"name": "webhook-timestamp", "in": "header", "description": "Unix seconds of this "
                        "attempt", **header},
                       {"name": "webhook-signature", "in": "header", "description": "`v1,<base64 HMAC-SHA256>` of "
                        "`id.timestamp.body`", **header}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in events],
            "discriminator": {"propertyName": "type", "mapping": {
                schemas[name]["properties"]["type"]["const"]: f"#/components/schemas/{name}" for name in events}},
        }}}},
        "responses": {"2XX": {"description": "Received: not sent again"},
                      "default": {"description": "Not received: sent again later, until the subscription gives up"}},
    }}}


def _type_dashboard(doc: dict[str, Any]) -> None:
    """The dashboard summary's part of each service typed as that service's own stats answer."""
    summary = doc["components"]["schemas"].get("DashboardSummary", {}).get("properties", {})
    for service in STATS_SERVICES:
        op = doc["paths"].get(f"/api/v1/{service}/stats", {}).get("get")
        if op is not None and service in summary:
            schema = op["responses"]["200"]["content"]["application/json"]["schema"]
            summary[service] = {"anyOf": [schema, {"type": "null"}],
                                "description": f"`GET /api/v1/{service}/stats`, or null if it could not answer"}


async def _service_doc(request: Request, table: RoutingTable, service: str) -> dict[str, Any] | None:
    route = table.by_service(service)
    if route is None:
        return None
    try:
        async with asyncio.timeout(min(route.timeout_seconds, 5.0)):
            r = await request.app.state.http.get(f"{route.upstream}/openapi.json")
        return r.json() if r.status_code == 200 else None
    except Exception:
        return None


@router.get("/openapi.json")
async def openapi(request: Request) -> JSONResponse:
    app: FastAPI = request.app
    cached = getattr(app.state, "openapi_cache", None)
    if cached and cached[0] > time.monotonic():
        return JSONResponse(cached[1])
    table: RoutingTable = app.state.routing
    services = [r.service for r in table.routes]
    docs = await asyncio.gather(*(_service_doc(request, table, s) for s in services))
    merged = merge_openapi(app.openapi(), dict(zip(services, docs, strict=True)))
    # A partial document is cached briefly only, so a service that comes back shows up soon.
    ttl = _CACHE_SECONDS if "x-missing-services" not in merged else 2.0
    app.state.openapi_cache = (time.monotonic() + ttl, merged)
    return JSONResponse(merged)


@router.get("/asyncapi.json")
async def asyncapi_document(request: Request) -> JSONResponse:
    """The Kafka topics and their events as an AsyncAPI 3.1 document, made from the contract classes."""
    return JSONResponse(asyncapi(request.app.state.settings.kafka_bootstrap_servers))


@router.get("/docs")
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title=_TITLE,
                               swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
                               swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
                               swagger_favicon_url=f"{ASSETS_PATH}/favicon.png")


@router.get("/redoc")
async def redoc() -> HTMLResponse:
    return get_redoc_html(openapi_url="/openapi.json", title=_TITLE, redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
                          redoc_favicon_url=f"{ASSETS_PATH}/favicon.png", with_google_fonts=False)
