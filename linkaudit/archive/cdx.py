"""An async client for the Wayback Machine's CDX server API and its raw snapshots, polite and give-up-able.

Every request goes through one `HostGate` for the archive: by default one request in flight and request
starts at least a second apart (per-host options for the archive's host apply); a 429 or 503 pauses it
for the Retry-After asked (or, when none is given, a doubling backoff). The archive is someone else's
free service and the audit does not depend on it, so after a few failed requests in a row (refused,
timed out, 5xx, rate-limited, not CDX) it is given up on for the run, and at once when it cannot be
reached at all (no such name, connection refused): every later lookup is answered at
once with the reason (`archive-unreachable`, `archive-rate-limited`, `archive-bad-answer`). A Retry-After
longer than `max_retry_wait` gives up at once rather than stall the run. Nothing here raises for a
failure: it comes back as an `ArchiveLookup` with an `ArchiveError`.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import date
from typing import cast
from urllib.parse import urlsplit

import httpx
import trio

from linkaudit.archive.choose import Capture, after_query, before_query, choose_capture, snapshot_url
from linkaudit.check.gate import HostGate, parse_retry_after
from linkaudit.check.headers import CREDENTIAL_HEADERS
from linkaudit.check.probe import error_kind
from linkaudit.models import ArchivedCopy, ArchiveDirection, ArchiveError, ArchiveLookup, ErrorKind
from linkaudit.observer import NullObserver, Observer
from linkaudit.settings import ARCHIVE_HOST_POLICY, DEFAULT_USER_AGENT, CheckSettings, HeaderRule, HostPolicy

__all__ = [
    "DEFAULT_ARCHIVE_URL",
    "ArchiveSettings",
    "CdxClient",
    "CdxResult",
    "RawSnapshot",
    "parse_cdx_json",
]

DEFAULT_ARCHIVE_URL = "https://web.archive.org"
_MAX_CDX_BODY = 1 << 20  # a CDX answer to limit=±1 is a few hundred bytes
_MAX_REDIRECTS = 3
# Failures that say the archive cannot be reached at all from here, not that it is busy.
_OFFLINE = frozenset(
    {
        ErrorKind.DNS_NOT_FOUND,
        ErrorKind.DNS_FAILURE,
        ErrorKind.CONNECTION_REFUSED,
        ErrorKind.HOST_UNREACHABLE,
        ErrorKind.BLOCKED_ADDRESS,
        ErrorKind.PROXY_ERROR,
    }
)  # a raw snapshot may redirect to the capture nearest the timestamp asked


@dataclass(frozen=True, slots=True)
class ArchiveSettings:
    """How the archive is asked: where, how politely, and when to stop asking."""

    archive_url: str = DEFAULT_ARCHIVE_URL
    policy: HostPolicy = ARCHIVE_HOST_POLICY
    timeout: float = 20.0
    #: Failed requests in a row after which the archive is given up on for the run.
    give_up_after: int = 3
    #: Further tries of one query after a failure (while the archive is not given up on).
    retries: int = 2
    #: The longest Retry-After waited for; a longer one gives up on the archive.
    max_retry_wait: float = 60.0
    #: The first pause after a failure the archive gave no Retry-After for; it doubles each time.
    backoff_base: float = 2.0
    user_agent: str = DEFAULT_USER_AGENT
    #: The run's `--header` rules: those for every host, or for the archive's, go with each request.
    headers: tuple[HeaderRule, ...] = ()

    @property
    def host(self) -> str:
        """The archive's host (with its port when it has one), the key of per-host options."""
        return urlsplit(self.archive_url).netloc.lower()

    @classmethod
    def from_check(cls, check: CheckSettings, archive_url: str = DEFAULT_ARCHIVE_URL) -> ArchiveSettings:
        """The archive's settings within a check run: per-host options naming its host, else its
        configuration table's, else its own politeness, or the run's where that is gentler (a run told
        `--host-interval 3` does not ask the archive every second); the run's user agent and longest wait."""
        defaults = cls(archive_url=archive_url)
        policy = check.policy_for(defaults.host, floor=defaults.policy)
        return cls(
            archive_url=archive_url,
            policy=policy,
            max_retry_wait=check.max_retry_wait,
            user_agent=check.user_agent,
            headers=check.headers,
        )


@dataclass(frozen=True, slots=True)
class CdxResult:
    """The rows of one CDX query, or why there are none (`error` set)."""

    captures: tuple[Capture, ...] = ()
    error: ArchiveError | None = None
    detail: str | None = None
    requests: int = 0


@dataclass(frozen=True, slots=True)
class RawSnapshot:
    """A snapshot's bytes as captured (`id_`), at most the bytes asked for; or why there are none."""

    url: str
    status: int | None = None
    content_type: str | None = None
    body: bytes = b""
    error: ArchiveError | None = None
    detail: str | None = None


@dataclass(slots=True)
class _Answer:
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    detail: str | None = None
    sent: bool = True  # False: the archive was given up on while this request waited its turn
    kind: ErrorKind | None = None  # why there was no answer


def parse_cdx_json(body: bytes) -> list[Capture] | None:
    """The captures of a CDX `output=json` answer (a header row, then rows of strings); an empty body and
    `[]` mean none. None when the body is not such an answer. Rows of another length (the resume key
    after an empty row) are passed over; a status that is not a number (`-` for revisits) becomes None."""
    if not body.strip():
        return []
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, list):
        return None
    if not data:
        return []
    header = data[0]
    if not isinstance(header, list) or "timestamp" not in header or "original" not in header:
        return None
    index = {name: position for position, name in enumerate(header) if isinstance(name, str)}
    captures: list[Capture] = []
    for row in data[1:]:
        if not isinstance(row, list) or len(row) != len(header) or not all(isinstance(v, str) for v in row):
            continue
        values = cast(list[str], row)
        status_text = values[index["statuscode"]] if "statuscode" in index else ""
        captures.append(
            Capture(
                timestamp=values[index["timestamp"]],
                original=values[index["original"]],
                status=int(status_text) if status_text.isdigit() else None,
                mimetype=values[index["mimetype"]] if "mimetype" in index else "",
            )
        )
    return captures


class CdxClient:
    """Asks one archive, through one httpx client, for the captures nearest each citation date."""

    def __init__(
        self, http: httpx.AsyncClient, settings: ArchiveSettings, *, observer: Observer | None = None
    ) -> None:
        self.http = http
        self.settings = settings
        self.observer = observer or NullObserver()
        self.base = settings.archive_url.rstrip("/")
        self.gate = HostGate(
            settings.host,
            settings.policy,
            max_wait=settings.max_retry_wait,
            backoff_base=settings.backoff_base,
        )
        self.failures = 0  # failed requests in a row
        self.requests = 0
        self.given_up: ArchiveError | None = None
        self.given_up_detail: str | None = None

    # ---- one request ----

    async def _once(self, url: str, params: Mapping[str, str] | None, max_bytes: int) -> _Answer:
        answer = _Answer()
        headers = {
            "User-Agent": self.settings.user_agent,
            "Accept": "application/json" if params is not None else "*/*",
            "Accept-Encoding": "gzip, deflate",
        }
        archive_host = self.settings.host.rsplit(":", 1)[0]
        for rule in self.settings.headers:
            # A global credential (Authorization, Cookie) is for the sites cited, as the checker sends it
            # only to the origin a chain starts at; one meant for the archive names its host.
            if rule.host is None and rule.name.lower() in CREDENTIAL_HEADERS:
                continue
            if rule.applies_to(archive_host):
                headers = {k: v for k, v in headers.items() if k.lower() != rule.name.lower()}
                headers[rule.name] = rule.value
        async with self.gate.slot():
            if self.given_up is not None:
                return _Answer(sent=False)
            sent_at = trio.current_time()
            self.requests += 1
            with trio.move_on_after(self.settings.timeout) as scope:
                try:
                    request = self.http.build_request(
                        "GET", url, params=params, headers=headers, extensions={"trace": self.gate.trace}
                    )
                    response = await self.http.send(request, stream=True)
                    try:
                        answer.status = response.status_code
                        answer.headers = {k.lower(): v for k, v in response.headers.items()}
                        body = bytearray()
                        chunks = cast(AsyncGenerator[bytes, None], response.aiter_bytes())
                        async with aclosing(chunks):  # stopped early, it is closed now, not by the collector
                            async for chunk in chunks:
                                body += chunk
                                if len(body) >= max_bytes:
                                    break
                        answer.body = bytes(body[:max_bytes])
                    finally:
                        await response.aclose()
                except httpx.HTTPError as exc:
                    answer.status = None
                    answer.kind, answer.detail = error_kind(exc)
                except (OSError, ssl.SSLError, ValueError, UnicodeError) as exc:  # a failure is data
                    answer.status = None
                    answer.kind, answer.detail = error_kind(exc)
            if scope.cancelled_caught:
                answer.status = None
                answer.detail = f"no answer within {self.settings.timeout:g} s"
        if answer.status in (429, 503):
            retry_after = parse_retry_after(answer.headers.get("retry-after"))
            if retry_after is None or retry_after <= self.settings.max_retry_wait:
                waited = self.gate.slow_down(retry_after, sent_at=sent_at)
                self.observer.host_backoff(self.gate.host, waited)
        elif answer.status is not None and answer.status < 500:
            self.gate.answered()
        else:
            self.gate.slow_down(None, sent_at=sent_at)  # refused, timed out, 5xx: pause before trying again
        return answer

    def _give_up(self, kind: ArchiveError, detail: str) -> None:
        if self.given_up is None:
            self.given_up, self.given_up_detail = kind, detail
            self.observer.host_dead(self.gate.host, f"{detail}; archived copies are not looked up")

    def _failed(self, kind: ArchiveError, detail: str) -> None:
        self.failures += 1
        if self.failures >= self.settings.give_up_after:
            self._give_up(kind, f"{self.failures} failed requests in a row, the last: {detail}")

    async def _get(
        self, url: str, params: Mapping[str, str] | None, max_bytes: int
    ) -> tuple[_Answer | None, ArchiveError | None, str | None, int]:
        """An answer worth reading (2xx-4xx but 429), or the failure; with the requests it took. Failed
        requests count toward giving up; the caller resets the count when the answer is what it wanted."""
        made = 0
        kind, detail = ArchiveError.UNREACHABLE, "no answer"
        for _ in range(self.settings.retries + 1):
            if self.given_up is not None:
                return None, self.given_up, self.given_up_detail, made
            answer = await self._once(url, params, max_bytes)
            if not answer.sent:
                break
            made += 1
            status = answer.status
            if status is not None and status < 500 and status != 429:
                return answer, None, None, made  # the caller judges it (and resets `failures`)
            asked = parse_retry_after(answer.headers.get("retry-after"))
            if status == 429 or (status == 503 and asked is not None):
                kind = ArchiveError.RATE_LIMITED
                detail = f"HTTP {status}" + (f", Retry-After {asked:g} s" if asked is not None else "")
                if asked is not None and asked > self.settings.max_retry_wait:
                    self._give_up(
                        kind, f"{detail}: longer than the {self.settings.max_retry_wait:g} s we wait"
                    )
                    return None, kind, detail, made
            elif status is not None:
                kind, detail = ArchiveError.UNREACHABLE, f"HTTP {status}"
            else:
                kind, detail = ArchiveError.UNREACHABLE, answer.detail or "no answer"
                if answer.kind in _OFFLINE:
                    # No archive at that name or address from here (offline, a typo): asking again is
                    # only waiting. Said once, and every lookup answered at once.
                    self._give_up(kind, detail)
                    return None, kind, detail, made
            self._failed(kind, detail)
        if self.given_up is not None:
            return None, self.given_up, self.given_up_detail, made
        return None, kind, detail, made

    # ---- what the pipeline asks ----

    async def query(self, params: Mapping[str, str]) -> CdxResult:
        """One CDX query; its rows, or why there are none."""
        answer, error, detail, made = await self._get(f"{self.base}/cdx/search/cdx", params, _MAX_CDX_BODY)
        if answer is None:
            return CdxResult(error=error, detail=detail, requests=made)
        if answer.status != 200:
            self.failures = 0  # a refusal of this query (403 for an excluded site, 400): the archive is up
            return CdxResult(error=ArchiveError.BAD_ANSWER, detail=f"HTTP {answer.status}", requests=made)
        captures = parse_cdx_json(answer.body)
        if captures is None:
            # Answered, but not CDX (a proxy's or a portal's page): as useless as no answer, for every query.
            self._failed(ArchiveError.BAD_ANSWER, "the answer is not CDX JSON")
            return CdxResult(
                error=ArchiveError.BAD_ANSWER, detail="the answer is not CDX JSON", requests=made
            )
        self.failures = 0
        return CdxResult(captures=tuple(captures), requests=made)

    async def lookup(self, url: str, cited_at: date) -> ArchiveLookup:
        """The archived copy of `url` nearest `cited_at` (see `linkaudit.archive.choose`): one query for the
        latest capture at or before the date, and only when there is none, one for the earliest after."""
        if self.given_up is not None:
            return ArchiveLookup(url, cited_at, error=self.given_up, detail=self.given_up_detail)
        before = await self.query(before_query(url, cited_at))
        spent = before.requests
        if before.error is not None:
            return ArchiveLookup(url, cited_at, error=before.error, detail=before.detail, requests=spent)
        chosen = choose_capture(before.captures, cited_at, archive_url=self.base, url=url)
        if chosen is None or chosen.direction is not ArchiveDirection.BEFORE:
            after = await self.query(after_query(url, cited_at))
            spent += after.requests
            if after.error is not None and chosen is None:
                return ArchiveLookup(url, cited_at, error=after.error, detail=after.detail, requests=spent)
            captures = before.captures + after.captures
            chosen = choose_capture(captures, cited_at, archive_url=self.base, url=url)
        if chosen is None:
            return ArchiveLookup(url, cited_at, error=ArchiveError.NONE_FOUND, requests=spent)
        return ArchiveLookup(url, cited_at, archived=chosen, requests=spent)

    async def fetch_raw(self, copy: ArchivedCopy, cited_url: str, max_bytes: int = 1 << 20) -> RawSnapshot:
        """The bytes of a chosen capture as it was captured, for comparing with the live page."""
        url = snapshot_url(self.base, copy.timestamp, cited_url, "id_")
        for _ in range(_MAX_REDIRECTS + 1):
            answer, error, detail, _ = await self._get(url, None, max_bytes)
            if answer is None:
                return RawSnapshot(url, error=error, detail=detail)
            self.failures = 0
            location = answer.headers.get("location")
            if answer.status in (301, 302, 303, 307, 308) and location:
                try:
                    target = httpx.URL(url).join(location)
                except httpx.InvalidURL as exc:
                    return RawSnapshot(url, error=ArchiveError.BAD_ANSWER, detail=f"bad redirect: {exc}")
                if target.netloc.decode("ascii", "replace").lower() == self.settings.host:
                    url = str(target)  # the archive's own way to the capture nearest the timestamp
                    continue
            return RawSnapshot(url, answer.status, answer.headers.get("content-type"), answer.body)
        return RawSnapshot(url, error=ArchiveError.BAD_ANSWER, detail="too many redirects")
