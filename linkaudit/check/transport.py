"""The one module that builds linkaudit's HTTP client, and the only one that knows httpx and httpcore inside.

linkaudit needs two things httpx's own transport does not offer: a network backend of its own
(`ResolvingBackend`: names are resolved through linkaudit's resolver, never the system's unless allowed)
and a pool per origin (`OriginPools`: httpcore's cost per request grows with the connections one pool
holds). `PoolTransport` gets both through public API only: it is an `httpx.AsyncBaseTransport` (the
interface httpx documents for custom transports) driving our httpcore pool, as `httpx.AsyncHTTPTransport`
drives its own, and maps httpcore's exceptions to httpx's, most specific first, with the httpcore
exception kept as `__cause__` (`probe.error_kind` reads the chain). It replaced assigning our pool to
httpx's private `AsyncHTTPTransport._pool`, at the same CPU per request (benchmarks/README.md).

One internal is left, of httpcore, not httpx: whether bytes beyond a HEAD answer wait in its connection's
buffer (`bytes_after_head`). tests/check/test_transport.py fails by name if a version changes it.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

import httpcore
import httpx

from linkaudit.check.guard import AddressGuard
from linkaudit.check.location import take_location
from linkaudit.check.resolve import Resolver, ResolvingBackend
from linkaudit.settings import CheckSettings

__all__ = ["PoolTransport", "build_client", "bytes_after_head"]

# httpcore's exceptions and httpx's counterparts (the two trees are parallel): a class's first ancestor
# found here names the most specific httpx exception, as httpx's own transport chooses it.
_HTTPX_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.ProtocolError: httpx.ProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
}
# Where the httpcore stream of an answer is kept, for `bytes_after_head` (httpx passes extensions on).
_CORE_STREAM = "linkaudit.httpcore_stream"


def _as_httpx(exc: Exception) -> Exception:
    """The httpx exception for an httpcore one; anything else is returned as it is."""
    for cls in type(exc).__mro__:
        mapped = _HTTPX_ERRORS.get(cls)
        if mapped is not None:
            return mapped(str(exc))
    return exc


class _Chunks:
    """An answer's body chunks with httpcore's errors as httpx's. A class, not an async generator: a
    generator left unfinished (we read a bounded prefix on purpose) would be reported when collected."""

    __slots__ = ("_inner",)

    def __init__(self, inner: AsyncIterator[bytes]) -> None:
        self._inner = inner

    def __aiter__(self) -> _Chunks:
        return self

    async def __anext__(self) -> bytes:
        try:
            return await self._inner.__anext__()
        except Exception as exc:  # StopAsyncIteration and foreign errors come out as they are
            mapped = _as_httpx(exc)
            if mapped is exc:
                raise
            raise mapped from exc


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, core_stream: AsyncIterable[bytes]) -> None:
        self._core_stream = core_stream

    def __aiter__(self) -> AsyncIterator[bytes]:
        return _Chunks(self._core_stream.__aiter__())

    async def aclose(self) -> None:
        close = getattr(self._core_stream, "aclose", None)
        if close is not None:
            await close()


class PoolTransport(httpx.AsyncBaseTransport):
    """httpx's transport interface over an httpcore pool that we build (and so choose its backend)."""

    def __init__(self, pool: httpcore.AsyncConnectionPool) -> None:
        self.pool = pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            answer = await self.pool.handle_async_request(core_request)
        except Exception as exc:
            mapped = _as_httpx(exc)
            if mapped is exc:
                raise
            raise mapped from exc
        assert isinstance(answer.stream, AsyncIterable)
        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=_ResponseStream(answer.stream),
            extensions={**answer.extensions, _CORE_STREAM: answer.stream},
        )

    async def aclose(self) -> None:
        await self.pool.aclose()


def build_client(
    settings: CheckSettings,
    resolver: Resolver,
    network: httpcore.AsyncNetworkBackend | None = None,
    *,
    raw_location: bool = False,
) -> httpx.AsyncClient:
    """An httpx client whose connections go through linkaudit's resolver (no system DNS unless allowed) and
    its private-network guard, then `network` (trio's sockets by default; tests record instead).

    `raw_location`: for the prober, which follows redirects by hand and judges a hostile `Location` as
    data (see `check.location.take_location`); clients that let httpx follow redirects keep the header.
    """
    # Imported when a client is built: check.proxy uses probe.error_kind, and probe uses this module.
    from linkaudit.check.proxy import ProxyingPools, ProxyRoutes  # noqa: PLC0415
    from linkaudit.check.tls import tls_context  # noqa: PLC0415

    pool = ProxyingPools(
        routes=ProxyRoutes.of(settings),
        ssl_context=tls_context(settings),
        max_connections=settings.concurrency * 2,
        max_keepalive_connections=settings.concurrency,
        keepalive_expiry=5.0,
        network_backend=ResolvingBackend(
            resolver, network, guard=AddressGuard(settings.deny_private, settings.allow_private_nets)
        ),
    )
    return httpx.AsyncClient(
        transport=PoolTransport(pool),
        timeout=httpx.Timeout(settings.timeout),
        follow_redirects=False,
        trust_env=False,
        event_hooks={"response": [take_location]} if raw_location else None,
    )


def bytes_after_head(response: httpx.Response) -> bool:
    """Whether bytes beyond a HEAD response already sit in its connection's buffer: a server that sends a
    body to HEAD. The next request on that connection would read them as its response, so it is closed.

    This looks into httpcore's internals (pinned); should their shape change, the answer is True and the
    connection is closed, as it always was before connections were reused after HEAD.
    """
    node: object = response.extensions.get(_CORE_STREAM)
    for name in ("_stream", "_connection", "_h11_state"):
        node = getattr(node, name, None)
        if node is None:
            return True
    trailing = getattr(node, "trailing_data", None)
    return not (isinstance(trailing, tuple) and trailing[:1] == (b"",))
