"""One small connection pool per origin, so that the cost of a request does not grow with the hosts checked.

httpcore's connection pool looks through every connection it holds (and every waiting request) each time
it hands out a connection. A link checker keeps a few connections alive per host over hundreds of hosts,
so that scan grows with the run: at 50 hosts it cost more CPU than the rest of a probe. Here each origin
(scheme, host, port) gets its own httpcore pool, which holds only that host's few connections. Pools that
have not been used for the keep-alive expiry and hold no request are closed, so a run that moves on from
host to host does not keep their sockets open.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable

import httpcore
import trio

__all__ = ["OriginPools"]


class OriginPools(httpcore.AsyncConnectionPool):
    """An httpcore pool that hands each request to a pool of its own origin's (created on first use)."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext,
        max_connections: int,
        max_keepalive_connections: int,
        keepalive_expiry: float,
        network_backend: httpcore.AsyncNetworkBackend,
    ) -> None:
        super().__init__(ssl_context=ssl_context, network_backend=network_backend)
        self._ssl_context = ssl_context
        self._max_per_origin = max_connections
        self._keepalive_per_origin = max_keepalive_connections
        self._expiry = keepalive_expiry
        self._backend = network_backend
        self._pools: dict[tuple[bytes, bytes, int | None], httpcore.AsyncConnectionPool] = {}
        self._last_used: dict[tuple[bytes, bytes, int | None], float] = {}
        self._next_sweep = 0.0

    @property
    def pools(self) -> int:
        return len(self._pools)

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        key = (request.url.scheme, request.url.host, request.url.port)
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = self._new_pool(request.url)
        now = trio.current_time()
        self._last_used[key] = now
        if now >= self._next_sweep:
            self._next_sweep = now + self._expiry
            await self._sweep(now)
        return await pool.handle_async_request(request)

    def _new_pool(self, url: httpcore.URL) -> httpcore.AsyncConnectionPool:
        proxy, backend = self._proxy_for(url)
        return httpcore.AsyncConnectionPool(
            ssl_context=self._ssl_context,
            proxy=proxy,
            max_connections=self._max_per_origin,
            max_keepalive_connections=self._keepalive_per_origin,
            keepalive_expiry=self._expiry,
            http1=True,
            http2=False,
            network_backend=backend or self._backend,
        )

    def _proxy_for(
        self, url: httpcore.URL
    ) -> tuple[httpcore.Proxy | None, httpcore.AsyncNetworkBackend | None]:
        """The proxy a new origin's connections go through, and the backend that reaches it: none here
        (`linkaudit.check.proxy.ProxyingPools` says otherwise)."""
        return None, None

    async def _sweep(self, now: float) -> None:
        """Close the pools of origins unused for the keep-alive expiry whose connections are all idle."""
        stale = [
            key
            for key, used in self._last_used.items()
            if now - used > self._expiry and _quiet(self._pools[key].connections)
        ]
        # Detached before the first await: closing can take longer than the expiry, and a sweep that starts
        # meanwhile, or a request for the same origin (which gets a new pool), must not find them.
        closing = [self._pools.pop(key) for key in stale]
        for key in stale:
            del self._last_used[key]
        with trio.CancelScope(shield=True):  # a request's deadline must not leave a pool half closed
            for pool in closing:
                await pool.aclose()

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        self._last_used.clear()
        for pool in pools:
            await pool.aclose()
        await super().aclose()


def _quiet(connections: Iterable[httpcore.AsyncConnectionInterface]) -> bool:
    return all(connection.is_idle() or connection.is_closed() for connection in connections)
