"""Politeness toward one host, independent of the per-request retry policy.

A `HostGate` bounds requests in flight to its host (a URL already under way goes before fresh ones),
spaces request starts by a minimum interval, and adapts to what the host says. The checker follows the
server's word (`heed`): the URL answered 429/503 waits exactly its `Retry-After` (or its own backoff when
the server names no time). The whole host is paused only when the answer speaks for the host: a second
slow-down with no good answer between (then for the Retry-After, else exponentially), or a refusal at a
load the host never coped with. A lone slow-down among good answers (one page rate-limited, a flaky
backend) pauses nothing else: at a host allowed a request every 50 ms, a 1 s pause per such URL cost the
run 20 requests' time, where the host's next answers said all was well. Concurrency is cut to one below
the load it was refused at, never below the load it has answered well, and a place comes back after 16
good answers in a row (under a second at 20 requests a second); refused again at that load, the next try
waits twice as long, so a host that limits requests in flight is not asked one too many over and over.
(`slow_down`, the older rule the archive client keeps: every slow-down pauses the host and halves its
concurrency.) It also remembers connection-level failures, so a vanished host is given up on after a few
tries instead of being asked 45,000 times, and requests that got no answer at all in their deadline, so a
host that swallows requests is given up on after a few of them rather than after every URL's retries.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

import trio

from linkaudit.check.schedule import PriorityLimiter
from linkaudit.check.timeline import Timeline
from linkaudit.models import ErrorKind
from linkaudit.settings import HostPolicy

__all__ = ["Admission", "HostGate", "parse_retry_after", "rate_limit_wait"]

_RESTORE_AFTER = 8  # successes in a row before one more request may be in flight again (`slow_down`)
_PROBE_AFTER = 16  # good answers in a row before trying again a load the host refused (doubles)
_URGENT = 1.0  # host-limit priority of a URL under way (fresh URLs: 0)
_LATENCY_WEIGHT = 0.2  # of each new answer's time in the host's running latency estimate
_LAG_WEIGHT = 0.2  # of each request's time from admission to the wire, in its running estimate


@dataclass(frozen=True, slots=True)
class Admission:
    """How a request's admission went: seconds waited for a place at the host (`host_slot`), for the
    host's spacing (`spacing`) and for a pause the host asked for (`pause`), and how many of the host's
    requests were in flight with it (`load`, itself included). `seq` and `admitted` let `trace` tell
    the host's latest admission and how long it took to reach the wire."""

    host_slot: float
    spacing: float
    pause: float
    load: int
    seq: int = 0
    admitted: float = 0.0

    @property
    def excused(self) -> float:
        """What a URL's time budget is not charged for: other requests' turn, or a pause the host asked
        for. The spacing is charged: a chain of redirects pays its own hops' spacing."""
        return self.host_slot + self.pause


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
        self.limiter = PriorityLimiter(max(1, policy.concurrency))
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
        self.backlog = 0  # URLs of this host not done yet: with its pace, its priority for the global limit
        self.latency: float | None = None  # running estimate of one request's time here
        # The most requests in flight that the host has answered well since its latest cut (what a cut
        # may not go below: the host showed it copes with that many).
        self.proven = 0
        self._probe_after = _PROBE_AFTER
        self._trying = False  # a place was given back, and the host has not refused since
        self.timeline: Timeline | None = None
        self._admissions = 0
        self._sleepers: set[trio.CancelScope] = set()  # requests waiting for `next_start`
        self._lag = 0.0  # running estimate of the time from admission to the wire

    @asynccontextmanager
    async def slot(self, *, urgent: bool = False) -> AsyncIterator[Admission]:
        """Hold one of the host's request slots, entered no sooner than spacing and backoff allow.

        `urgent`: the request continues a URL already under way (a retry, a hop, a GET after HEAD); it goes
        before fresh URLs, so that a chain that has to be long is not made longer by waiting behind them.
        """
        asked = trio.current_time()
        async with self.limiter.hold(_URGENT if urgent else 0.0):
            slotted = trio.current_time()
            while True:
                ready = max(self.next_start, self.backoff_until)
                if trio.current_time() >= ready:
                    break
                with trio.move_on_at(ready) as wait:  # `trace` may move the time sooner
                    self._sleepers.add(wait)
                    try:
                        await trio.sleep_forever()
                    finally:
                        self._sleepers.discard(wait)
            admitted = trio.current_time()
            self.next_start = admitted + self.policy.interval
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self._admissions += 1
            paused = max(0.0, min(self.backoff_until, admitted) - slotted)
            try:
                yield Admission(
                    slotted - asked,
                    admitted - slotted - paused,
                    paused,
                    self.in_flight,
                    self._admissions,
                    admitted,
                )
            finally:
                self.in_flight -= 1

    def remaining(self) -> float:
        """Seconds of work this host still has at best: its URLs not done, at its
        spacing or at its latency over its concurrency, whichever is slower. The global limit serves the
        host with the most first: it is the one that would make the run longer."""
        each = self.policy.interval
        if self.latency is not None:
            each = max(each, self.latency / max(1, self.limiter.total_tokens))
        return self.backlog * each

    def took(self, seconds: float) -> None:
        """One answer's time, for the latency estimate."""
        if self.latency is None:
            self.latency = seconds
        else:
            self.latency += _LATENCY_WEIGHT * (seconds - self.latency)

    def _resize(self, tokens: int, why: str) -> None:
        tokens = max(1, min(tokens, max(1, self.policy.concurrency)))
        if tokens != self.limiter.total_tokens:
            self.limiter.total_tokens = tokens
            if self.timeline is not None:
                self.timeline.host_event(self.host, "concurrency", tokens, why)

    def _paused(self, seconds: float, why: str) -> None:
        if self.timeline is not None and seconds > 0:
            self.timeline.host_event(self.host, "pause", seconds, why)

    async def trace(
        self, event: str, info: Mapping[str, object], *, admission: Admission | None = None
    ) -> None:
        """httpcore's `trace` hook for this host's requests: space them on the wire, not only at admission.

        `slot` spaces the moments requests are admitted, but a new connection's set-up or a busy event loop
        can delay one request's first byte by milliseconds (tens under load) while the next goes out at once:
        the server would see them closer than the interval. So the interval is kept once more right before
        a request's headers are written; when admission already spaced them, this waits for nothing.

        With the request's `admission`, the wire sets the next admission too: the host's latest admitted
        request reaching the wire late would otherwise make every later one late as well (each waits here
        for the one before, holding its place at the host all the while: at 4 places and 150 ms answers,
        a lag of 50 ms makes a host allowed 20 requests a second get 16). So the next admission is due one
        interval after this send, less the usual lag.
        """
        if not event.endswith(".send_request_headers.started"):
            return
        arrived = trio.current_time()
        while True:
            now = trio.current_time()
            if now >= self.next_send:
                break
            await trio.sleep_until(self.next_send)
        interval = self.policy.interval
        self.next_send = now + interval
        if admission is not None:
            self._lag += _LAG_WEIGHT * (arrived - admission.admitted - self._lag)
            if admission.seq == self._admissions:
                self.next_start = now + interval - min(self._lag, interval / 2)
                for wait in self._sleepers:
                    wait.deadline = max(self.next_start, self.backoff_until)

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
        self._paused(wait, "slow-down")
        self._resize(int(self.limiter.total_tokens) // 2, "halved after a slow-down")
        return wait

    def heed(self, retry_after: float | None, *, sent_at: float, load: int) -> float | None:
        """The host answered 429/503 to a request sent at `sent_at` with `load` requests in flight.

        Returns how long that URL waits before asking again: `Retry-After` exactly, or, when the server
        named no time, the host's pause if it is paused, else None (the URL waits its own backoff). See the
        module docstring for when the whole host is paused.
        """
        self.silences = 0  # it answered
        now = trio.current_time()
        wait = None if retry_after is None else min(retry_after, self.max_wait)
        if sent_at < self.slowed_at:  # sent before the current slow-down began: it belongs to that one
            if wait is not None and self.backoff_until > now:
                self._pause_until(now + wait, "Retry-After")  # the host is paused: as long as it says
            return wait if wait is not None else self._pause_left(now)
        self.slowed_at = now
        self.slowdowns += 1
        self.successes = 0
        if self.give_up_after is not None and self.slowdowns >= self.give_up_after:
            self.rate_limited = True
        if self.slowdowns >= 2:
            self.proven = 0  # no good answer since the last slow-down: what it coped with before is stale
        overloaded = load > self.proven  # refused at a load it never coped with: that load was too much
        if overloaded:
            tokens = min(int(self.limiter.total_tokens), max(self.proven, load - 1))
            if self._trying:
                self._probe_after *= 2  # a place given back was refused: wait longer before the next try
                self._trying = False
            self._resize(tokens, f"refused with {load} in flight")
        if wait is not None:
            if overloaded or self.slowdowns >= 2:
                self._pause_until(now + wait, "Retry-After")
            return wait
        if self.slowdowns >= 2:  # no good answer since the last one: the host is struggling, pause it
            backoff = min(self.backoff_base * 2 ** (self.slowdowns - 2), self.max_wait)
            if now + backoff > self.backoff_until:
                self.backoff_until = now + backoff
                self._paused(backoff, f"{self.slowdowns} slow-downs in a row")
        return self._pause_left(now)

    def _pause_until(self, until: float, why: str) -> None:
        if until > self.backoff_until:
            self._paused(until - trio.current_time(), why)
            self.backoff_until = until

    def _pause_left(self, now: float) -> float | None:
        left = self.backoff_until - now
        return left if left > 0 else None

    def pause(self, seconds: float) -> None:
        """The host's quota is spent (RateLimit headers): hold new requests without penalizing."""
        self.backoff_until = max(self.backoff_until, trio.current_time() + min(seconds, self.max_wait))

    def answered(self, *, load: int | None = None, sent_at: float | None = None) -> None:
        """Any HTTP answer other than a slow-down: the host is alive and may speed back up.

        With `load` (requests in flight when it was sent) the answer counts for `heed`'s rules: it proves
        the host copes with that load, and, when sent after the latest slow-down, a couple in a row give a
        place back (see the module docstring). Without, the `slow_down` rule: one place back per eight
        answers in a row.
        """
        self.connection_failures = 0
        self.silences = 0
        self.slowdowns = 0
        tokens = int(self.limiter.total_tokens)
        if load is None:
            self.successes += 1
            if self.successes >= _RESTORE_AFTER and tokens < self.policy.concurrency:
                self._resize(tokens + 1, f"{self.successes} good answers")
                self.successes = 0
            return
        self.proven = max(self.proven, load)
        if sent_at is not None and sent_at < self.slowed_at:
            return  # on its way before the slow-down: says nothing of how the host is now
        self.successes += 1
        if tokens < self.policy.concurrency and self.successes >= self._probe_after:
            self._resize(tokens + 1, f"{self.successes} good answers")
            self._trying = True
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
