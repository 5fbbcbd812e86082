"""Probing one URL: HEAD first, GET when HEAD is refused or unreliable, redirects followed by hand.

Every request goes through its host's `HostGate` and the global limit, runs under one deadline
(connect, headers and a bounded body prefix together), and is recorded as an `Attempt`. Failures are
returned as data; nothing here raises for a bad link. Retries (tenacity) are per URL and resume a
redirect chain at the hop that failed, so hops are counted across them; slow-down answers pause the
host through its gate, so they cost time, never correctness. All of a URL's requests and retry waits
share one time budget (`--url-budget`), and what it records is bounded (`bounds.Kept`).
"""

from __future__ import annotations

import copy
import dataclasses
import errno
import hashlib
import ssl
import zlib
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import cast

import httpx
import trio
from tenacity import AsyncRetrying, RetryCallState, retry_if_result

from linkaudit.check.bounds import Budget, Kept, clip
from linkaudit.check.fragments import page_anchors
from linkaudit.check.gate import Admission, HostGate, parse_retry_after, rate_limit_wait
from linkaudit.check.headers import HeaderChain, HeaderPolicy
from linkaudit.check.headtrust import HeadTrust
from linkaudit.check.location import LOCATION_KEY, redirect_target
from linkaudit.check.resolve import BlockedAddress, NameNotFound, NameResolutionFailed
from linkaudit.check.schedule import PriorityLimiter
from linkaudit.check.timeline import Timeline
from linkaudit.check.transport import bytes_after_head
from linkaudit.models import Attempt, ErrorKind, Evidence, Hop
from linkaudit.settings import CheckSettings

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
# After a URL's first timeout, its next try that has not answered within this share of the deadline gets
# a second beside it (both through the host's gate): a hanging URL then costs two deadlines, not three.
_HEDGE_SHARE = 0.2
# A request given up on (timed out, or a hedged try no longer needed) keeps its place at its host this long
# after its connection is closed: the server counts it in flight until it sees the close, and a request
# taking the place at once would be one too many there.
_ABANDON_GRACE = 0.05
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


async def _keep_place() -> None:
    """Hold a given-up request's host place `_ABANDON_GRACE` longer, whatever is cancelled meanwhile."""
    with trio.CancelScope(shield=True):
        await trio.sleep(_ABANDON_GRACE)


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


# OpenSSL's verification codes (X509_V_ERR_*) for the certificate problems met in the wild.
_CERTIFICATE_PROBLEMS = {
    9: "not yet valid",
    10: "expired",
    18: "self-signed",
    19: "self-signed issuer in the chain",
    20: "untrusted issuer",
    21: "untrusted issuer",
    23: "revoked",
    62: "for another host",
}


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
        if isinstance(item, BlockedAddress):
            return ErrorKind.BLOCKED_ADDRESS, str(item)
        kind = getattr(item, "error_kind", None)
        if isinstance(kind, ErrorKind):  # a failure that names itself (linkaudit.check.proxy's)
            return kind, str(item)
    for item in chain:
        if isinstance(item, NameNotFound):
            return ErrorKind.DNS_NOT_FOUND, str(item)
        if isinstance(item, NameResolutionFailed):
            return ErrorKind.DNS_FAILURE, str(item)
    for item in chain:
        if isinstance(item, ssl.SSLCertVerificationError):
            said = item.verify_message or item.reason
            named = _CERTIFICATE_PROBLEMS.get(item.verify_code)
            return ErrorKind.TLS, f"certificate: {named} ({said})" if named else f"certificate: {said}"
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
        # h11 rejects a whole answer for a NUL or a bare CR in a header: in Location, that is a bad redirect.
        if detail.startswith("illegal header line") and "location:" in detail[:80].lower():
            return ErrorKind.BAD_REDIRECT, "control character in Location"
        return ErrorKind.PROTOCOL, clip(detail)
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return ErrorKind.CONNECTION_RESET, detail
    return ErrorKind.OTHER, clip(f"{type(exc).__name__}: {detail}")


@dataclass(slots=True)
class _Answer:
    """One request's result."""

    status: int | None = None
    error: ErrorKind | None = None
    detail: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    location: bytes | None = None  # as the server sent it: headers are decoded, this is not
    body: bytes | None = None
    connected: bool = False
    method: str = ""  # the request's ("" when none was sent)
    retry_in: float | None = None  # a slow-down: what its host says this URL waits (None: it said nothing)


@dataclass(slots=True)
class _Chain:
    """The redirects a URL has followed so far: a retry resumes at `start`, the hop that failed, with the
    header policy's memory of the chain (its origin, a downgrade to http) as it was there."""

    start: str
    headers: HeaderChain
    hops: Kept[Hop] = field(default_factory=Kept)
    seen: set[str] = field(default_factory=set)  # digests of every URL visited, for loops

    def fork(self) -> _Chain:
        """A walk from `start` that may be kept (`commit`) or dropped (a HEAD walk GET replaces)."""
        return _Chain(self.start, copy.copy(self.headers), Kept(), set(self.seen))

    def commit(self, walk: _Chain) -> None:
        self.hops.extend(walk.hops)
        self.seen = walk.seen
        self.start = walk.start
        self.headers = walk.headers

    def visit(self, url: str) -> bool:
        """Record `url` as visited; False when it already was (a loop)."""
        digest = hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        if digest in self.seen:
            return False
        self.seen.add(digest)
        return True


@dataclass(slots=True)
class _Outcome:
    """One try: a request and the redirects it led to (`walk`, from the chain's start to `url`)."""

    url: str
    answer: _Answer
    walk: _Chain
    error: ErrorKind | None = None
    detail: str | None = None

    @property
    def status(self) -> int | None:
        return self.answer.status if self.error is None else None

    def retry_class(self) -> str | None:
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


def _budget_spent(budget: Budget) -> str:
    return f"the URL's budget of {budget.limit:g} s ran out (--url-budget)"


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
        timeline: Timeline | None = None,
    ) -> None:
        self.client = client
        self.settings = settings
        self.gate_for = gate_for
        self.limiter = limiter
        self.on_backoff = on_backoff
        self.headers = HeaderPolicy(settings)
        self.trust = HeadTrust()
        self.timeline = timeline

    async def _send(
        self, method: str, url: str, attempts: Kept[Attempt], budget: Budget, headers: dict[str, str]
    ) -> _Answer:
        if budget.exhausted:
            return _Answer(error=ErrorKind.URL_BUDGET, detail=_budget_spent(budget))
        host = _host_of(url)
        gate = self.gate_for(host)
        answer = _Answer(method=method)
        timeout = self.settings.timeout_for(host)
        wire_wait = [0.0]
        admitted: list[Admission] = []

        async def trace(event: str, info: Mapping[str, object]) -> None:
            if event == "connection.connect_tcp.complete" or event.startswith("http11."):
                answer.connected = True
            before = trio.current_time()
            await gate.trace(event, info, admission=admitted[0] if admitted else None)
            wire_wait[0] += trio.current_time() - before

        try:
            request = self.client.build_request(
                method,
                url,
                headers=headers,
                extensions={"trace": trace},
                # A host's own deadline (a configuration file's) replaces the client's.
                timeout=httpx.Timeout(timeout)
                if timeout != self.settings.timeout
                else httpx.USE_CLIENT_DEFAULT,
            )
        except (httpx.InvalidURL, ValueError, UnicodeError) as exc:  # never sent, so no attempt
            return _Answer(error=ErrorKind.INVALID_URL, detail=clip(f"not a URL httpx can request: {exc}"))
        asked = trio.current_time()
        # A URL already under way (retry, hop, GET after HEAD) goes first at its host: see HostGate.slot.
        async with gate.slot(urgent=len(attempts) > 0) as admission:
            admitted.append(admission)
            if gate.dead is not None:  # given up on while this request waited for its turn: never sent
                return _Answer(
                    error=gate.dead, detail=f"host unreachable: {gate.dead_detail or gate.dead.value}"
                )
            queued = trio.current_time()
            sent = False
            try:
                async with self.limiter.hold(gate.remaining()):
                    started = trio.current_time()
                    # Other requests' turn, or a pause the host asked for: politeness, not this URL's cost.
                    budget.excuse(admission.excused + started - queued)
                    sent = True
                    await self._exchange(method, request, answer, budget, timeout)
                    elapsed = trio.current_time() - started
            except trio.Cancelled:  # a hedged try whose companion answered, or the run stopping
                if sent:
                    await _keep_place()
                raise
            if answer.error is ErrorKind.TIMEOUT:
                # The host's place only (not the global one); shielded, so that the timeout is recorded
                # below even when a companion try answered meanwhile.
                await _keep_place()
        # Its host's requests in flight when it was answered count too: they left before it did, but
        # perhaps reached the server first.
        self._feedback(gate, answer, started, max(admission.load, gate.in_flight + 1))
        if answer.status is not None:
            gate.took(elapsed)
        attempt = Attempt(
            method,
            clip(url),
            answer.status,
            answer.error,
            answer.detail,
            int(elapsed * 1000),
            connected=answer.connected,
        )
        if self.timeline is not None:
            waits = {
                "host-slot": admission.host_slot,
                "spacing": admission.spacing,
                "pause": admission.pause,
                "global": started - queued,
                "wire-spacing": wire_wait[0],
            }
            previous = attempts.items()[-1] if len(attempts) else None
            self.timeline.request(
                host, url, method, previous, attempt, asked=asked, sent=started, waits=waits
            )
        attempts.append(attempt)
        return answer

    async def _exchange(
        self, method: str, request: httpx.Request, answer: _Answer, budget: Budget, limit: float
    ) -> None:
        """Send `request` and read its answer into `answer`, all within one deadline (`limit` s at most)."""
        deadline = max(0.0, min(limit, budget.remaining()))
        complete = False  # the answer is all in, and only a body we do not need is left
        with trio.move_on_after(deadline) as scope:
            try:
                response = await self.client.send(request, stream=True)
                try:
                    answer.status = response.status_code
                    answer.headers = {k.lower(): v for k, v in response.headers.items()}
                    answer.location = response.extensions.get(LOCATION_KEY)
                    if answer.location is not None:
                        answer.headers["location"] = answer.location.decode("latin-1")
                    if method == "GET" and response.status_code not in _REDIRECTS:
                        answer.body, answer.detail = await self._read_prefix(response)
                    else:
                        complete = True
                        await self._finish(method, response)
                finally:
                    await response.aclose()
            except httpx.HTTPError as exc:
                answer.error, answer.detail = error_kind(exc)
            except (OSError, ssl.SSLError, ValueError, UnicodeError) as exc:  # defensive: failure is data
                answer.error, answer.detail = error_kind(exc)
        if scope.cancelled_caught and not complete:
            if deadline < limit:
                answer.error, answer.detail = ErrorKind.URL_BUDGET, _budget_spent(budget)
            else:
                answer.error = ErrorKind.TIMEOUT
                answer.detail = f"no complete answer within {limit:g} s"

    def _feedback(self, gate: HostGate, answer: _Answer, sent_at: float, load: int) -> None:
        if answer.status is None:
            if answer.error is ErrorKind.TIMEOUT:
                gate.silent(answer.detail, dead_after=self.settings.dead_host_after)
            return
        if answer.status in _SLOW_DOWN:
            retry_after = parse_retry_after(answer.headers.get("retry-after"))
            if retry_after is None:
                retry_after = rate_limit_wait(answer.headers)
            answer.retry_in = gate.heed(retry_after, sent_at=sent_at, load=load)
            if self.on_backoff is not None and answer.retry_in is not None:
                self.on_backoff(gate.host, answer.retry_in)
            return
        gate.answered(load=load, sent_at=sent_at)
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

    async def _read_prefix(self, response: httpx.Response) -> tuple[bytes, str | None]:
        """At most `max_body` decoded bytes; decompression is bounded, so a gzip bomb costs nothing.

        A body cut short or malformed (a lying Content-Length, broken chunks) does not undo the status the
        server already gave: what was read is kept, and the second value says what went wrong.
        """
        limit = self.settings.max_body
        coding = response.headers.get("content-encoding", "").strip().lower()
        decoder = None
        if coding in ("gzip", "x-gzip"):
            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            decoder = zlib.decompressobj()
        out = bytearray()
        raw_read = 0
        problem = None
        try:
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
        except httpx.HTTPError as exc:
            problem = f"body cut short: {error_kind(exc)[1]}"
        return bytes(out), problem

    async def _follow(self, method: str, chain: _Chain, attempts: Kept[Attempt], budget: Budget) -> _Outcome:
        """Request the chain's start and follow redirects; hops already followed count toward the limit."""
        walk = chain.fork()
        before = len(chain.hops)
        while True:
            current = walk.start
            # A host configured for GET gets a GET even in a HEAD walk.
            hop_method = "GET" if self.settings.method_for(_host_of(current)) == "GET" else method
            answer = await self._send(
                hop_method, current, attempts, budget, walk.headers.headers_for(current)
            )
            if answer.error is not None:
                error = answer.error
                if error is ErrorKind.INVALID_URL and (before or walk.hops):
                    error = ErrorKind.BAD_REDIRECT  # the server's Location led there, not the citation
                return _Outcome(current, answer, walk, error, answer.detail)
            status = answer.status or 0
            if status not in _REDIRECTS or not (answer.location or b"").strip():
                return _Outcome(current, answer, walk)
            walk.hops.append(Hop(clip(current), status))
            if before + len(walk.hops) > self.settings.max_redirects:
                detail = f"more than {self.settings.max_redirects}"
                return _Outcome(current, answer, walk, ErrorKind.TOO_MANY_REDIRECTS, detail)
            target, problem = redirect_target(current, answer.location or b"")
            if target is None:
                return _Outcome(current, answer, walk, ErrorKind.BAD_REDIRECT, problem)
            if not walk.visit(target.url):
                detail = f"back to {clip(target.url)}"
                return _Outcome(current, answer, walk, ErrorKind.REDIRECT_LOOP, detail)
            walk.start = target.url

    async def _try(
        self, chain: _Chain, wants_image: bool, attempts: Kept[Attempt], budget: Budget
    ) -> _Outcome:
        trust = self.trust  # what HEAD is worth on each host, learnt as the run goes (check.headtrust)
        method = self.settings.method_for(_host_of(chain.start))
        if method == "GET" or trust.get_first(_host_of(chain.start)):
            return await self._follow("GET", chain, attempts, budget)
        outcome = await self._follow("HEAD", chain, attempts, budget)
        if outcome.answer.method == "GET" or self.settings.method_for(_host_of(outcome.url)) == "HEAD":
            return outcome  # a GET answered already; or the host's HEAD answer is trusted as final
        if outcome.error in (ErrorKind.PROTOCOL, ErrorKind.CONNECTION_RESET):
            return await self._follow("GET", chain, attempts, budget)  # some servers mishandle HEAD itself
        status = outcome.status
        if status is None:
            return outcome
        host = _host_of(outcome.url)
        trust.head_answered(host, status)
        unreliable = status >= 400 and status not in _SLOW_DOWN
        # Dead images often answer 200 with an HTML page; HEAD's Content-Type is enough when it is an image.
        media = outcome.answer.headers.get("content-type", "").split(";")[0].strip().lower()
        needs_content = wants_image and 200 <= status < 300 and not media.startswith("image/")
        if (unreliable and trust.status_stands(host, status)) or (needs_content and trust.type_stands(host)):
            return outcome
        if unreliable or needs_content or (300 <= status < 400):
            confirmed = await self._follow("GET", chain, attempts, budget)
            if confirmed.url == outcome.url and confirmed.status not in _SLOW_DOWN:
                if unreliable:
                    trust.statuses(host, status, confirmed.status)
                elif needs_content and confirmed.status is not None and 200 <= confirmed.status < 300:
                    answer = confirmed.answer
                    seen = sniff_image(answer.headers.get("content-type"), answer.body)
                    trust.types(host, sniff_image(media or None, None), seen)
            return confirmed
        return outcome

    async def probe(self, url: str, wants_image: bool = False, *, wants_anchors: bool = False) -> Evidence:
        """Everything we can learn about `url`, retried as the policy and its budget allow.

        `wants_anchors`: the page's anchors are evidence too (`#fragment` citations), so it is read with GET.
        """
        evidence, _ = await self.probe_page(url, wants_image, wants_anchors=wants_anchors)
        return evidence

    async def probe_page(
        self, url: str, wants_image: bool = False, *, wants_anchors: bool = False, wants_body: bool = False
    ) -> tuple[Evidence, bytes | None]:
        """`probe`, and the final answer's body prefix when it was read (None after a HEAD).

        `wants_body`: read the page with GET from the start (the soft-rot rules read it), so a page costs
        the same one request as with HEAD.
        """
        read_with_get = wants_anchors or wants_body
        attempts: Kept[Attempt] = Kept()
        budget = Budget(self.settings.budget_for(_host_of(url)))
        chain = _Chain(url, self.headers.chain(url))
        chain.visit(url)
        tries = {"again": 0, "slow": 0}
        settings = self.settings
        gate = self.gate_for(_host_of(url))
        last: list[_Outcome] = []

        def should_stop() -> bool:
            return (
                gate.dead is not None
                or gate.rate_limited
                or budget.exhausted
                or tries["again"] > settings.retries
                or tries["slow"] > settings.rate_limit_retries
            )

        def delay() -> float:
            outcome = last[-1]
            if outcome.retry_class() == "slow":
                if outcome.answer.retry_in is not None:  # the server's word, or its host's pause
                    budget.excuse(outcome.answer.retry_in)  # politeness, not this URL's cost
                    return outcome.answer.retry_in
                return float(min(settings.max_retry_wait, settings.retry_base * 2 ** (tries["slow"] - 1)))
            if outcome.error is ErrorKind.TIMEOUT:
                return 0.0  # the whole timeout went by since this URL's last request: it has waited
            return float(min(settings.max_retry_wait, settings.retry_base * 2 ** (tries["again"] - 1)))

        def stop(state: RetryCallState) -> bool:
            return should_stop()

        async def once() -> _Outcome:
            if last:
                if should_stop():  # the host was given up on, or the budget spent, during the wait
                    return last[-1]
                chain.commit(last[-1].walk)  # resume at the hop that failed: hops count across tries
            if read_with_get:
                outcome = await self._follow("GET", chain, attempts, budget)
            else:
                outcome = await self._try(chain, wants_image, attempts, budget)
            last[:] = [outcome]
            kind = outcome.retry_class()
            if kind is not None:
                tries[kind] += 1
            return outcome

        # Most URLs need one try, and tenacity's bookkeeping would cost them more CPU than their verdict:
        # it takes over only once a try has to be repeated, with the same stop and wait rules.
        async def one_try(spend: Budget) -> _Outcome:
            if read_with_get:
                return await self._follow("GET", chain, attempts, spend)
            return await self._try(chain, wants_image, attempts, spend)

        async def hedged() -> _Outcome:
            """The tries left after a timeout, the second started when the first has not answered
            within `_HEDGE_SHARE` of the deadline: a URL that hangs costs one deadline per two tries,
            not one per try. The first answer that is no timeout wins and the other try is cancelled."""
            chain.commit(last[-1].walk)
            done: list[_Outcome] = []
            first_back = trio.Event()

            async def attempt(scope: trio.CancelScope, spend: Budget) -> None:
                try:
                    outcome = await one_try(spend)
                except trio.Cancelled:
                    tries["again"] += 1  # sent (or about to be) and dropped: a try all the same
                    raise
                kind = outcome.retry_class()
                if kind is not None:
                    tries[kind] += 1
                done.append(outcome)
                first_back.set()
                # A final answer or a slow-down ends the other try; a transient failure (500, reset) does
                # not: the other try is this one's retry, already under way.
                if kind in (None, "slow"):
                    scope.cancel()

            async with trio.open_nursery() as nursery:
                nursery.start_soon(attempt, nursery.cancel_scope, budget)
                with trio.move_on_after(_HEDGE_SHARE * settings.timeout_for(_host_of(chain.start))):
                    await first_back.wait()
                if not done and not should_stop():
                    # Its waits overlap the first try's, already excused or charged: it excuses none.
                    nursery.start_soon(attempt, nursery.cancel_scope, budget.companion())
            answered = [outcome for outcome in done if outcome.retry_class() in (None, "slow")]
            outcome = answered[0] if answered else done[-1]
            last[:] = [outcome]
            return outcome

        outcome = await once()
        if outcome.retry_class() is None or should_stop():
            evidence = self._evidence(url, chain, outcome, attempts)
            return self._with_anchors(evidence, outcome, wants_anchors), outcome.answer.body
        if outcome.error is ErrorKind.TIMEOUT and tries["again"] < settings.retries:
            outcome = await hedged()
            if outcome.retry_class() is None or should_stop():
                evidence = self._evidence(url, chain, outcome, attempts)
                return self._with_anchors(evidence, outcome, wants_anchors), outcome.answer.body
        await budget.sleep(delay())
        retrying = AsyncRetrying(
            stop=stop,
            wait=lambda state: delay(),
            retry=retry_if_result(lambda o: o.retry_class() is not None),
            sleep=budget.sleep,
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        )
        outcome = await retrying(once)
        evidence = self._evidence(url, chain, outcome, attempts)
        return self._with_anchors(evidence, outcome, wants_anchors), outcome.answer.body

    def _with_anchors(self, evidence: Evidence, outcome: _Outcome, wants_anchors: bool) -> Evidence:
        if not wants_anchors:
            return evidence
        anchors = page_anchors(evidence, outcome.answer.body, self.settings.max_body)
        return dataclasses.replace(evidence, anchors=anchors)

    def _evidence(self, url: str, chain: _Chain, outcome: _Outcome, attempts: Kept[Attempt]) -> Evidence:
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
        hops: Kept[Hop] = Kept()
        hops.extend(chain.hops)
        hops.extend(outcome.walk.hops)
        return Evidence(
            url=url,
            status=outcome.status,
            error=outcome.error,
            detail=clip(outcome.detail) if outcome.detail is not None else None,
            final_url=outcome.url,
            redirects=hops.items(),
            attempts=attempts.items(),
            content_type=content_type,
            is_image=sniff_image(content_type, body) if outcome.error is None else None,
            challenge=challenge,
            retry_after=parse_retry_after(headers.get("retry-after")),
            checked_at=_now(),
            fingerprint=hashlib.sha256(body).hexdigest()[:16] if body else None,
            extra=extra,
            attempts_omitted=attempts.omitted,
            redirects_omitted=hops.omitted,
        )
