"""The one module that builds linkaudit's HTTP client, and the only one that reaches into httpx's internals.

Why an internal: httpx takes no network backend, and linkaudit needs one (`ResolvingBackend`: names are
resolved through linkaudit's own resolver, never the system's unless allowed) and a pool per origin
(`OriginPools`: httpcore's cost per request grows with the connections one pool holds). So the pool that
`httpx.AsyncHTTPTransport` builds is replaced by ours through its private `_pool` attribute (httpx is
pinned; tests/check/test_transport.py fails loudly if a version changes that attribute).
"""

from __future__ import annotations

import httpx

from linkaudit.check.pools import OriginPools
from linkaudit.check.resolve import Resolver, ResolvingBackend
from linkaudit.settings import CheckSettings

__all__ = ["build_client"]


def build_client(settings: CheckSettings, resolver: Resolver) -> httpx.AsyncClient:
    """An httpx client whose connections go through linkaudit's resolver (no system DNS unless allowed)."""
    limits = httpx.Limits(
        max_connections=settings.concurrency * 2, max_keepalive_connections=settings.concurrency
    )
    transport = httpx.AsyncHTTPTransport(verify=settings.verify_tls, trust_env=False, limits=limits)
    # httpx takes no network backend: the pool it builds is replaced by one that has ours, and that keeps a
    # small pool per origin (httpcore's cost per request grows with the connections one pool holds).
    transport._pool = OriginPools(
        ssl_context=httpx.create_ssl_context(verify=settings.verify_tls, trust_env=False),
        max_connections=limits.max_connections or settings.concurrency * 2,
        max_keepalive_connections=limits.max_keepalive_connections or settings.concurrency,
        keepalive_expiry=5.0,
        network_backend=ResolvingBackend(resolver),
    )
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(settings.timeout),
        follow_redirects=False,
        trust_env=False,
    )
