"""The API gateway: one front door. It authenticates the caller, forwards `/api/v1/<service>/...` by the
routing table, and serves what belongs to no single service (API keys, health, metrics, the merged docs)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from gateway.answer_headers import AnswerHeadersMiddleware
from gateway.api import admin_keys, aggregates, dashboard, docs, problem_pages
from gateway.db import models as _models  # noqa: F401  (maps the domain classes onto the tables)
from gateway.deps import gateway_caller
from gateway.idempotency import IdempotentPosts
from gateway.identity import Identity
from gateway.limits import ClientGone, CloseWhenBodyUnreadMiddleware, read_body
from gateway.proxy import forward, new_client, new_upstream_session
from gateway.rate_limits import RateLimits, rate_limited
from gateway.resilience import CircuitBreaker
from gateway.routing import load_routing_table
from gateway.settings import GatewaySettings
from shared.db.engine import Database
from shared.health import health_router
from shared.heap import freeze_startup_heap
from shared.http import one_value_each, operation_id
from shared.logging import configure_logging
from shared.metrics import instrument, metrics_listener
from shared.middleware import RequestContextMiddleware
from shared.problems import described_methods, install_problem_handlers, not_found

settings = GatewaySettings()
configure_logging("gateway", settings.log_level, settings.log_json, settings.log_color,
                  settings.log_labelled)
routing = load_routing_table(settings.routes_file, settings.upstream_timeout_seconds)
db = Database(settings.database_url)


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    with metrics_listener(settings.metrics_host, settings.metrics_port):
        app.state.http = new_client()
        app.state.upstreams = new_upstream_session()
        freeze_startup_heap()
        yield
        await app.state.upstreams.close()
        await app.state.http.aclose()
        await db.dispose()


app = FastAPI(
    title="Panda cooperation API",
    version="1.0.0",
    description="International cooperation of the giant panda research base: partnerships, training, "
    "outreach and publications. Authenticate with `X-API-Key` or `Authorization: Bearer <JWT>`.",
    lifespan=lifespan,
    # No invented redirects: `/api/v1/nothing` would be a 307 to `/api/v1/nothing/` (then a 404), for a POST
    # too, with a Location built from the Host header. An unknown route is a 404 problem at once.
    redirect_slashes=False,
    generate_unique_id_function=operation_id,
    openapi_tags=[
        {"name": "admin: API keys", "description": "API keys for partner systems, staff tools and the mobile app: "
                                                   "issued, listed and revoked by admins."},
        {"name": "aggregates", "description": "Answers made of several services' answers: the dashboard summary "
                                              "and the mobile app's home screen."},
        {"name": "identity", "description": "Who the credentials sent are (the dashboard asks, to show a partner "
                                            "its own institution)."},
    ],
    openapi_url=None,
    docs_url=None,
    redoc_url=None,
)
app.state.settings = settings
app.state.routing = routing
app.state.db = db
app.state.identity = Identity(settings, db)
idempotent_posts = IdempotentPosts(db, wait_seconds=max(r.timeout_seconds for r in routing.routes))
app.state.idempotent_posts = idempotent_posts
breakers = {r.service: CircuitBreaker(r.service, settings.breaker_failures, settings.breaker_open_seconds)
            for r in routing.routes}
app.state.rate_limits = RateLimits(settings.rate_limits or routing.rate_limits, settings.redis_url,
                                  settings.rate_limit_prefix)
install_problem_handlers(app)
app.include_router(admin_keys.router, dependencies=[Depends(one_value_each)])
app.include_router(aggregates.router, dependencies=[Depends(one_value_each)])
app.include_router(docs.router)
app.mount(docs.ASSETS_PATH, docs.assets, name="docs-assets")
app.include_router(dashboard.router, dependencies=[Depends(one_value_each)])
app.include_router(dashboard.page_router)
app.mount(dashboard.ASSETS_PATH, dashboard.assets, name="dashboard-assets")
app.include_router(problem_pages.router)


async def _upstream_ready(service: str) -> None:
    route = routing.by_service(service)
    assert route is not None
    r = await app.state.http.get(f"{route.upstream}/readyz", timeout=2.0)
    if r.status_code != 200:
        raise ConnectionError(f"{service} answered {r.status_code}")


async def _broker_reachable() -> None:
    host, _, port = settings.kafka_bootstrap_servers.split(",")[0].strip().rpartition(":")
    _, writer = await asyncio.open_connection(host.strip("[]"), int(port))
    writer.close()
    await writer.wait_closed()


checks = {"database": db.ping, "broker": _broker_reachable}
checks.update({r.service: (lambda s=r.service: _upstream_ready(s)) for r in routing.routes})
app.include_router(health_router(checks))


@app.api_route(
    "/api/v1/{service}/{path:path}",
    # Every method goes on to the service, which knows its resources' methods (405 with `Allow`).
    methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"],
    include_in_schema=False,
)
async def proxy(request: Request, service: str, path: str) -> Response:
    route = routing.match(request.url.path)
    if route is None:
        if methods := described_methods(request):  # a path of the gateway's own, asked with another method
            raise HTTPException(405, headers={"Allow": ", ".join(methods)})
        raise not_found(f"no service answers {request.url.path}")
    # Who is calling and whether they may call now come before the body is read (gateway/limits.py).
    await rate_limited(request)
    caller = await gateway_caller(request)
    try:
        body = await read_body(request, routing.body_limit_for(request.url.path))
    except ClientGone:
        return Response(status_code=499)  # nginx's "client closed request": for the access log, no one reads it

    async def to_service() -> Response:
        return await forward(request.app.state.upstreams, request, body, route, caller, settings.internal_secret(),
                             breakers[route.service], settings.deadline_grace_seconds)

    return await idempotent_posts.answer(request, body, caller, to_service)


# Counted here, served on the metrics listener (shared/metrics.py), never on the public port.
instrument(app)
app.add_middleware(CloseWhenBodyUnreadMiddleware)
app.add_middleware(AnswerHeadersMiddleware)
app.add_middleware(RequestContextMiddleware)
if settings.trusted_proxies:
    # Outermost: the client address every layer sees (rate limits, logs) is the one a trusted proxy forwarded for.
    # uvicorn itself runs with --no-proxy-headers, so nobody else's X-Forwarded-For is believed.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
if settings.cors_origins:
    # Browsers on the dashboard's and the app's origins may call the API; no one else's pages may.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "X-API-Key", "Content-Type", "Accept", "Accept-Language", "If-Match",
                       "If-None-Match", "Idempotency-Key", "X-Request-ID", "traceparent"],
        expose_headers=["ETag", "Location", "Link", "Content-Language", "X-Request-ID", "Retry-After",
                        "RateLimit-Policy", "RateLimit", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset",
                        "Idempotent-Replayed"],
        max_age=600,
    )
