"""The httpx internal linkaudit's client relies on is still there, in the shape we replace.

If a version of httpx renames or retypes `AsyncHTTPTransport._pool`, this fails here, by name, instead
of every check silently using httpx's own pool (system DNS, one shared pool).
"""

from __future__ import annotations

import httpcore
import httpx

from linkaudit.check.pools import OriginPools
from linkaudit.check.resolve import Resolver
from linkaudit.check.transport import build_client
from linkaudit.settings import CheckSettings


def test_httpx_transport_keeps_its_pool_where_we_replace_it() -> None:
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    assert isinstance(transport._pool, httpcore.AsyncConnectionPool)


async def test_the_client_uses_our_pool_and_resolver() -> None:
    async with build_client(CheckSettings(), Resolver({"*": None}, system=False)) as client:
        transport = client._transport
        assert isinstance(transport, httpx.AsyncHTTPTransport)
        assert isinstance(transport._pool, OriginPools)
