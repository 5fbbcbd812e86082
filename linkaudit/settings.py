"""Effective settings of a check run: one frozen object built by the CLI and read by every stage."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from linkaudit.defaults import DEFAULT_USER_AGENT
from linkaudit.models import Verdict

__all__ = [
    "BUDGET_PER_TIMEOUT",
    "DEFAULT_ACCEPT_HEADER",
    "DEFAULT_USER_AGENT",
    "CheckSettings",
    "HeaderRule",
    "HostPolicy",
    "SettingsError",
    "parse_network",
]

DEFAULT_ACCEPT_HEADER = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
)


#: A URL's default time budget, in multiples of the per-attempt deadline: a retry or two of a slow answer.
BUDGET_PER_TIMEOUT = 3


class SettingsError(ValueError):
    """A bad option or configuration value; the message says which and why (exit 2)."""


@dataclass(frozen=True, slots=True)
class HostPolicy:
    """Politeness toward one host: requests in flight and the minimum gap between request starts."""

    concurrency: int = 4
    interval: float = 0.1


_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# Visible ASCII, space and tab (RFC 9110 §5.5): anything else would be obeyed by the HTTP framing (CR, LF)
# or refused by it (NUL, other controls, non-ASCII), either way the request is not the one asked for.
_FIELD_VALUE = re.compile(r"^[\t\x20-\x7e]*$")
_HOST = re.compile(r"^(?:[a-z0-9_](?:[a-z0-9_.\-]*[a-z0-9_])?|\[[0-9a-f:.]+\])$")
# `HOST=Name: value`: a host (or bracketed IPv6 address), never a colon before the `=`.
_SCOPED = re.compile(r"^\s*(?P<host>\[[^\]=]*\]|[^\s=:/\[\]]+)(?P<port>:[0-9]+)?=(?P<rest>.*)$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class HeaderRule:
    """An extra request header, for every host or (when `host` is set) for one host and its subdomains.

    The value is a secret as far as linkaudit knows: it is never shown (reports and errors say `***`),
    and messages about a bad rule never repeat the value, nor a name that could hold part of it.
    """

    name: str
    value: str = field(repr=False)  # a settings object printed while debugging shows no secret
    host: str | None = None

    def __post_init__(self) -> None:
        if not _TOKEN.fullmatch(self.name):
            raise SettingsError(
                "a header name may hold only letters, digits and !#$%&'*+-.^_`|~ (the name is not shown here)"
            )
        if not _FIELD_VALUE.fullmatch(self.value):
            raise SettingsError(
                f"header {self.name}: the value holds a line break, NUL, another control character or "
                "non-ASCII text (the value is not shown here)"
            )
        if self.host is not None and not _HOST.fullmatch(self.host):
            raise SettingsError(f"header {self.name}: {self.host!r} is not a host name")

    @classmethod
    def parse(cls, spec: str) -> HeaderRule:
        """`Name: value` (every host) or `HOST=Name: value` (that host and its subdomains), as `--header`
        takes them. Raises SettingsError, whose message holds neither the value nor the spec."""
        scoped = _SCOPED.match(spec)
        host: str | None = None
        if scoped is not None:
            if scoped["port"] is not None:
                raise SettingsError("a per-host header names a host without a port (HOST=Name: value)")
            host, spec = _host_key(scoped["host"]), scoped["rest"]
        name, sep, value = spec.partition(":")
        if not sep or not name.strip():
            raise SettingsError("expected 'Name: value' or 'HOST=Name: value'")
        return cls(name=name.strip(), value=value.strip(" \t"), host=host)

    def applies_to(self, host: str) -> bool:
        if self.host is None:
            return True
        bare = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return bare == self.host or bare.endswith("." + self.host)


def _host_key(host: str) -> str:
    """A host as request URLs spell it: lower case, IDNA-encoded, no trailing dot."""
    host = host.strip().lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host  # refused by HeaderRule as not a host name


def parse_network(spec: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A network for `--allow-private-net`: `10.1.0.0/16`, `fd00::/8`, or one address (`127.0.0.2`)."""
    try:
        return ipaddress.ip_network(spec.strip().strip("[]"))
    except ValueError as exc:
        raise SettingsError(f"--allow-private-net {spec!r}: {exc}") from None


@dataclass(frozen=True, slots=True)
class CheckSettings:
    """Every knob of the checker, with the defaults users of link checkers expect."""

    concurrency: int = 64
    host: HostPolicy = field(default_factory=HostPolicy)
    host_overrides: dict[str, HostPolicy] = field(default_factory=dict)
    timeout: float = 20.0
    retries: int = 3
    retry_base: float = 1.0
    max_retry_wait: float = 60.0
    rate_limit_retries: int = 8
    max_redirects: int = 10
    max_body: int = 256 * 1024
    user_agent: str = DEFAULT_USER_AGENT
    accept_header: str = DEFAULT_ACCEPT_HEADER
    headers: tuple[HeaderRule, ...] = ()
    accept: frozenset[int] = frozenset()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    resolve: dict[str, str | None] = field(default_factory=dict)
    dead_host_after: int = 3
    fail_on: frozenset[Verdict] = frozenset({Verdict.DEAD, Verdict.SOFT_DEAD, Verdict.USURPED})
    check_local: bool = True
    verify_tls: bool = True
    fail_on_file_error: bool = True  # `--fail-on file-error`: an unreadable article fails the run too
    # The private-network guard (linkaudit.check.guard): on unless asked, with these networks exempt.
    deny_private: bool = True
    allow_private_nets: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    check_fragments: bool = False
    #: Proxy URL per URL scheme ("http", "https"), as `--proxy` or the environment set them (see check.proxy).
    proxies: dict[str, str] = field(default_factory=dict)
    #: Hosts reached directly, not through a proxy, in NO_PROXY's syntax.
    no_proxy: str = ""
    #: A PEM file of CA certificates trusted besides the default ones.
    ca_bundle: str | None = None
    #: Most seconds one URL may take, all tries and hops included (waiting for a polite host's turn is not
    #: counted). None: `BUDGET_PER_TIMEOUT` times `timeout`.
    url_budget: float | None = None
    #: Soft rot (`--soft/--no-soft`): pages are read with GET, and a random sibling per host and directory
    #: is asked for, so that soft-404s, redirects home and parked domains are told from live pages.
    soft: bool = True

    @property
    def budget(self) -> float:
        return self.url_budget if self.url_budget is not None else BUDGET_PER_TIMEOUT * self.timeout

    def policy_for(self, host: str) -> HostPolicy:
        bare = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return self.host_overrides.get(host) or self.host_overrides.get(bare) or self.host

    def is_excluded(self, url: str) -> bool:
        """`--include` wins over `--exclude`, as in lychee."""
        if any(re.search(pattern, url) for pattern in self.include):
            return False
        return any(re.search(pattern, url) for pattern in self.exclude)

    def as_dict(self) -> dict[str, object]:
        """The settings as reported in JSON (no secrets: header values are masked)."""
        return {
            "concurrency": self.concurrency,
            "host_concurrency": self.host.concurrency,
            "host_interval": self.host.interval,
            "host_overrides": {
                h: [p.concurrency, p.interval] for h, p in sorted(self.host_overrides.items())
            },
            "timeout": self.timeout,
            "retries": self.retries,
            "max_retry_wait": self.max_retry_wait,
            "max_redirects": self.max_redirects,
            "user_agent": self.user_agent,
            "headers": [f"{r.name}: ***" + (f" (for {r.host})" if r.host else "") for r in self.headers],
            "accept": sorted(self.accept),
            "include": list(self.include),
            "exclude": list(self.exclude),
            "fail_on": sorted([v.value for v in self.fail_on] + ["file-error"] * self.fail_on_file_error),
            "deny_private": self.deny_private,
            "allow_private_nets": [str(net) for net in self.allow_private_nets],
            "check_fragments": self.check_fragments,
            "insecure": not self.verify_tls,
            "ca_bundle": self.ca_bundle,
            "proxy": {scheme: _without_password(url) for scheme, url in sorted(self.proxies.items())},
            "no_proxy": self.no_proxy,
            "url_budget": self.budget,
            "soft": self.soft,
        }


def _without_password(url: str) -> str:
    """A proxy URL as reported: credentials masked."""
    scheme, sep, rest = url.rpartition("://")
    _, at, hostport = rest.rpartition("@")
    return f"{scheme}{sep}***@{hostport}" if at else url
