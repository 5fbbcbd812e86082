"""Probing one URL: HEAD first, GET when HEAD is refused or unreliable, redirects followed by hand.

Every request goes through its host's `HostGate` and the global limit, runs under one deadline
(connect, headers and a bounded body prefix together), and is recorded as an `Attempt`. Failures are
returned as data; nothing here raises for a bad link. Retries (tenacity) are per URL; slow-down
answers pause the host through its gate, so they cost time, never correctness.
"""

from __future__ import annotations

import errno
import hashlib
import ssl
import zlib
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import cast
from urllib.parse import urljoin

import httpx
import trio
from tenacity import AsyncRetrying, RetryCallState, retry_if_result

from linkaudit.check.gate import HostGate, parse_retry_after, rate_limit_wait
from linkaudit.check.resolve import NameNotFound, NameResolutionFailed
from linkaudit.check.schedule import PriorityLimiter
from linkaudit.check.transport import bytes_after_head
from linkaudit.models import Attempt, ErrorKind, Evidence, Hop
from linkaudit.settings import CheckSettings
from linkaudit.urls import normalize

__all__ = ["Prober", "error_kind", "sniff_image"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUS = frozenset({408, 425, 500, 502, 504})
_SLOW_DOWN = frozenset({429, 503})
_RETRY_ERRORS = frozenset(
    {
        ErrorKind.TIMEOUT,
        ErrorKind.CONNECTION_REFUSED,
        ErrorKind.CONNECTION_RESET,
        ErrorKind.CONNECT_ERROR,
        ErrorKind.PROTOCOL,
        ErrorKind.DNS_FAILURE,
    }
)
_MAX_RAW_READ = 2 * 1024 * 1024
# A body we do not need (a redirect's, a HEAD's) is read to its end up to this, so its connection is reused.
_MAX_DRAIN = 64 * 1024
_MAX_DRAIN_SECONDS = 0.5
_IMAGE_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"\x00\x00\x01\x00",
    b"II*\x00",
    b"MM\x00*",
)


def sniff_image(content_type: str | None, body: bytes | None) -> bool | None:
    """Whether an answer is an image: by its bytes when we have them, else by its Content-Type."""
    if body:
        head = body[:64]
        if any(head.startswith(magic) for magic in _IMAGE_MAGIC):
            return True
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return True
        if head[4:12] in (b"ftypavif", b"ftypavis", b"ftypheic", b"ftypmif1"):
            return True
        text = body[:1024].lstrip().lower()
        if text.startswith((b"<svg", b"<?xml")) and b"<svg" in body[:4096].lower():
            return True
        if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
            return False
    if content_type is None:
        return None
    media = content_type.split(";")[0].strip().lower()
    if media.startswith("image/"):
        return True if not body else None
    return False


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception, its causes and contexts, and the members of any exception group among them."""
    chain: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(chain) < 32:
        current = todo.pop(0)
        if any(current is seen for seen in chain):
            continue
        chain.append(current)
        if isinstance(current, BaseExceptionGroup):
            todo.extend(current.exceptions)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                todo.append(linked)
    return chain


def error_kind(exc: BaseException) -> tuple[ErrorKind, str]:
    """Name a transport failure as precisely as the exception chain allows."""
    chain = _causes(exc)
    detail = str(exc) or type(exc).__name__
    for item in chain:
        if isinstance(item, NameNotFound):
            return ErrorKind.DNS_NOT_FOUND, str(item)
        if isinstance(item, NameResolutionFailed):
            return ErrorKind.DNS_FAILURE, str(item)
    for item in chain:
        if isinstance(item, ssl.SSLCertVerificationError):
            return ErrorKind.TLS, f"certificate: {item.verify_message or item.reason}"
        if isinstance(item, ssl.SSLError):
            return ErrorKind.TLS, f"TLS: {item.reason or item}"
    if isinstance(exc, httpx.TimeoutException):
        return ErrorKind.TIMEOUT, detail
    for item in chain:
        if isinstance(item, OSError) and item.errno is not None:
            if item.errno == errno.ECONNREFUSED:
                return ErrorKind.CONNECTION_REFUSED, "connection refused"
            if item.errno in (errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED):
                return ErrorKind.CONNECTION_RESET, "connection reset"
            if item.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
                return ErrorKind.CONNECT_ERROR, item.strerror or detail
    if isinstance(exc, httpx.ConnectError):
        if "refused" in detail.lower():
            return ErrorKind.CONNECTION_REFUSED, "connection refused"
        return ErrorKind.CONNECT_ERROR, detail
    if isinstance(exc, httpx.RemoteProtocolError | httpx.LocalProtocolError | httpx.DecodingError):
        return ErrorKind.PROTOCOL, detail
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return ErrorKind.CONNECTION_RESET, detail
    return ErrorKind.OTHER, f"{type(exc).__name__}: {detail}"


@dataclass(slots=True)
class _Answer:
    """One request's result."""

    status: int | None = None
    error: ErrorKind | None = None
    detail: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


@dataclass(slots=True)
class _Outcome:
    """One try: a request and the redirects it led to."""

    url: str
    answer: _Answer
    hops: list[Hop]
    error: ErrorKind | None = None
    detail: str | None = None

    @property
    def status(self) -> int | None:
        return self.answer.status if self.error is None else None

    def retry_class(self, image_ok: bool) -> str | None:
        """'slow' (429/503: the host's pace), 'again' (transient failure) or None (final)."""
        if self.error is not None:
            return "again" if self.error in _RETRY_ERRORS else None
        status = self.answer.status
        if status in _SLOW_DOWN:
            return "slow"
        if status in _RETRY_STATUS:
            return "again"
        return None


def _host_of(url: str) -> str:
    rest = url.split("://", 1)[-1]
    for stop in "/?#":
        rest = rest.split(stop, 1)[0]
    return rest.rsplit("@", 1)[-1].lower()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Prober:
    """Probes URLs through one httpx client, per-host gates and a global in-flight limit."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: CheckSettings,
        *,
        gate_for: Callable[[str], HostGate],
        limiter: PriorityLimiter,
        on_backoff: Callable[[str, float], None] | None = None,
    ) -> None:
        self.client = client
        self.settings = settings
        self.gate_for = gate_for
        self.limiter = limiter
        self.on_backoff = on_backoff

    def _headers(self, host: str) -> dict[str, str]:
        headers = {
            "User-Agent": self.settings.user_agent,
            "Accept": self.settings.accept_header,
            "Accept-Encoding": "gzip, deflate",
            "Accept-Language": "en,zh;q=0.8,*;q=0.5",
        }
        for rule in self.settings.headers:
            if rule.applies_to(host):
                headers[rule.name] = rule.value
        return headers

    async def _send(self, method: str, url: str, attempts: list[Attempt]) -> _Answer:
        host = _host_of(url)
        gate = self.gate_for(host)
        answer = _Answer()
        complete = False  # the answer is all in, and only a body we do not need is left
        async with gate.slot(), self.limiter.hold(gate.backlog):
            started = trio.current_time()
            with trio.move_on_after(self.settings.timeout) as scope:
                try:
                    request = self.client.build_request(
                        method, url, headers=self._headers(host), extensions={"trace": gate.trace}
                    )
                    response = await self.client.send(request, stream=True)
                    try:
                        answer.status = response.status_code
                        answer.headers = {k.lower(): v for k, v in response.headers.items()}
                        if method == "GET" and response.status_code not in _REDIRECTS:
                            answer.body = await self._read_prefix(response)
                        else:
                            complete = True
                            await self._finish(method, response)
                    finally:
                        await response.aclose()
                except httpx.HTTPError as exc:
                    answer.error, answer.detail = error_kind(exc)
                except (
                    OSError,
                    ssl.SSLError,
                    ValueError,
                    UnicodeError,
                ) as exc:  # defensive: a link's failure is data
                    answer.error, answer.detail = error_kind(exc)
            if scope.cancelled_caught and not complete:
                answer.error = ErrorKind.TIMEOUT
                answer.detail = f"no complete answer within {self.settings.timeout:g} s"
            elapsed = int((trio.current_time() - started) * 1000)
        self._feedback(gate, answer, started)
        attempts.append(Attempt(method, url, answer.status, answer.error, answer.detail, elapsed))
        return answer

    def _feedback(self, gate: HostGate, answer: _Answer, sent_at: float) -> None:
        if answer.status is None:
            return
        if answer.status in _SLOW_DOWN:
            retry_after = parse_retry_after(answer.headers.get("retry-after"))
            if retry_after is None:
                retry_after = rate_limit_wait(answer.headers)
            waited = gate.slow_down(retry_after, sent_at=sent_at)
            if self.on_backoff is not None:
                self.on_backoff(gate.host, waited)
            return
        gate.answered()
        quota = rate_limit_wait(answer.headers)
        if quota:
            gate.pause(quota)

    async def _finish(self, method: str, response: httpx.Response) -> None:
        """Read the rest of an answer whose body we do not need, so that its connection carries the next
        request: opening a connection per request costs more CPU than all the rest of a probe together.

        Best effort: a body that is long, slow or broken, or bytes after a HEAD answer, and `aclose` drops
        the connection instead. It never costs the answer already read.
        """
        if method == "HEAD" and bytes_after_head(response):
            return
        drained = 0
        with trio.move_on_after(_MAX_DRAIN_SECONDS):
            try:
                async with aclosing(cast(AsyncGenerator[bytes, None], response.aiter_raw())) as chunks:
                    async for chunk in chunks:
                        drained += len(chunk)
                        if drained > _MAX_DRAIN:
                            break
            except (httpx.HTTPError, OSError):
                pass

    async def _read_prefix(self, response: httpx.Response) -> bytes:
        """At most `max_body` decoded bytes; decompression is bounded, so a gzip bomb costs nothing."""
        limit = self.settings.max_body
        coding = response.headers.get("content-encoding", "").strip().lower()
        decoder = None
        if coding in ("gzip", "x-gzip"):
            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            decoder = zlib.decompressobj()
        out = bytearray()
        raw_read = 0
        async with aclosing(cast(AsyncGenerator[bytes, None], response.aiter_raw())) as chunks:
            async for chunk in chunks:
                raw_read += len(chunk)
                if decoder is None:
                    out += chunk[: limit - len(out)]
                else:
                    try:
                        out += decoder.decompress(chunk, limit - len(out))
                    except zlib.error:
                        break
                if len(out) >= limit or raw_read >= _MAX_RAW_READ:
                    break
        return bytes(out)

    async def _follow(self, method: str, url: str, attempts: list[Attempt]) -> _Outcome:
        hops: list[Hop] = []
        seen = {url}
        current = url
        while True:
            answer = await self._send(method, current, attempts)
            if answer.error is not None:
                return _Outcome(current, answer, hops, answer.error, answer.detail)
            status = answer.status or 0
            location = answer.headers.get("location")
            if status not in _REDIRECTS or not location:
                return _Outcome(current, answer, hops)
            hops.append(Hop(current, status))
            if len(hops) > self.settings.max_redirects:
                return _Outcome(
                    current,
                    answer,
                    hops,
                    ErrorKind.TOO_MANY_REDIRECTS,
                    f"more than {self.settings.max_redirects}",
                )
            target = normalize(urljoin(current, location.strip()))
            if not target.is_http:
                detail = target.detail or f"redirect to a non-web URL {location!r}"
                return _Outcome(current, answer, hops, ErrorKind.BAD_REDIRECT, detail)
            if target.url in seen:
                return _Outcome(current, answer, hops, ErrorKind.REDIRECT_LOOP, f"back to {target.url}")
            seen.add(target.url)
            current = target.url

    async def _try(self, url: str, wants_image: bool, attempts: list[Attempt]) -> _Outcome:
        outcome = await self._follow("HEAD", url, attempts)
        if outcome.error in (ErrorKind.PROTOCOL, ErrorKind.CONNECTION_RESET):
            return await self._follow("GET", url, attempts)  # some servers mishandle HEAD itself
        status = outcome.status
        if status is None:
            return outcome
        unreliable = status >= 400 and status not in _SLOW_DOWN
        # Dead images often answer 200 with an HTML page; HEAD's Content-Type is enough when it is an image.
        media = outcome.answer.headers.get("content-type", "").split(";")[0].strip().lower()
        needs_content = wants_image and 200 <= status < 300 and not media.startswith("image/")
        if unreliable or needs_content or (300 <= status < 400):
            return await self._follow("GET", url, attempts)
        return outcome

    async def probe(self, url: str, wants_image: bool = False) -> Evidence:
        """Everything we can learn about `url`, retried as the policy allows."""
        attempts: list[Attempt] = []
        outcomes: list[_Outcome] = []
        settings = self.settings

        def classes() -> list[str | None]:
            return [o.retry_class(wants_image) for o in outcomes]

        def should_stop() -> bool:
            seen = classes()
            gate = self.gate_for(_host_of(url))
            return (
                gate.dead is not None
                or seen.count("again") > settings.retries
                or seen.count("slow") > settings.rate_limit_retries
            )

        def delay() -> float:
            seen = classes()
            if seen[-1] == "slow":
                return 0.0  # the host's gate holds the next request until its backoff ends
            n = seen.count("again")
            return float(min(settings.max_retry_wait, settings.retry_base * 2 ** (n - 1)))

        def stop(state: RetryCallState) -> bool:
            return should_stop()

        def wait(state: RetryCallState) -> float:
            return delay()

        async def once() -> _Outcome:
            outcome = await self._try(url, wants_image, attempts)
            outcomes.append(outcome)
            return outcome

        # Most URLs need one try, and tenacity's bookkeeping would cost them more CPU than their verdict:
        # it takes over only once a try has to be repeated, with the same stop and wait rules.
        outcome = await once()
        if outcome.retry_class(wants_image) is None or should_stop():
            return self._evidence(url, outcome, attempts, wants_image)
        await trio.sleep(delay())
        retrying = AsyncRetrying(
            stop=stop,
            wait=wait,
            retry=retry_if_result(lambda o: o.retry_class(wants_image) is not None),
            sleep=trio.sleep,
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        )
        outcome = await retrying(once)
        return self._evidence(url, outcome, attempts, wants_image)

    def _evidence(self, url: str, outcome: _Outcome, attempts: list[Attempt], wants_image: bool) -> Evidence:
        answer = outcome.answer
        headers = answer.headers
        content_type = headers.get("content-type")
        body = answer.body
        challenge = headers.get("cf-mitigated", "").lower() == "challenge" or (
            answer.status in (403, 503)
            and body is not None
            and (b"challenge-platform" in body or b"cf-chl-" in body or b"<title>Just a moment" in body)
        )
        extra: dict[str, str] = {}
        for name in ("server", "cf-mitigated", "location"):
            if name in headers:
                extra[name] = headers[name][:200]
        return Evidence(
            url=url,
            status=outcome.status,
            error=outcome.error,
            detail=outcome.detail,
            final_url=outcome.url,
            redirects=tuple(outcome.hops),
            attempts=tuple(attempts),
            content_type=content_type,
            is_image=sniff_image(content_type, body) if outcome.error is None else None,
            challenge=challenge,
            retry_after=parse_retry_after(headers.get("retry-after")),
            checked_at=_now(),
            fingerprint=hashlib.sha256(body).hexdigest()[:16] if body else None,
            extra=extra,
        )
