"""Effective settings of a check run: one frozen object built by the CLI and read by every stage."""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from linkaudit.archive.recognize import is_archive_host
from linkaudit.defaults import DEFAULT_USER_AGENT
from linkaudit.models import Verdict

__all__ = [
    "ARCHIVE_HOST_POLICY",
    "BUDGET_PER_TIMEOUT",
    "DEFAULT_ACCEPT_HEADER",
    "DEFAULT_USER_AGENT",
    "CheckSettings",
    "HeaderRule",
    "HostPolicy",
    "HostRule",
    "SettingsError",
    "ValueProblem",
    "host_key",
    "out_of_range",
    "parse_network",
    "parse_statuses",
]

DEFAULT_ACCEPT_HEADER = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
)


#: A URL's default time budget, in multiples of the per-attempt deadline: a retry or two of a slow answer.
BUDGET_PER_TIMEOUT = 3


class SettingsError(ValueError):
    """A bad option or configuration value; the message says which and why (exit 2)."""


class ValueProblem(SettingsError):
    """A value an option or configuration key cannot take: what was `expected` (words) and the offending
    `value` (or part of it; None: the whole value as given). `secret`: never show the value (a header's).
    The caller names where the value came from."""

    def __init__(self, expected: str, value: str | None = None, *, secret: bool = False) -> None:
        super().__init__(f"expected {expected}" if value is None else f"{value!r}: expected {expected}")
        self.expected = expected
        self.value = value
        self.secret = secret


@dataclass(frozen=True, slots=True)
class HostPolicy:
    """Politeness toward one host: requests in flight and the minimum gap between request starts."""

    concurrency: int = 4
    interval: float = 0.1


#: Web archives are one shared service that asks for 1 request in flight, ≥ 1 s apart (the Wayback
#: Machine rate-limits harder, archive.today blocks): cited copies are checked at the lookups' pace.
ARCHIVE_HOST_POLICY = HostPolicy(concurrency=1, interval=1.0)


@dataclass(frozen=True, slots=True)
class HostRule:
    """Rules for one host and its subdomains, from a configuration file's `[hosts."name"]` table.

    None (or no statuses) leaves the run's own setting. `method`: "GET" sends only GETs (for hosts that
    answer HEAD wrongly); "HEAD" trusts a HEAD answer as final (no GET after an error status or to see
    whether an image is one), except where the page itself is needed (`--check-fragments`).
    """

    concurrency: int | None = None
    interval: float | None = None
    accept: frozenset[int] = frozenset()
    method: str | None = None
    timeout: float | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "concurrency": self.concurrency,
            "interval": self.interval,
            "accept": sorted(self.accept),
            "method": self.method,
            "timeout": self.timeout,
        }


_NO_RULE = HostRule()


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


def host_key(host: str) -> str:
    """A host as request URLs spell it: lower case, IDNA-encoded, no trailing dot."""
    return _host_key(host)


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


def parse_statuses(values: Iterable[str]) -> frozenset[int]:
    """Statuses as `--accept` takes them: `403`, `400-499` (or `400..499`), comma-separated or one per value.

    Raises ValueProblem saying what was expected, with the offending part."""
    codes: set[int] = set()
    for value in values:
        for raw in value.split(","):
            part = raw.strip()
            if not part:
                continue
            low, sep, high = part.partition("-") if "-" in part else part.partition("..")
            try:
                first, last = int(low), int(high) if sep else int(low)
            except ValueError:
                raise ValueProblem("a status like 403 or a range like 400-499", part) from None
            if not (100 <= first <= last <= 999):
                raise ValueProblem("statuses within 100-999", part)
            codes.update(range(first, last + 1))
    return frozenset(codes)


def out_of_range(value: float, minimum: float, *, above: bool = False, what: str) -> str | None:
    """None when `value` is finite and >= (> if `above`) `minimum`; else what it must be, in words."""
    if math.isfinite(value) and (value > minimum if above else value >= minimum):
        return None
    return f"{what} {'>' if above else '>='} {minimum:g}"


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
    #: Per-host rules from a configuration file, by host name: each applies to its host and subdomains.
    host_rules: Mapping[str, HostRule] = field(default_factory=dict)
    #: Why an `exclude` pattern is there (a configuration file's reason), as a skipped URL's detail says it.
    exclude_notes: Mapping[str, str] = field(default_factory=dict)
    #: The configuration file the run used, as messages name it (None: none).
    config_file: str | None = None

    #: Soft rot (`--soft/--no-soft`): pages are read with GET, and a random sibling per host and directory
    #: is asked for, so that soft-404s, redirects home and parked domains are told from live pages.
    soft: bool = True

    @property
    def budget(self) -> float:
        return self.url_budget if self.url_budget is not None else BUDGET_PER_TIMEOUT * self.timeout

    def budget_for(self, host: str) -> float:
        """A URL's time budget: `--url-budget`, else a few times its host's deadline per attempt."""
        return self.url_budget if self.url_budget is not None else BUDGET_PER_TIMEOUT * self.timeout_for(host)

    def policy_for(self, host: str, *, floor: HostPolicy | None = None) -> HostPolicy:
        """Politeness toward `host`: `--host-concurrency`/`--host-interval HOST=N` for it, else its
        configuration table's (for it or a parent domain), else the run's, made at least as gentle as
        `floor` — for a web archive's host (cited copies on web.archive.org, archive.today, …)
        `ARCHIVE_HOST_POLICY`, the pace of its lookups."""
        bare = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        exact = self.host_overrides.get(host) or self.host_overrides.get(bare)
        if exact is not None:
            return exact
        rule = self.rule_for(host)
        run = self.host
        if floor is None and is_archive_host(bare.lower()):
            floor = ARCHIVE_HOST_POLICY
        if floor is not None:  # at that pace, or the run's where that is gentler
            run = HostPolicy(
                concurrency=min(run.concurrency, floor.concurrency),
                interval=max(run.interval, floor.interval),
            )
        if rule.concurrency is None and rule.interval is None:
            return run
        return HostPolicy(
            concurrency=rule.concurrency if rule.concurrency is not None else run.concurrency,
            interval=rule.interval if rule.interval is not None else run.interval,
        )

    def rule_for(self, host: str) -> HostRule:
        """The configuration's rule for `host` (with or without its port): its own table, else its nearest
        parent domain's."""
        if not self.host_rules:
            return _NO_RULE
        bare = (host.rsplit(":", 1)[0] if not host.endswith("]") else host).lower().rstrip(".")
        if bare.startswith("["):
            return self.host_rules.get(bare, _NO_RULE)
        name = bare
        while True:
            rule = self.host_rules.get(name)
            if rule is not None:
                return rule
            _, dot, name = name.partition(".")
            if not dot:
                return _NO_RULE

    def timeout_for(self, host: str) -> float:
        """The deadline per attempt for a request to `host`."""
        timeout = self.rule_for(host).timeout
        return timeout if timeout is not None else self.timeout

    def method_for(self, host: str) -> str | None:
        """The request method the configuration sets for `host` ("GET", "HEAD"), or None: HEAD, then GET."""
        return self.rule_for(host).method

    def accept_for(self, *urls: str | None) -> frozenset[int]:
        """Statuses counted live for a URL that was requested at, or answered from, these URLs' hosts."""
        if not self.host_rules:
            return self.accept
        accept = self.accept
        for url in urls:
            if url:
                extra = self.rule_for(_url_host(url)).accept
                if extra:
                    accept = accept | extra
        return accept

    def is_excluded(self, url: str) -> bool:
        """`--include` wins over `--exclude`, as in lychee."""
        return self.excluded_by(url) is not None

    def excluded_by(self, url: str) -> str | None:
        """The `exclude` pattern that skips `url`, or None (none matches, or an `include` does)."""
        if any(re.search(pattern, url) for pattern in self.include):
            return None
        return next((pattern for pattern in self.exclude if re.search(pattern, url)), None)

    def exclusion_detail(self, pattern: str) -> str:
        """A skipped URL's detail: which exclude skipped it, and why."""
        return self.exclude_notes.get(pattern) or f"exclude {pattern!r}"

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
            "config": self.config_file,
            "hosts": {host: rule.as_dict() for host, rule in sorted(self.host_rules.items())},
            "exclude_notes": dict(sorted(self.exclude_notes.items())),
            "soft": self.soft,
        }


def _url_host(url: str) -> str:
    rest = url.split("://", 1)[-1]
    for stop in "/?#":
        rest = rest.split(stop, 1)[0]
    return rest.rsplit("@", 1)[-1].lower()


def _without_password(url: str) -> str:
    """A proxy URL as reported: credentials masked."""
    scheme, sep, rest = url.rpartition("://")
    _, at, hostport = rest.rpartition("@")
    return f"{scheme}{sep}***@{hostport}" if at else url
