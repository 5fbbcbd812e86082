"""Stage 3: verdicts as pure functions of evidence.

`judge` never touches the network or the clock: the same evidence always gives the same verdict, so
the rules are tested exhaustively as a table, and a stored evidence record can be judged again under
today's rules (e.g. a new `--accept`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from linkaudit.classify.soft import refine
from linkaudit.models import ErrorKind, Evidence, Judgement, Verdict

__all__ = ["BLOCKED_STATUSES", "is_benign_redirect", "judge"]

#: Statuses that mean "you may not look" rather than "gone": we cannot tell, so we do not claim dead.
BLOCKED_STATUSES = frozenset({401, 402, 403, 407, 451, 999})
_PERMANENT = frozenset({301, 308})

_ERROR_VERDICTS: dict[ErrorKind, Verdict] = {
    ErrorKind.DNS_NOT_FOUND: Verdict.DEAD,
    ErrorKind.REDIRECT_LOOP: Verdict.DEAD,
    ErrorKind.TOO_MANY_REDIRECTS: Verdict.DEAD,
    ErrorKind.BAD_REDIRECT: Verdict.DEAD,
    ErrorKind.FILE_MISSING: Verdict.DEAD,
    ErrorKind.DNS_FAILURE: Verdict.UNREACHABLE,
    ErrorKind.CONNECTION_REFUSED: Verdict.UNREACHABLE,
    ErrorKind.CONNECTION_RESET: Verdict.UNREACHABLE,
    ErrorKind.CONNECT_ERROR: Verdict.UNREACHABLE,
    ErrorKind.TIMEOUT: Verdict.UNREACHABLE,
    ErrorKind.TLS: Verdict.UNREACHABLE,
    ErrorKind.PROTOCOL: Verdict.UNREACHABLE,
    ErrorKind.HOST_UNREACHABLE: Verdict.UNREACHABLE,
    ErrorKind.BLOCKED_ADDRESS: Verdict.SKIPPED,
    ErrorKind.OTHER: Verdict.UNREACHABLE,
    ErrorKind.PROXY_ERROR: Verdict.UNREACHABLE,
    ErrorKind.URL_BUDGET: Verdict.UNREACHABLE,
    ErrorKind.INVALID_URL: Verdict.INVALID,
}
# Where the reason says more than the error kind's name.
_ERROR_REASONS = {ErrorKind.BLOCKED_ADDRESS: "private-address"}


def _canonical(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = host.removeprefix("www.")
    port = parts.port
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    return host, path, parts.query


def is_benign_redirect(source: str, target: str) -> bool:
    """The same page, cosmetically changed: http→https, trailing slash, host case, `www.` added or removed."""
    source_scheme = source.split(":", 1)[0].lower()
    target_scheme = target.split(":", 1)[0].lower()
    if source_scheme != target_scheme and not (source_scheme == "http" and target_scheme == "https"):
        return False
    return _canonical(source) == _canonical(target)


def judge(
    evidence: Evidence, *, wants_image: bool = False, accept: frozenset[int] = frozenset()
) -> Judgement:
    """The verdict on one URL from what its probe observed (soft rot included: `classify.soft`)."""
    return refine(evidence, _plain(evidence, wants_image=wants_image, accept=accept))


def _plain(evidence: Evidence, *, wants_image: bool, accept: frozenset[int]) -> Judgement:
    """The verdict from the answer alone: status, error, redirects."""
    if evidence.error is not None:
        verdict = _ERROR_VERDICTS.get(evidence.error, Verdict.UNREACHABLE)
        reason = (
            "host-unreachable"
            if evidence.short_circuited
            else _ERROR_REASONS.get(evidence.error, evidence.error.value)
        )
        return Judgement(verdict, reason)
    status = evidence.status
    if status is None:
        return Judgement(Verdict.UNREACHABLE, ErrorKind.OTHER.value)
    if status in accept:
        return Judgement(Verdict.LIVE, f"accepted-{status}")
    if evidence.challenge:
        return Judgement(Verdict.BLOCKED, "bot-challenge")
    if 200 <= status < 300:
        if wants_image and evidence.is_image is False:
            return Judgement(Verdict.DEAD, "not-an-image")
        if not evidence.redirects:
            return Judgement(Verdict.LIVE, f"http-{status}")
        final = evidence.final_url or evidence.url
        if is_benign_redirect(evidence.url, final):
            return Judgement(Verdict.LIVE, "benign-redirect")
        permanent = all(hop.status in _PERMANENT for hop in evidence.redirects)
        first = evidence.redirects[0].status
        return Judgement(Verdict.REDIRECTED, f"redirect-{first}", permanent=permanent)
    if status == 429:
        return Judgement(Verdict.RATE_LIMITED, "http-429")
    if status == 503 and evidence.retry_after is not None:
        return Judgement(Verdict.RATE_LIMITED, "http-503-retry-after")
    if status == 511:  # Network Authentication Required: a captive portal speaks, not the site
        return Judgement(Verdict.UNREACHABLE, "http-511")
    if status in BLOCKED_STATUSES:
        return Judgement(Verdict.BLOCKED, f"http-{status}")
    if 300 <= status < 400:
        return Judgement(Verdict.DEAD, f"http-{status}-without-location")
    return Judgement(Verdict.DEAD, f"http-{status}")
