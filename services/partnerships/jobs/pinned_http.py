"""An HTTP client transport that connects only to addresses that were checked, for webhook deliveries.

Checking a destination's addresses and then letting the HTTP client resolve the name again leaves a window (DNS
rebinding): the name may answer a public address to the check and 127.0.0.1 to the connection. Here the check's
addresses are pinned for the current task (`pinned_to`) and the transport's network backend connects to those
and nothing else; the URL, the Host header and TLS (SNI, the certificate's name) keep the name. A connection the
sender did not pin (another host: a redirect, were one ever followed) is refused.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator

import httpcore
import httpx

_pins: contextvars.ContextVar[dict[str, tuple[str, ...]] | None] = contextvars.ContextVar("webhook_pins",
                                                                                        default=None)


def connection_host(url: str) -> str:
    """The host as the transport is asked to connect to it: ASCII (IDNA), lower-case, IPv6 without brackets."""
    return httpx.URL(url).raw_host.decode("ascii").lower().strip("[]")


@contextlib.contextmanager
def pinned_to(url: str, addresses: Iterable[str]) -> Iterator[None]:
    """Within the block (this task only), a connection to `url`'s host goes to `addresses`, tried in order."""
    token = _pins.set({**(_pins.get() or {}), connection_host(url): tuple(addresses)})
    try:
        yield
    finally:
        _pins.reset(token)


class PinnedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,  # noqa: ASYNC109 (httpcore's)
                          local_address: str | None = None, socket_options: Iterable[object] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        addresses = (_pins.get() or {}).get(host.lower().strip("[]"))
        if not addresses:
            raise httpcore.ConnectError(f"{host} was not checked for this delivery: no connection")
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(address, port, timeout, local_address, socket_options)  # type: ignore[arg-type]
            except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(self, path: str, timeout: float | None = None,  # noqa: ASYNC109
                                  socket_options: Iterable[object] | None = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhook deliveries go over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (TLS, HTTP/1.1, pooling as usual) with the pinned network backend under it."""

    def __init__(self, limits: httpx.Limits = httpx.Limits()) -> None:
        super().__init__(trust_env=False, limits=limits)
        # The pool httpx built, again with our backend: httpx takes no backend of its own (its pool is `_pool`).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
            network_backend=PinnedBackend(),
        )
