"""Which headers each request of a redirect chain carries, and keeping their values out of every output.

The user's `--header` values are credentials more often than not, and the servers a chain of redirects
leads to are chosen by whoever wrote the article or runs the server. So, along one chain:

- a per-host header (`HOST=Name: value`) goes only to that host and its subdomains, and never once the
  chain has gone from https to http, even on the same host: the value would cross the network in clear;
- a global `Authorization`, `Cookie` or `Proxy-Authorization` header goes only to the scheme, host and port
  the chain started at, as curl does (since 7.83: a change of port or scheme counts too);
- other global headers go everywhere, as asked.

Trust only ever decreases along a chain: after a downgrade to http, credentials are not sent again even if
a later hop returns to https. Header values never reach a report, a log or an error message: whatever a
server sends back is `redact`ed before it becomes evidence.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, urlsplit

from linkaudit.models import Evidence, Hop
from linkaudit.settings import CheckSettings, HeaderRule

__all__ = ["CREDENTIAL_HEADERS", "REDACTED", "HeaderChain", "HeaderPolicy", "Redactor"]

#: Global headers that carry credentials: dropped when a redirect leaves the chain's first origin.
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
REDACTED = "***"
# A value shorter than this is not treated as a secret in what servers send back ("1", "en", "yes" would
# otherwise be starred all over a report); the parts of a value (the token after `Bearer`, a cookie's
# value) are starred from this length on.
_MIN_SECRET = 4
_MIN_SECRET_PART = 8
_PARTS = re.compile(r"[\s,;=]+")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port if port is not None else _DEFAULT_PORTS.get(scheme)


def _host(url: str) -> str:
    """The host as `HeaderRule.applies_to` takes it: lower case, an IPv6 address in brackets."""
    host = (urlsplit(url).hostname or "").lower()
    return f"[{host}]" if ":" in host else host


class HeaderPolicy:
    """The headers of one run: linkaudit's own, then the user's global ones, then per-host ones (the more
    specific wins; names compare case-insensitively)."""

    def __init__(self, settings: CheckSettings) -> None:
        self.base = {
            "User-Agent": settings.user_agent,
            "Accept": settings.accept_header,
            "Accept-Encoding": "gzip, deflate",
            "Accept-Language": "en,zh;q=0.8,*;q=0.5",
        }
        self.rules = tuple(sorted(settings.headers, key=lambda rule: rule.host is not None))

    def chain(self, url: str) -> HeaderChain:
        """The headers for a chain of requests that starts at `url` and follows its redirects."""
        return HeaderChain(self, url)


class HeaderChain:
    """One redirect chain: call `headers_for` with each URL in the order they are requested."""

    def __init__(self, policy: HeaderPolicy, first_url: str) -> None:
        self.policy = policy
        self.origin = _origin(first_url)
        self.seen_https = False
        self.downgraded = False

    def headers_for(self, url: str) -> dict[str, str]:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "https":
            self.seen_https = True
        elif self.seen_https:
            self.downgraded = True
        same_origin = _origin(url) == self.origin
        host = _host(url)
        headers = dict(self.policy.base)
        for rule in self.policy.rules:
            if self._sends(rule, host, same_origin):
                for existing in [key for key in headers if key.lower() == rule.name.lower()]:
                    del headers[existing]
                headers[rule.name] = rule.value
        return headers

    def _sends(self, rule: HeaderRule, host: str, same_origin: bool) -> bool:
        if rule.host is not None:
            return rule.applies_to(host) and not self.downgraded
        if rule.name.lower() in CREDENTIAL_HEADERS:
            return same_origin and not self.downgraded
        return True


class Redactor:
    """Replaces the user's header values (and their long parts, also percent-encoded) with `***`."""

    def __init__(self, values: Iterable[str]) -> None:
        secrets: set[str] = set()
        for value in values:
            pieces = [value] if len(value) >= _MIN_SECRET else []
            pieces += [part for part in _PARTS.split(value) if len(part) >= _MIN_SECRET_PART]
            for piece in pieces:
                secrets.update({piece, quote(piece, safe=""), quote_plus(piece, safe="")})
        # Longest first, so a value is starred whole rather than around a part of it.
        ordered = sorted(secrets, key=lambda secret: (-len(secret), secret))
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    @classmethod
    def for_settings(cls, settings: CheckSettings) -> Redactor:
        return cls(rule.value for rule in settings.headers)

    def __bool__(self) -> bool:
        return self._pattern is not None

    def text(self, value: str) -> str:
        if self._pattern is None:
            return value
        return self._pattern.sub(REDACTED, value)

    def optional(self, value: str | None) -> str | None:
        return None if value is None else self.text(value)

    def evidence(self, evidence: Evidence) -> Evidence:
        """`evidence` with every string a server could have put a secret into redacted."""
        if self._pattern is None:
            return evidence
        return dataclasses.replace(
            evidence,
            detail=self.optional(evidence.detail),
            final_url=self.optional(evidence.final_url),
            redirects=tuple(Hop(self.text(hop.url), hop.status) for hop in evidence.redirects),
            attempts=tuple(
                dataclasses.replace(attempt, url=self.text(attempt.url), detail=self.optional(attempt.detail))
                for attempt in evidence.attempts
            ),
            content_type=self.optional(evidence.content_type),
            extra={key: self.text(value) for key, value in evidence.extra.items()},
        )
