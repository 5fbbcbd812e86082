"""Effective settings of a check run: one frozen object built by the CLI and read by every stage."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from linkaudit import __version__
from linkaudit.models import Verdict

__all__ = [
    "DEFAULT_ACCEPT_HEADER",
    "DEFAULT_USER_AGENT",
    "CheckSettings",
    "HeaderRule",
    "HostPolicy",
    "SettingsError",
]

PROJECT_URL = "https://github.com/linkaudit/linkaudit"
DEFAULT_USER_AGENT = f"linkaudit/{__version__} (+{PROJECT_URL})"
DEFAULT_ACCEPT_HEADER = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
)


class SettingsError(ValueError):
    """A bad option or configuration value; the message says which and why (exit 2)."""


@dataclass(frozen=True, slots=True)
class HostPolicy:
    """Politeness toward one host: requests in flight and the minimum gap between request starts."""

    concurrency: int = 4
    interval: float = 0.1


@dataclass(frozen=True, slots=True)
class HeaderRule:
    """An extra request header, for every host or (when `host` is set) for one host and its subdomains."""

    name: str
    value: str
    host: str | None = None

    def applies_to(self, host: str) -> bool:
        if self.host is None:
            return True
        bare = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return bare == self.host or bare.endswith("." + self.host)


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
    fail_on: frozenset[Verdict] = frozenset({Verdict.DEAD})
    check_local: bool = True
    verify_tls: bool = True
    fail_on_file_error: bool = True  # `--fail-on file-error`: an unreadable article fails the run too

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
        }
