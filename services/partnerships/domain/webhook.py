"""Webhooks: a partner's subscriptions to the events that concern it, and the rules of their delivery.

Plain Python, no I/O: which events concern which partner, which event types a subscription takes, what a
destination URL may be (no loopback, private or link-local address unless an allowlist names it), how a
delivery is signed, and when a failing one is retried or given up. `usecases/webhooks.py` (subscriptions, the
delivery log, queueing) and `jobs/webhooks.py` (the delivery job) do the I/O.
"""

from __future__ import annotations

import base64
import datetime as dt
import difflib
import enum
import hashlib
import hmac
import ipaddress
import random
import re
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from shared.contracts.catalog import TOPICS, event_classes
from shared.domain import Aggregate, RuleViolated
from shared.ids import new_id

# An event type (`training.enrollment.completed`), a prefix of types (`training.*`, `training.enrollment.*`), or
# every event that concerns the partner (`*`).
EVENT_TYPE_PATTERN = r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$"
_EVENT_TYPE = re.compile(EVENT_TYPE_PATTERN)
# Every type the suite publishes on its public topics (the contracts of `<service>.events`, as the catalog lists
# them): what a subscription may name. The private notification requests are not among them.
PUBLISHED_TYPES = frozenset(c.event_type for topic in TOPICS for c in event_classes(topic))

# The setting that names the hosts deliveries may go to although they are not public (said in refusals).
ALLOWLIST_SETTING = "PARTNERSHIPS_WEBHOOK_ALLOWED_HOSTS"

SECRET_PREFIX = "whsec_"  # noqa: S105  (a prefix, not a secret)


# --- which events concern a partner -------------------------------------------------------------------------


def _uuid(value: Any) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def concerned_partners(event_type: str, data: Mapping[str, Any]) -> set[uuid.UUID]:
    """The partners an event concerns, from its data: `partner_ids` (agreements, outreach events they co-host,
    works their authors wrote), `partner_id` (their staff's enrollments and certificates), a loan's host and a
    project's lead partner, and for `partnerships.partner.*` the partner itself. What cannot be read as a
    partner id concerns nobody: a webhook never refuses an event another consumer may still apply."""
    found: list[Any] = []
    ids = data.get("partner_ids")
    if isinstance(ids, list):
        found += ids
    found += [data.get(k) for k in ("partner_id", "host_partner_id", "lead_partner_id")]
    if event_type.startswith("partnerships.partner."):
        found.append(data.get("id"))
    return {p for p in map(_uuid, found) if p is not None}


def takes(event_types: Iterable[str], event_type: str) -> bool:
    """Whether a subscription to `event_types` takes an event of `event_type`."""
    for pattern in event_types:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def normalized_event_types(requested: Iterable[str]) -> list[str]:
    """The types a subscription asks for, each once, in the order given. Raises RuleViolated (422, pointing at the
    entry) for one that is not a type, a prefix or `*`, and for a type or prefix that no published event has: a
    subscription that could never receive anything is a mistake its owner wants to hear of (`partnership.*`)."""
    out: list[str] = []
    for i, t in enumerate(requested):
        if not _EVENT_TYPE.fullmatch(t):
            raise RuleViolated(f"{t!r} is not an event type, a prefix such as 'training.*', or '*'",
                               ("body", "event_types", i))
        prefix = t[:-1] if t.endswith(".*") else None
        if t != "*" and not (any(k.startswith(prefix) for k in PUBLISHED_TYPES) if prefix else t in PUBLISHED_TYPES):
            near = difflib.get_close_matches(t, sorted(PUBLISHED_TYPES | _PREFIXES), n=1, cutoff=0.8)
            raise RuleViolated(f"no event of type {t!r} is published" + (f"; did you mean {near[0]!r}?" if near
                                                                          else ""), ("body", "event_types", i),
                               "unknown_event_type")
        if t not in out:
            out.append(t)
    return out


_PREFIXES = frozenset(f"{t.rsplit('.', n)[0]}.*" for t in PUBLISHED_TYPES for n in (1, 2))


# --- where deliveries may go ----------------------------------------------------------------------------------

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Destination:
    url: str
    scheme: str
    host: str  # lower-case, an IPv6 literal without brackets
    port: int

    @classmethod
    def parse(cls, url: str, allowlist: frozenset[str]) -> Destination:
        """The URL's parts, or RuleViolated: https (plain http only to an allowlisted host), a host, no
        credentials."""
        loc = ("body", "url")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise RuleViolated(f"not a URL: {exc}", loc) from exc
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower()
        if scheme not in ("https", "http") or not host:
            raise RuleViolated("the URL must be https://host/...", loc)
        if scheme == "http" and host not in allowlist:
            raise RuleViolated(f"the URL must use https (plain http only to a host the operator allows in "
                               f"{ALLOWLIST_SETTING}, such as 127.0.0.1 for trying webhooks locally)", loc)
        if parts.username is not None or parts.password is not None:
            raise RuleViolated("the URL must not carry credentials: deliveries are signed instead", loc)
        return cls(url=url, scheme=scheme, host=host, port=port or (443 if scheme == "https" else 80))

    def literal_address(self) -> Address | None:
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None

    def refusal(self, addresses: Iterable[str], allowlist: frozenset[str]) -> str | None:
        """Why deliveries may not go to the host at these (resolved) addresses, or None if they may. A host
        the allowlist names may resolve to anything; otherwise every address must be a public one (or be
        named by the allowlist itself)."""
        if self.host in allowlist:
            return None
        addresses = list(addresses)
        if not addresses:
            return (f"{self.host} does not resolve to any address (for a receiver on this machine, use 127.0.0.1 "
                    f"and allow it in {ALLOWLIST_SETTING})")
        for text in addresses:
            if text in allowlist:
                continue
            kind = non_public_kind(ipaddress.ip_address(text.split("%", 1)[0]))
            if kind is not None:
                where = "is" if text == self.host else f"resolves to {text}, which is"
                return (f"{self.host} {where} not public: {kind}; deliveries go to public addresses only, and to "
                        f"the hosts the operator allows in {ALLOWLIST_SETTING}")
        return None


# Blocks no delivery may go to, from the IANA special-purpose address registries (RFC 6890 and its updates;
# iana.org/assignments/iana-ipv4-special-registry, iana-ipv6-special-registry): every block that is not globally
# reachable, with the name a refusal gives it. Kept here rather than taken from `ipaddress.is_global`, whose
# tables differ by Python version (3.11 calls 192.0.0.8 and 6to4 global).
_IPV4_BLOCKS = tuple((ipaddress.ip_network(net), kind) for net, kind in (
    ("0.0.0.0/8", "unspecified"), ("10.0.0.0/8", "private"), ("100.64.0.0/10", "shared (carrier-grade NAT)"),
    ("127.0.0.0/8", "loopback"), ("169.254.0.0/16", "link-local"), ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "IETF protocol"), ("192.0.2.0/24", "documentation"), ("192.88.99.0/24", "6to4 relay"),
    ("192.168.0.0/16", "private"), ("198.18.0.0/15", "benchmarking"), ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"), ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved"),
))
_IPV6_BLOCKS = tuple((ipaddress.ip_network(net), kind) for net, kind in (
    ("64:ff9b:1::/48", "local NAT64"), ("100::/64", "discard-only"), ("2001::/23", "IETF protocol"),
    ("2001:db8::/32", "documentation"), ("3fff::/20", "documentation"), ("5f00::/16", "segment routing"),
    ("fc00::/7", "private"), ("fe80::/10", "link-local"), ("fec0::/10", "site-local"), ("ff00::/8", "multicast"),
))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits are the IPv4 address it reaches
_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")


def non_public_kind(address: Address) -> str | None:
    """What makes an address unfit for deliveries, or None if it is public: a block of the IANA special-purpose
    registries that is not globally reachable (loopback, private, link-local, documentation, ...), or an IPv6
    address that embeds or reaches an IPv4 one that is (IPv4-mapped, 6to4 RFC 3056, Teredo RFC 4380, NAT64
    RFC 6052: `2002:7f00:1::` reaches 127.0.0.1), or one outside global unicast (`::1`, `::`, `::127.0.0.1`)."""
    if isinstance(address, ipaddress.IPv4Address):
        return next((kind for net, kind in _IPV4_BLOCKS if address in net), None)
    embedded = address.ipv4_mapped or address.sixtofour or (
        ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in _NAT64 else None)
    if embedded is not None:
        kind = non_public_kind(embedded)
        return None if kind is None else f"{kind} (it reaches {embedded})"
    if address.teredo is not None:
        server, client = address.teredo
        kinds = [k for k in map(non_public_kind, (server, client)) if k]
        if kinds:
            return f"{kinds[0]} (a Teredo address, it reaches {client})"
    if address.is_loopback:
        return "loopback"
    if (kind := next((kind for net, kind in _IPV6_BLOCKS if address in net), None)) is not None:
        return kind
    return None if address in _GLOBAL_UNICAST else "reserved"


# --- signing --------------------------------------------------------------------------------------------------


def new_secret() -> str:
    """`whsec_` and 32 random bytes in base64: the secret format of Standard Webhooks, which its libraries read."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signing_key(secret: str) -> bytes:
    """The HMAC key a secret stands for: its base64 after `whsec_` (Standard Webhooks). A secret issued before
    deliveries followed the standard is URL-safe base64; it is read as such, so it still signs."""
    text = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header of Standard Webhooks (standardwebhooks.com, "Verifying webhooks"):
    `v1,<base64 of HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>" under the signing key>`."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(signing_key(secret), signed, hashlib.sha256).digest()).decode()


# --- retrying -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    initial_seconds: float
    max_seconds: float
    give_up_seconds: float

    def delay(self, attempts: int, rng: random.Random | None = None) -> dt.timedelta:
        """Wait after the `attempts`-th failed attempt: exponential backoff with full jitter, never less than
        the initial delay and never more than the maximum."""
        ceiling = min(self.max_seconds, self.initial_seconds * 2 ** min(max(attempts - 1, 0), 60))
        low = min(self.initial_seconds, ceiling)
        return dt.timedelta(seconds=(rng or random).uniform(low, ceiling))

    def gives_up(self, failing_since: dt.datetime, now: dt.datetime) -> bool:
        return now - failing_since >= dt.timedelta(seconds=self.give_up_seconds)


# --- a subscription -------------------------------------------------------------------------------------------


class SubscriptionState(enum.StrEnum):
    active = "active"
    disabled = "disabled"


class DeliveryState(enum.StrEnum):
    pending = "pending"
    delivered = "delivered"
    failed = "failed"  # given up; a replay queues it again
    notice = "notice"  # an entry of the log that is not an event (the subscription was disabled)


class LogEntryKind(enum.StrEnum):
    event = "event"
    subscription_disabled = "subscription_disabled"


@dataclass(eq=False, kw_only=True)
class Subscription(Aggregate):
    """A partner's subscription: where its events go, which types, and the secret that signs them."""

    id: uuid.UUID
    partner_id: uuid.UUID
    url: str
    event_types: list[str]
    secret: str
    description: str | None
    state: SubscriptionState
    disabled_reason: str | None
    disabled_at: dt.datetime | None
    failing_since: dt.datetime | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def create(cls, *, partner_id: uuid.UUID, url: str, event_types: list[str], description: str | None,
               now: dt.datetime) -> Subscription:
        return cls(
            id=new_id(), partner_id=partner_id, url=url, event_types=normalized_event_types(event_types),
            secret=new_secret(), description=description, state=SubscriptionState.active, disabled_reason=None,
            disabled_at=None, failing_since=None, version=1, created_at=now, updated_at=now,
        )

    @property
    def active(self) -> bool:
        return self.state is SubscriptionState.active

    def update(self, changes: dict[str, Any], now: dt.datetime) -> list[str]:
        """Apply `url`, `event_types`, `description` and `active`; answer what changed (no change, no version).
        Re-enabling a disabled subscription starts its failure clock afresh."""
        if "event_types" in changes:
            changes = {**changes, "event_types": normalized_event_types(changes["event_types"])}
        changed = []
        for name in ("url", "event_types", "description"):
            if name in changes and getattr(self, name) != changes[name]:
                setattr(self, name, changes[name])
                changed.append(name)
        if "active" in changes and changes["active"] != self.active:
            if changes["active"]:
                self.state, self.disabled_reason, self.disabled_at = SubscriptionState.active, None, None
                self.failing_since = None
            else:
                self.disable("disabled by request", now)
            changed.append("active")
        if changed:
            self.touch(now)
        return changed

    def disable(self, reason: str, now: dt.datetime) -> None:
        self.state, self.disabled_reason, self.disabled_at = SubscriptionState.disabled, reason, now
