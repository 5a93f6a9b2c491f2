"""Rate limits per caller (API key, token subject, or IP address when anonymous), set per role and route group
(`read` for GET/HEAD/OPTIONS, `write` for the rest) in the routing table's `[rate_limits]`, or in
`GATEWAY_RATE_LIMITS` (JSON of the same shape). Counted by the `limits` library in a sliding window: in Redis
when `REDIS_URL` is set, so every gateway process shares one count, in memory otherwise. The sliding window
keeps two counters per caller (this window's and the last one's, weighted by how much of it still overlaps), not
a record per request as a moving window does: a limit of 100,000 a minute costs what one of 10 does.

Every route is counted: the proxied ones and the gateway's own (`/api/v1/mobile/home`, `/api/v1/dashboard/summary`,
`/api/v1/admin/*`, the docs), through `rate_limited`. An anonymous caller is its address: the socket's peer, or
what a proxy named in `GATEWAY_TRUSTED_PROXIES` says it forwarded for (uvicorn runs with `--no-proxy-headers`,
so no other forwarding claim is believed).

Every answer carries `RateLimit-Policy` and `RateLimit` as the current IETF draft has them
(draft-ietf-httpapi-ratelimit-headers-11: `"member-read";q=600;w=60` and `"member-read";r=599;t=60`), and beside
them the older drafts' `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (`gateway/answer_headers.py`);
a refusal is a 429 problem with `Retry-After`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string

from gateway.deps import client_of, gateway_caller
from shared.auth import Caller, Role
from shared.problems import problem

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    headers: dict[str, str]


class RateLimits:
    def __init__(self, limits: dict[str, dict[str, str]], redis_url: str | None, key_prefix: str) -> None:
        self.items: dict[tuple[str, str], RateLimitItem] = {
            (role, group): parse(value) for role, groups in limits.items() for group, value in groups.items()
        }
        unknown = {role for role, _ in self.items} - {r.value for r in Role}
        if unknown:
            raise ValueError(f"rate limits name unknown roles: {', '.join(sorted(unknown))}")
        uri = "async+redis://" + redis_url.split("://", 1)[1] if redis_url else "async+memory://"
        options = {"key_prefix": key_prefix} if redis_url else {}
        self.limiter = SlidingWindowCounterRateLimiter(storage_from_string(uri, **options))

    async def check(self, request: Request, caller: Caller) -> Verdict:
        group = "read" if request.method in READ_METHODS else "write"
        item = self.items.get((caller.role.value, group))
        if item is None:
            return Verdict(True, {})
        who = client_of(request, caller)
        allowed = await self.limiter.hit(item, caller.role.value, group, who)
        stats = await self.limiter.get_window_stats(item, caller.role.value, group, who)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        remaining = max(stats.remaining, 0)
        policy = f'"{caller.role.value}-{group}"'  # a Structured Fields string (RFC 8941 §3.3.3)
        headers = {
            # draft-ietf-httpapi-ratelimit-headers-11 §3: the policy (quota q per window of w seconds) and where
            # this caller stands in it (r left, t seconds until the window resets).
            "RateLimit-Policy": f"{policy};q={item.amount};w={item.get_expiry()}",
            "RateLimit": f"{policy};r={remaining};t={reset}",
            # The fields of draft 06 and before, which many clients still read.
            "RateLimit-Limit": str(item.amount), "RateLimit-Remaining": str(remaining), "RateLimit-Reset": str(reset),
        }
        return Verdict(allowed, headers)


def too_many(verdict: Verdict) -> Exception:
    retry_after = max(1, int(verdict.headers.get("RateLimit-Reset", "1")))
    return problem(429, "rate-limited", "Too many requests",
                   f"this caller's limit of {verdict.headers['RateLimit-Limit']} requests is used up; "
                   f"retry in {retry_after} s", headers={**verdict.headers, "Retry-After": str(retry_after)})


async def rate_limited(request: Request) -> None:
    """Counts this request against its caller's limit: once, although it runs both as a guard (before the body is
    read, `shared.auth.GuardedRoute`) and as a dependency. Raises 401 for credentials that are not valid, 429 when
    the limit is used up; the allowed request's `RateLimit-*` headers are kept in `request.state` for the answer."""
    if getattr(request.state, "rate_limit_headers", None) is not None:
        return
    caller = await gateway_caller(request)
    verdict = await request.app.state.rate_limits.check(request, caller)
    request.state.rate_limit_headers = verdict.headers
    if not verdict.allowed:
        raise too_many(verdict)


rate_limited.guard = rate_limited  # type: ignore[attr-defined]
