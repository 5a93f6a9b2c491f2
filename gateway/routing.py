"""The routing table, read from data (routes.toml) with per-deployment upstream overrides from the environment."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Route:
    service: str
    prefix: str
    upstream: str
    timeout_seconds: float

    def matches(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix + "/")


@dataclass(frozen=True)
class BodyLimit:
    """How large a request body may be (bytes) and how long it may take to arrive (seconds)."""

    max_bytes: int
    timeout_seconds: float


DEFAULT_BODY_LIMIT = BodyLimit(max_bytes=1024 * 1024, timeout_seconds=10.0)


@dataclass(frozen=True)
class RoutingTable:
    routes: tuple[Route, ...]
    rate_limits: dict[str, dict[str, str]]
    body_limit: BodyLimit = DEFAULT_BODY_LIMIT
    body_limits_by_path: dict[str, BodyLimit] = field(default_factory=dict)

    def body_limit_for(self, path: str) -> BodyLimit:
        """The body limit of an exact path (`[body_limits.paths]`), else the table's default."""
        return self.body_limits_by_path.get(path.rstrip("/"), self.body_limit)

    def match(self, path: str) -> Route | None:
        # A path with `.` or `..` segments (sent as such or escaped: `%2e%2e`, `..%2f`) belongs to no route:
        # the upstream's URL handling resolves them, so `/api/v1/training/../../../metrics` would climb out of
        # the prefix it matched and reach a service's internal endpoints.
        if any(segment in (".", "..") for segment in path.split("/")):
            return None
        # Longest prefix first, so a more specific route could be added beside a general one.
        for route in sorted(self.routes, key=lambda r: len(r.prefix), reverse=True):
            if route.matches(path):
                return route
        return None

    def by_service(self, service: str) -> Route | None:
        return next((r for r in self.routes if r.service == service), None)


def load_routing_table(path: Path, timeout_override: float | None = None) -> RoutingTable:
    with path.open("rb") as f:
        data = tomllib.load(f)
    routes = []
    for service, spec in data.get("services", {}).items():
        upstream = os.environ.get(f"GATEWAY_UPSTREAM_{service.upper()}", spec["upstream"]).rstrip("/")
        timeout = timeout_override if timeout_override is not None else float(spec.get("timeout_seconds", 10))
        routes.append(Route(service, spec["prefix"].rstrip("/"), upstream, timeout))
    limits: dict[str, Any] = data.get("body_limits", {})
    default = _body_limit(limits, DEFAULT_BODY_LIMIT)
    by_path = {path.rstrip("/"): _body_limit(spec, default) for path, spec in limits.get("paths", {}).items()}
    return RoutingTable(tuple(routes), dict(data.get("rate_limits", {})), default, by_path)


def _body_limit(spec: dict[str, Any], default: BodyLimit) -> BodyLimit:
    return BodyLimit(int(spec.get("max_bytes", default.max_bytes)),
                     float(spec.get("timeout_seconds", default.timeout_seconds)))
