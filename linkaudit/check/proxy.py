"""Proxies: which requests go through one (as curl decides), and the connection pools that send them.

Selection follows curl: `--proxy` for every URL, else `https_proxy` for https URLs and `http_proxy` for
http (each also in upper case; lower case first), else `all_proxy`; hosts that `--no-proxy` (else
`NO_PROXY`) lists are reached directly. A proxy URL without a scheme is http, without a port 1080, as
in curl. Only http and https proxies are supported.

Through a proxy the proxy resolves names: the target's name goes to it (an absolute-form request for
http, CONNECT for https), and only the proxy's own name goes through linkaudit's resolver, so
`--resolve` applies to direct connections. Each origin keeps its own small pool (`OriginPools`), whose
connections lead to the proxy.

Failures land where they belong. When the proxy could not reach the host (its 502 or 504, or a failed
CONNECT) that is the host's connection failure, counted by the host's gate toward a dead host. When the
proxy itself cannot be reached or refuses us, the error is `ErrorKind.PROXY_ERROR`, which says nothing
about the host; `require_reachable_proxies` turns an unreachable proxy into one error before the run
(exit 2), instead of every URL failing.
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import httpcore
import trio

from linkaudit.check.guard import AddressGuard
from linkaudit.check.pools import OriginPools
from linkaudit.check.probe import error_kind
from linkaudit.check.resolve import BlockedAddress, Resolver, ResolvingBackend, literal_address
from linkaudit.models import ErrorKind
from linkaudit.settings import CheckSettings, SettingsError

__all__ = [
    "GatewayFailed",
    "NoProxy",
    "Proxy",
    "ProxyFailed",
    "ProxyRoutes",
    "ProxyUnreachableError",
    "ProxyingPools",
    "no_proxy_from",
    "proxies_from",
    "require_reachable_proxies",
]

_SCHEME_VARIABLES = {"http": ("http_proxy", "HTTP_PROXY"), "https": ("https_proxy", "HTTPS_PROXY")}
_ALL_VARIABLES = ("all_proxy", "ALL_PROXY")
_NO_PROXY_VARIABLES = ("no_proxy", "NO_PROXY")
_DEFAULT_PORTS = {"http": 1080, "https": 443}  # curl's: a proxy named without a port listens on 1080
_URL_PORTS = {b"http": 80, b"https": 443}
# What a proxy answers when it could not reach the host (RFC 9110 §15.6.3, §15.6.5); for CONNECT, whose
# answer can only be the proxy's own, also the 500 and 503 that tinyproxy and Squid send for it.
_GATEWAY_STATUSES = frozenset({502, 504})
_CONNECT_GATEWAY_STATUSES = frozenset({500, 502, 503, 504})
# Connection attempts to a proxy that fail in a row before it is given up on for the rest of the run.
_PROXY_GIVE_UP_AFTER = 3


class ProxyUnreachableError(SettingsError):
    """A proxy the run needs cannot be reached: one error for the run, not a failure of every URL."""


class GatewayFailed(httpcore.ConnectError):
    """The proxy could not reach the target host: the host's connection failure, as if we had tried."""

    def __init__(self, message: str, kind: ErrorKind) -> None:
        super().__init__(message)
        self.error_kind = kind


class ProxyFailed(httpcore.ConnectError):
    """The proxy itself failed (unreachable, or it refused the request): nothing is known of the host."""

    error_kind = ErrorKind.PROXY_ERROR


@dataclass(frozen=True, slots=True)
class Proxy:
    """One proxy, parsed: `url` is normal (`scheme://[user:password@]host:port`), `shown` has no secret."""

    url: str
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, value: str, origin: str = "--proxy") -> Proxy:
        """Parse a proxy as curl reads one; `origin` (the option or variable) names it in errors."""
        text = value.strip()
        parts = urlsplit(text if "://" in text else f"http://{text}")
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            raise SettingsError(f"{origin} {value!r}: only http:// and https:// proxies are supported")
        try:
            port = parts.port
        except ValueError:
            raise SettingsError(f"{origin} {value!r}: bad port") from None
        host = (parts.hostname or "").rstrip(".")
        if not host or parts.path not in ("", "/") or parts.query or parts.fragment:
            raise SettingsError(f"{origin} {value!r}: expected [http://]HOST[:PORT]")
        port = port or _DEFAULT_PORTS[scheme]
        username = unquote(parts.username) if parts.username is not None else None
        password = unquote(parts.password or "") if username is not None else None
        netloc = f"[{host}]" if ":" in host else host
        userinfo = parts.netloc.rpartition("@")[0] + "@" if username is not None else ""
        return cls(f"{scheme}://{userinfo}{netloc}:{port}", scheme, host, port, username, password)

    @property
    def shown(self) -> str:
        """The proxy as messages and reports name it: credentials masked."""
        netloc = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{'***@' if self.username is not None else ''}{netloc}:{self.port}"

    def for_httpcore(self, ssl_context: ssl.SSLContext | None) -> httpcore.Proxy:
        netloc = f"[{self.host}]" if ":" in self.host else self.host
        auth = (self.username, self.password or "") if self.username is not None else None
        return httpcore.Proxy(
            url=f"{self.scheme}://{netloc}:{self.port}",
            auth=auth,
            # TLS to an https proxy is verified as TLS to any host; an http proxy must be given none.
            ssl_context=ssl_context if self.scheme == "https" else None,
        )


def _first(environ: Mapping[str, str], names: Iterable[str]) -> tuple[str, str] | None:
    for name in names:
        value = environ.get(name, "").strip()
        if value:
            return name, value
    return None


def proxies_from(environ: Mapping[str, str], *, proxy: str | None = None) -> dict[str, str]:
    """The proxy URL per URL scheme: `proxy` (`--proxy`; empty means none) for both, else the environment.

    Raises `SettingsError` naming the option or variable that holds a bad proxy.
    """
    if proxy is not None:
        if not proxy.strip():
            return {}
        url = Proxy.parse(proxy).url
        return {"http": url, "https": url}
    chosen: dict[str, str] = {}
    for scheme, names in _SCHEME_VARIABLES.items():
        found = _first(environ, names) or _first(environ, _ALL_VARIABLES)
        if found is not None:
            chosen[scheme] = Proxy.parse(found[1], found[0]).url
    return chosen


def no_proxy_from(environ: Mapping[str, str], *, no_proxy: str | None = None) -> str:
    """The hosts reached directly: `no_proxy` (`--no-proxy`) when given, else `NO_PROXY`."""
    if no_proxy is not None:
        return no_proxy
    found = _first(environ, _NO_PROXY_VARIABLES)
    return found[1] if found is not None else ""


class NoProxy:
    """curl's NO_PROXY: `*`, host names (each also matching its subdomains; a leading dot changes
    nothing), IP addresses and CIDR ranges, each optionally with `:PORT`; commas or spaces between them."""

    def __init__(self, spec: str) -> None:
        self.everything = False
        self._names: list[tuple[str, int | None]] = []
        self._networks: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, int | None]] = []
        for entry in spec.replace(",", " ").split():
            self._add(entry.lower())

    def _add(self, entry: str) -> None:
        if entry == "*":
            self.everything = True
            return
        port: int | None = None
        if entry.startswith("["):  # [v6]:port
            host, _, tail = entry[1:].partition("]")
            port = int(tail[1:]) if tail[1:].isdigit() else None
        elif entry.count(":") == 1:
            host, _, tail = entry.partition(":")
            port = int(tail) if tail.isdigit() else None
        else:
            host = entry
        try:
            self._networks.append((ipaddress.ip_network(host, strict=False), port))
        except ValueError:
            name = host.strip(".")
            if name:
                self._names.append((name, port))

    def exempts(self, host: str, port: int) -> bool:
        """Whether a request to `host` (as the URL names it) on `port` goes direct."""
        if self.everything:
            return True
        host = host.strip("[]").rstrip(".").lower()
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return any(
                (host == name or host.endswith("." + name)) and wanted in (None, port)
                for name, wanted in self._names
            )
        return any(address in network and wanted in (None, port) for network, wanted in self._networks)


class ProxyRoutes:
    """Which proxy, if any, carries the requests to an origin."""

    def __init__(self, proxies: Mapping[str, str], no_proxy: str = "") -> None:
        self._proxies = {scheme: Proxy.parse(url) for scheme, url in proxies.items()}
        self._no_proxy = NoProxy(no_proxy)

    @classmethod
    def of(cls, settings: CheckSettings) -> ProxyRoutes:
        return cls(settings.proxies, settings.no_proxy)

    def __bool__(self) -> bool:
        return bool(self._proxies)

    def proxy_for(self, scheme: str, host: str, port: int | None) -> Proxy | None:
        proxy = self._proxies.get(scheme)
        if proxy is None:
            return None
        if self._no_proxy.exempts(host, port or _URL_PORTS.get(scheme.encode(), 0)):
            return None
        return proxy

    def needed_by(self, urls: Iterable[str]) -> list[Proxy]:
        """The proxies that requests to these URLs go through, each once."""
        needed: dict[Proxy, None] = {}
        if not self._proxies:
            return []
        for origin in {_origin(url) for url in urls}:
            parts = urlsplit(origin)
            try:
                port = parts.port
            except ValueError:
                continue
            proxy = self.proxy_for(parts.scheme.lower(), parts.hostname or "", port)
            if proxy is not None:
                needed[proxy] = None
        return list(needed)


def _origin(url: str) -> str:
    """`scheme://host:port` of a URL: many URLs share one, and parsing each whole would cost more."""
    end = url.find("/", url.find("//") + 2)
    return url if end < 0 else url[:end]


class _ProxyBackend(httpcore.AsyncNetworkBackend):
    """Connections to one proxy (resolved by linkaudit's resolver): their failures are the proxy's."""

    def __init__(self, proxy: Proxy, inner: httpcore.AsyncNetworkBackend) -> None:
        self.proxy = proxy
        self._inner = inner
        self._failures = 0
        self._given_up: str | None = None

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if self._given_up is not None:
            raise ProxyFailed(self._given_up)
        try:
            stream = await self._inner.connect_tcp(
                host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
            )
        except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as exc:
            message = f"proxy {self.proxy.shown} unreachable: {_why(exc)}"
            self._failures += 1
            if self._failures >= _PROXY_GIVE_UP_AFTER:
                self._given_up = message
            raise ProxyFailed(message) from exc
        self._failures = 0
        return stream

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _why(exc: BaseException) -> str:
    """A connection failure in a few words."""
    if isinstance(exc, httpcore.ConnectTimeout | trio.TooSlowError):
        return "timed out"
    return error_kind(exc)[1]


class ProxyingPools(OriginPools):
    """`OriginPools` whose origins' pools lead through a proxy where `routes` says so."""

    def __init__(self, *, routes: ProxyRoutes, **options: Any) -> None:
        super().__init__(**options)
        self._routes = routes
        self._route_of: dict[tuple[bytes, bytes, int | None], Proxy | None] = {}
        self._proxy_backends: dict[Proxy, _ProxyBackend] = {}

    def _route(self, url: httpcore.URL) -> Proxy | None:
        key = (url.scheme, url.host, url.port)
        if key not in self._route_of:
            self._route_of[key] = self._routes.proxy_for(
                url.scheme.decode("ascii"), url.host.decode("ascii"), url.port
            )
        return self._route_of[key]

    def _proxy_for(
        self, url: httpcore.URL
    ) -> tuple[httpcore.Proxy | None, httpcore.AsyncNetworkBackend | None]:
        chosen = self._route(url)
        if chosen is None:
            return None, None
        backend = self._proxy_backends.get(chosen)
        if backend is None:
            inner = self._backend.trusted() if isinstance(self._backend, ResolvingBackend) else self._backend
            backend = self._proxy_backends[chosen] = _ProxyBackend(chosen, inner)
        return chosen.for_httpcore(self._ssl_context), backend

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        proxy = self._route(request.url)
        if proxy is None:
            return await super().handle_async_request(request)
        self._guard_target(request.url.host.decode("ascii"))
        target = f"{request.url.host.decode('ascii')}:{request.url.port or _URL_PORTS[request.url.scheme]}"
        try:
            response = await super().handle_async_request(request)
        except httpcore.ProxyError as exc:  # the proxy answered CONNECT with other than 2xx
            answer = str(exc)
            status = answer.split(" ", 1)[0]
            if status.isdigit() and int(status) in _CONNECT_GATEWAY_STATUSES:
                kind = ErrorKind.TIMEOUT if int(status) == 504 else ErrorKind.CONNECT_ERROR
                raise GatewayFailed(f"proxy could not reach {target}: {answer}", kind) from exc
            raise ProxyFailed(f"proxy {proxy.shown} refused CONNECT {target}: {answer}") from exc
        if request.url.scheme == b"http" and response.status in _GATEWAY_STATUSES:
            # Behind a proxy a 502/504 says that the proxy could not reach the host (an origin's own is
            # indistinguishable from it, and as much the host's failure).
            await response.aclose()
            kind = ErrorKind.TIMEOUT if response.status == 504 else ErrorKind.CONNECT_ERROR
            reason = response.extensions.get("reason_phrase", b"").decode("ascii", "replace")
            raise GatewayFailed(f"proxy could not reach {target}: {response.status} {reason}".rstrip(), kind)
        return response

    def _guard_target(self, host: str) -> None:
        """Through a proxy, the proxy resolves and connects: the guard cannot see the address a name gets.
        What it can see it judges before the request is handed on: an address in the URL itself, and the
        names that always mean this machine (`localhost`, RFC 6761)."""
        guard = getattr(self._backend, "guard", None)
        if not isinstance(guard, AddressGuard):
            return
        lowered = host.lower().rstrip(".")
        address = literal_address(lowered)
        if address is None and (lowered == "localhost" or lowered.endswith(".localhost")):
            address = "127.0.0.1"
        if address is None:
            return
        why = guard.refusal(address)
        if why is not None:
            raise BlockedAddress(host, address, why)


async def require_reachable_proxies(settings: CheckSettings, resolver: Resolver, urls: Iterable[str]) -> None:
    """Connect once to each proxy that requests to `urls` would go through; raise `ProxyUnreachableError`
    (one error for the run) for the first that cannot be reached."""
    backend = ResolvingBackend(resolver).trusted()
    for proxy in ProxyRoutes.of(settings).needed_by(urls):
        try:
            with trio.fail_after(min(settings.timeout, 10.0)):
                stream = await backend.connect_tcp(proxy.host, proxy.port)
        except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError, trio.TooSlowError) as exc:
            raise ProxyUnreachableError(
                f"cannot reach the proxy {proxy.shown}: {_why(exc)} "
                "(set by --proxy or HTTP_PROXY/HTTPS_PROXY/ALL_PROXY; hosts in --no-proxy/NO_PROXY go direct)"
            ) from None
        await stream.aclose()
