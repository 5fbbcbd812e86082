"""Politeness toward one host, independent of the per-request retry policy.

A `HostGate` bounds requests in flight to its host, spaces request starts by a minimum interval, and
adapts: a 429/503 (with `Retry-After`, `RateLimit-*`, or by exponential backoff when the server says
nothing) pauses the whole host and halves its concurrency; a run of successes restores it. It also
remembers connection-level failures, so a vanished host is given up on after a few tries instead of
being asked 45,000 times, and requests that got no answer at all in their deadline, so a host that
swallows requests is given up on after a few of them rather than after every URL's retries.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import trio

from linkaudit.models import ErrorKind
from linkaudit.settings import HostPolicy

__all__ = ["HostGate", "parse_retry_after", "rate_limit_wait"]

_RESTORE_AFTER = 8  # successes in a row before one more request may be in flight again


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    wall = time.time() if now is None else now
    return max(0.0, when.timestamp() - wall)


def rate_limit_wait(headers: dict[str, str]) -> float | None:
    """Seconds until the quota resets when `RateLimit-*` / `X-RateLimit-*` headers say it is spent."""
    remaining = headers.get("ratelimit-remaining") or headers.get("x-ratelimit-remaining")
    reset = headers.get("ratelimit-reset") or headers.get("x-ratelimit-reset")
    if remaining is None or reset is None:
        return None
    try:
        if int(remaining.split(",")[0].strip().split(";")[0]) > 0:
            return None
        seconds = float(reset.split(",")[0].strip().split(";")[0])
    except ValueError:
        return None
    if seconds > 1e9:  # some servers send an epoch timestamp
        seconds -= time.time()
    return max(0.0, seconds)


class HostGate:
    """Admission to one host: concurrency, spacing, backoff and dead-host memory."""

    def __init__(self, host: str, policy: HostPolicy, *, max_wait: float, backoff_base: float) -> None:
        self.host = host
        self.policy = policy
        self.limiter = trio.CapacityLimiter(max(1, policy.concurrency))
        self.max_wait = max_wait
        self.backoff_base = backoff_base
        self.next_start = 0.0
        self.next_send = 0.0
        self.backoff_until = 0.0
        self.slowed_at = float("-inf")  # when the latest slow-down began
        self.slowdowns = 0  # consecutive slow-down answers, for exponential backoff without Retry-After
        self.successes = 0
        self.connection_failures = 0
        self.silences = 0  # requests in a row that got nothing at all within their deadline
        self.dead: ErrorKind | None = None
        self.dead_detail: str | None = None
        # Set once the host answered nothing but 429/503 for `give_up_after` slow-downs in a row: its
        # remaining URLs are reported rate-limited without asking again (a host that only ever says
        # "later" would otherwise hold each URL for retries × Retry-After).
        self.give_up_after: int | None = None
        self.rate_limited = False
        self.dead_reported = False  # the observer was told
        self.in_flight = 0
        self.max_in_flight = 0
        self.backlog = 0  # URLs of this host not started yet: its priority for the global limit

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[float]:
        """Hold one of the host's request slots, entered no sooner than spacing and backoff allow.

        Yields how long the wait was not the request's own doing (another request held the slot, or the
        host asked for a pause): a URL's time budget is not charged for it. The spacing is charged: a
        chain of redirects pays its own hops' spacing.
        """
        asked = trio.current_time()
        async with self.limiter:
            slotted = trio.current_time()
            while True:
                ready = max(self.next_start, self.backoff_until)
                if trio.current_time() >= ready:
                    break
                await trio.sleep_until(ready)
            admitted = trio.current_time()
            self.next_start = admitted + self.policy.interval
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                yield (slotted - asked) + max(0.0, min(self.backoff_until, admitted) - slotted)
            finally:
                self.in_flight -= 1

    async def trace(self, event: str, info: Mapping[str, object]) -> None:
        """httpcore's `trace` hook for this host's requests: space them on the wire, not only at admission.

        `slot` spaces the moments requests are admitted, but a new connection's set-up or a busy event loop
        can delay one request's first byte by milliseconds (tens under load) while the next goes out at once:
        the server would see them closer than the interval. So the interval is kept once more right before
        a request's headers are written; when admission already spaced them, this waits for nothing.
        """
        if not event.endswith(".send_request_headers.started"):
            return
        while True:
            now = trio.current_time()
            if now >= self.next_send:
                break
            await trio.sleep_until(self.next_send)
        self.next_send = now + self.policy.interval

    def slow_down(self, retry_after: float | None, *, sent_at: float | None = None) -> float:
        """The host said 429/503: pause it and halve its concurrency. Returns the pause in seconds.

        An answer to a request sent (`sent_at`) before the current slow-down began belongs to it: the host
        said so about the same moment, before it could see us slow down. Its Retry-After is honoured, but
        the pause is not doubled nor the concurrency halved again, or one busy second would cost several.
        """
        self.silences = 0  # it answered
        now = trio.current_time()
        if sent_at is not None and sent_at < self.slowed_at:
            if retry_after is None:
                return max(0.0, self.backoff_until - now)
            wait = min(retry_after, self.max_wait)
            self.backoff_until = max(self.backoff_until, now + wait)
            return wait
        self.slowed_at = now
        self.slowdowns += 1
        self.successes = 0
        if self.give_up_after is not None and self.slowdowns >= self.give_up_after:
            self.rate_limited = True
        wait = retry_after if retry_after is not None else self.backoff_base * 2 ** (self.slowdowns - 1)
        wait = min(wait, self.max_wait)
        self.backoff_until = max(self.backoff_until, trio.current_time() + wait)
        self.limiter.total_tokens = max(1, int(self.limiter.total_tokens) // 2)
        return wait

    def pause(self, seconds: float) -> None:
        """The host's quota is spent (RateLimit headers): hold new requests without penalizing."""
        self.backoff_until = max(self.backoff_until, trio.current_time() + min(seconds, self.max_wait))

    def answered(self) -> None:
        """Any HTTP answer other than a slow-down: the host is alive and may speed back up."""
        self.connection_failures = 0
        self.silences = 0
        self.slowdowns = 0
        self.successes += 1
        tokens = int(self.limiter.total_tokens)
        if self.successes >= _RESTORE_AFTER and tokens < self.policy.concurrency:
            self.limiter.total_tokens = tokens + 1
            self.successes = 0

    def silent(self, detail: str | None, *, dead_after: int) -> None:
        """A request got no answer within its whole deadline (connected or not).

        Counted per request, not per URL: each silence already cost a full deadline, and a URL's retries
        would multiply it (5,000 URLs x 4 tries x 20 s). A few in a row with no answer in between (any
        answer resets the count, a slow-down too) and the host is given up on.
        """
        self.silences += 1
        if self.silences >= dead_after and self.dead is None:
            self.dead = ErrorKind.TIMEOUT
            self.dead_detail = f"no answer to {self.silences} requests in a row ({detail})"

    def failed(self, kind: ErrorKind, detail: str | None, *, dead_after: int) -> None:
        """A URL's final outcome was a connection-level failure; enough in a row mean the host is gone."""
        if not kind.is_connection_level:
            return
        self.connection_failures += 1
        # A name that does not exist will not exist for the next URL either.
        gone = kind is ErrorKind.DNS_NOT_FOUND or self.connection_failures >= dead_after
        if gone and self.dead is None:
            self.dead = kind
            self.dead_detail = detail
