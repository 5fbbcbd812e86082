"""Fetching the web pages given as inputs (`linkaudit check https://…/page`): one level, politely.

A page is fetched the way the checker fetches links: a client from `build_client` (the run's resolver,
proxy and TLS trust), its User-Agent and headers, and a `HostGate` per host, so that pages of one site
are spaced like its links. Redirects are followed; transient failures are retried as a link's are. A
page that cannot be fetched is a `FileError` naming it, and the run goes on without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus

import httpx
import trio

from linkaudit.check import build_client
from linkaudit.check.gate import HostGate, parse_retry_after
from linkaudit.check.headers import HeaderPolicy
from linkaudit.check.probe import _RETRY_ERRORS as _TRANSIENT_ERRORS  # a page is retried as a link is
from linkaudit.check.probe import error_kind
from linkaudit.check.resolve import Resolver
from linkaudit.models import FileError
from linkaudit.settings import CheckSettings
from linkaudit.urls import normalize

__all__ = ["Page", "fetch_pages"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ACCEPT = "text/html,application/xhtml+xml,text/markdown;q=0.9,text/plain;q=0.8,*/*;q=0.5"
_TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched page: `address` as given, `final_address` where redirects led (its links' base)."""

    address: str
    final_address: str
    body: bytes
    content_type: str | None


class _PageError(Exception):
    """Why a page could not be had; `transient` ones are worth another try."""

    def __init__(self, message: str, *, transient: bool, wait: float | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.wait = wait


async def fetch_pages(
    addresses: Sequence[str], settings: CheckSettings, resolver: Resolver, *, max_size: int
) -> list[Page | FileError]:
    """Every page (or why it could not be fetched), in the order given; at most `max_size` bytes each."""
    fetched: dict[int, Page | FileError] = {}
    gates: dict[str, HostGate] = {}
    async with build_client(settings, resolver) as client, trio.open_nursery() as nursery:
        for index, address in enumerate(addresses):
            target = normalize(address)
            if not target.is_http:
                fetched[index] = FileError(address, f"not a web address ({target.reason or target.url})")
                continue
            gate = gates.get(target.host)
            if gate is None:
                gate = gates[target.host] = HostGate(
                    target.host,
                    settings.policy_for(target.host),
                    max_wait=settings.max_retry_wait,
                    backoff_base=settings.retry_base,
                )
            fetch = _Fetch(client, gate, settings, max_size)
            nursery.start_soon(fetch.into, fetched, index, address, target.url)
    return [fetched[index] for index in range(len(addresses))]


class _Fetch:
    """Fetching one page through its host's gate."""

    def __init__(
        self, client: httpx.AsyncClient, gate: HostGate, settings: CheckSettings, max_size: int
    ) -> None:
        self.client = client
        self.gate = gate
        self.settings = settings
        self.max_size = max_size

    async def into(self, fetched: dict[int, Page | FileError], index: int, address: str, url: str) -> None:
        """Fetch `url` (the normal form of `address`) into `fetched[index]`, retrying transient failures."""
        settings = self.settings
        tries = 0
        while True:
            try:
                fetched[index] = await self._once(address, url)
                return
            except _PageError as exc:
                if not exc.transient or tries >= settings.retries:
                    fetched[index] = FileError(address, f"cannot fetch the page: {exc}")
                    return
                delay = exc.wait if exc.wait is not None else settings.retry_base * 2**tries
                tries += 1
                await trio.sleep(min(delay, settings.max_retry_wait))

    async def _once(self, address: str, url: str) -> Page:
        settings = self.settings
        # Redirects are followed here, not by httpx: each hop's headers come from the run's header policy,
        # so a header meant for one host never travels to another (httpx keeps all but Authorization).
        chain = HeaderPolicy(settings).chain(url)
        current = url
        async with self.gate.slot():
            with trio.move_on_after(settings.timeout):
                try:
                    for _ in range(settings.max_redirects + 1):
                        headers = {**chain.headers_for(current), "Accept": _ACCEPT}
                        request = self.client.build_request("GET", current, headers=headers)
                        response = await self.client.send(request, stream=True)
                        location = response.headers.get("location")
                        if response.status_code in _REDIRECTS and location:
                            await response.aclose()
                            current = str(response.url.join(location))
                            continue
                        try:
                            return await self._read(address, response)
                        finally:
                            await response.aclose()
                    raise _PageError("too many redirects", transient=False)
                except httpx.InvalidURL as exc:  # a redirect to a URL no request can be made for
                    raise _PageError(f"bad redirect: {exc}", transient=False) from None
                except (httpx.HTTPError, OSError, ValueError) as exc:
                    kind, detail = error_kind(exc)
                    raise _PageError(detail, transient=kind in _TRANSIENT_ERRORS) from None
            raise _PageError(f"no complete answer within {settings.timeout:g} s", transient=True)

    async def _read(self, address: str, response: httpx.Response) -> Page:
        status = response.status_code
        if not 200 <= status < 300:
            try:
                answer = f"HTTP {status} {HTTPStatus(status).phrase}"
            except ValueError:
                answer = f"HTTP {status}"
            wait = parse_retry_after(response.headers.get("retry-after"))
            raise _PageError(answer, transient=status in _TRANSIENT_STATUSES, wait=wait)
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > self.max_size:
                limit = (
                    f"{self.max_size / 1e6:.0f} MB" if self.max_size >= 1e6 else f"{self.max_size:,} bytes"
                )
                too_large = f"page too large (over {limit}, see --max-file-size)"
                raise _PageError(too_large, transient=False)
        return Page(address, str(response.url), bytes(body), response.headers.get("content-type"))
