"""Name resolution owned by linkaudit: the seam between "which host" and "which address".

httpx hands every connection to an httpcore network backend; ours resolves the name first, through
curl-style overrides (`--resolve HOST:ADDR`), a cache (each name looked up once per run, failures
included) and only then the system resolver. Tests and `linkaudit demo` map every name they use to
loopback or to "name not found" here, so no DNS query ever leaves the machine. Every connection, redirect
hops and IP literals included, passes through `ResolvingBackend.connect_tcp`: that is where the
private-network guard (`linkaudit.check.guard`) judges the address about to be connected to.
"""

from __future__ import annotations

import errno
import ipaddress
import re
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import httpcore
import trio

from linkaudit.check.guard import AddressGuard

__all__ = [
    "NXDOMAIN",
    "BlockedAddress",
    "NameNotFound",
    "NameResolutionFailed",
    "Resolver",
    "ResolvingBackend",
    "literal_address",
    "parse_resolve",
]

#: The override value meaning "this name does not exist".
NXDOMAIN = "nxdomain"


class NameNotFound(httpcore.ConnectError):
    """The name does not exist (NXDOMAIN): a permanent fact about the host, never retried."""


class NameResolutionFailed(httpcore.ConnectError):
    """Looking the name up failed for another reason (resolver down, SERVFAIL): may be temporary."""


class BlockedAddress(httpcore.ConnectError):
    """The private-network guard refused the address: no connection was attempted."""

    def __init__(self, host: str, address: str, why: str) -> None:
        shown = address if host.strip("[]") == address else f"{host} ({address})"
        super().__init__(
            f"{shown}: {why} address, not connected (--allow-private-net or --allow-private allows it)"
        )
        self.address = address
        self.why = why


@dataclass(frozen=True, slots=True)
class _Override:
    address: str | None  # None: name not found
    port: int | None  # connect to this port instead of the URL's
    only_port: int | None  # curl's HOST:PORT:ADDR applies to one port only


# The IPv4 forms inet_aton (and so getaddrinfo, curl and browsers) accept besides dotted quads:
# 2130706433, 0x7f.1, 017700000001, 127.1. They are addresses, never names to look up.
_NUMERIC_V4 = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}\.?$", re.IGNORECASE)


def _numeric_ipv4(host: str) -> str | None:
    if not _NUMERIC_V4.match(host):
        return None
    try:
        return socket.inet_ntoa(socket.inet_aton(host.rstrip(".")))
    except OSError:
        return None


def literal_address(host: str) -> str | None:
    """The address a URL's host names by itself (an IP literal, bracketed or not, or a numeric IPv4 form
    such as 2130706433), or None for a name that must be looked up."""
    bare = host.strip("[]").rstrip(".")
    if _is_ip(bare):
        return bare
    return _numeric_ipv4(bare)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def parse_resolve(spec: str) -> tuple[str, str | None]:
    """Parse one `--resolve` value into (host pattern, target).

    Accepted: `HOST:ADDR`, `HOST:ADDR:PORT` (also redirect the port, as curl's --connect-to does),
    curl's `HOST:PORT:ADDR`, and `HOST:nxdomain`. HOST may be `*` or `*.example.org`. The target is
    returned as `ADDR`, `ADDR:PORT`, `PORT=ADDR` (port-restricted) or None (name not found).
    """
    host, sep, rest = spec.partition(":")
    host = host.strip().lower()
    if not sep or not host or not rest:
        raise ValueError(f"--resolve {spec!r}: expected HOST:ADDR (e.g. example.org:127.0.0.2)")
    if rest.lower() == NXDOMAIN:
        return host, None
    first, sep2, second = rest.partition(":")
    if sep2 and first.isdigit() and (_is_ip(second) or second.lower() == NXDOMAIN):
        if second.lower() == NXDOMAIN:
            return host, None
        return host, f"{int(first)}={second}"
    if rest.startswith("["):
        close = rest.find("]")
        addr, tail = rest[: close + 1], rest[close + 1 :]
        port = tail[1:] if tail.startswith(":") else ""
    elif rest.count(":") == 1:
        addr, port = first, second
    else:
        addr, port = rest, ""
    if not _is_ip(addr):
        raise ValueError(f"--resolve {spec!r}: {addr!r} is not an IP address (or 'nxdomain')")
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        raise ValueError(f"--resolve {spec!r}: bad port {port!r}")
    return host, f"{addr}:{port}" if port else addr


class Resolver:
    """Resolves host names once per run, with overrides checked first.

    `overrides` maps a host pattern (`name`, `*.suffix`, `*`) to an address (`ADDR`, `ADDR:PORT`,
    `PORT=ADDR`) or None for "name not found". `system=False` makes every other name "not found".
    """

    def __init__(self, overrides: Mapping[str, str | None] | None = None, *, system: bool = True) -> None:
        self._exact: dict[str, list[_Override]] = {}
        self._suffix: list[tuple[str, _Override]] = []
        self._default: list[_Override] = []
        self._system = system
        self._cache: dict[tuple[str, int], tuple[str, int] | BaseException] = {}
        self._pending: dict[tuple[str, int], trio.Event] = {}
        for pattern, value in (overrides or {}).items():
            self.add(pattern, value)

    def add(self, pattern: str, value: str | None) -> None:
        override = self._parse_value(value)
        pattern = pattern.lower().rstrip(".")
        if pattern == "*":
            self._default.append(override)
        elif pattern.startswith("*."):
            self._suffix.append((pattern[1:], override))
        else:
            self._exact.setdefault(pattern, []).append(override)

    @staticmethod
    def _parse_value(value: str | None) -> _Override:
        if value is None or value.lower() == NXDOMAIN:
            return _Override(None, None, None)
        if "=" in value:
            only, addr = value.split("=", 1)
            return _Override(addr.strip("[]"), None, int(only))
        if value.startswith("["):
            close = value.find("]")
            tail = value[close + 1 :]
            return _Override(value[1:close], int(tail[1:]) if tail.startswith(":") else None, None)
        if value.count(":") == 1:
            addr, port = value.split(":")
            return _Override(addr, int(port), None)
        return _Override(value, None, None)

    def _override(self, host: str, port: int) -> _Override | None:
        def pick(candidates: Iterable[_Override]) -> _Override | None:
            for candidate in candidates:
                if candidate.only_port is None or candidate.only_port == port:
                    return candidate
            return None

        found = pick(self._exact.get(host, ()))
        if found is not None:
            return found
        for suffix, override in self._suffix:
            if host.endswith(suffix) and pick([override]) is not None:
                return override
        return pick(self._default)

    async def resolve(self, host: str, port: int) -> tuple[str, int]:
        """(address, port) to connect to; raises NameNotFound / NameResolutionFailed."""
        host = host.lower().rstrip(".")
        bare = host.strip("[]")
        if _is_ip(bare):
            return bare, port
        numeric = _numeric_ipv4(host)
        if numeric is not None:
            return numeric, port
        override = self._override(host, port)
        if override is not None:
            if override.address is None:
                raise NameNotFound(f"name not found: {host}")
            return override.address, override.port if override.port is not None else port
        if not self._system:
            raise NameNotFound(f"name not found: {host} (system resolver disabled)")
        key = (host, port)
        while key in self._pending:
            await self._pending[key].wait()
        cached = self._cache.get(key)
        if cached is None:
            event = self._pending[key] = trio.Event()
            try:
                cached = await self._lookup(host, port)
            finally:
                del self._pending[key]
                event.set()
            self._cache[key] = cached
        if isinstance(cached, BaseException):
            raise cached
        return cached

    async def _lookup(self, host: str, port: int) -> tuple[str, int] | BaseException:
        try:
            infos = await trio.socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
                return NameNotFound(f"name not found: {host}")
            return NameResolutionFailed(f"cannot resolve {host}: {exc.strerror}")
        except OSError as exc:
            return NameResolutionFailed(
                f"cannot resolve {host}: {exc.strerror or errno.errorcode.get(exc.errno or 0)}"
            )
        for family, _, _, _, sockaddr in infos:
            if family == socket.AF_INET:
                return str(sockaddr[0]), port
        return str(infos[0][4][0]), port


class ResolvingBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that resolves through a `Resolver`, lets `guard` judge the address,
    then connects with `inner` (trio's sockets unless a test records connections instead)."""

    def __init__(
        self,
        resolver: Resolver,
        inner: httpcore.AsyncNetworkBackend | None = None,
        *,
        guard: AddressGuard | None = None,
    ) -> None:
        self.resolver = resolver
        self.guard = guard if guard is not None else AddressGuard()
        self._inner = inner or httpcore.TrioBackend()

    def trusted(self) -> ResolvingBackend:
        """The same resolver and sockets without the guard, for the proxies the user configured: they are
        commonly on loopback or the LAN, and the guard judges what articles and servers point at."""
        return ResolvingBackend(self.resolver, self._inner, guard=AddressGuard(deny_private=False))

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        address, real_port = await self.resolver.resolve(host, port)
        # The very address connected to is judged, so a lookup cannot answer one thing and connect another.
        why = self.guard.refusal(address)
        if why is not None:
            raise BlockedAddress(host, address, why)
        return await self._inner.connect_tcp(
            address, real_port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by linkaudit")

    async def sleep(self, seconds: float) -> None:
        await trio.sleep(seconds)
