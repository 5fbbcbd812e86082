"""The resolver seam and the per-host gate, on trio's clock (no sockets)."""

from __future__ import annotations

import email.utils
import itertools
import time

import pytest
import trio
import trio.testing

from linkaudit.check.gate import HostGate, parse_retry_after, rate_limit_wait
from linkaudit.check.resolve import NameNotFound, Resolver, parse_resolve
from linkaudit.models import ErrorKind
from linkaudit.settings import HostPolicy


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("news.example:127.0.0.2", ("news.example", "127.0.0.2")),
        ("News.Example:127.0.0.2:8080", ("news.example", "127.0.0.2:8080")),
        ("news.example:443:127.0.0.3", ("news.example", "443=127.0.0.3")),
        ("gone.example:nxdomain", ("gone.example", None)),
        ("*:nxdomain", ("*", None)),
        ("v6.example:[::1]:81", ("v6.example", "[::1]:81")),
    ],
)
def test_parse_resolve(spec: str, expected: tuple[str, str | None]) -> None:
    assert parse_resolve(spec) == expected


@pytest.mark.parametrize(
    "spec", ["news.example", "news.example:not-an-ip", ":127.0.0.1", "a:127.0.0.1:99999"]
)
def test_parse_resolve_rejects(spec: str) -> None:
    with pytest.raises(ValueError, match="--resolve"):
        parse_resolve(spec)


async def test_resolver_overrides_wildcards_and_no_system() -> None:
    resolver = Resolver(
        {
            "news.example": "127.0.0.2:8080",
            "*.cdn.example": "127.0.0.3",
            "gone.example": None,
            "only.example": "443=127.0.0.4",
        },
        system=False,
    )
    assert await resolver.resolve("NEWS.example", 80) == ("127.0.0.2", 8080)
    assert await resolver.resolve("img.cdn.example", 80) == ("127.0.0.3", 80)
    assert await resolver.resolve("127.0.0.9", 81) == ("127.0.0.9", 81)
    assert await resolver.resolve("only.example", 443) == ("127.0.0.4", 443)
    for name, port in (("gone.example", 80), ("elsewhere.example", 80), ("only.example", 80)):
        with pytest.raises(NameNotFound):
            await resolver.resolve(name, port)


def test_retry_after_seconds_and_date() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    now = time.time()
    date = email.utils.formatdate(now + 30, usegmt=True)
    wait = parse_retry_after(date, now=now)
    assert wait is not None
    assert 28 <= wait <= 31
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0


def test_rate_limit_headers() -> None:
    assert rate_limit_wait({"ratelimit-remaining": "0", "ratelimit-reset": "12"}) == 12.0
    assert rate_limit_wait({"x-ratelimit-remaining": "3", "x-ratelimit-reset": "12"}) is None
    assert rate_limit_wait({}) is None


async def test_gate_spaces_starts_and_limits_in_flight(autojump_clock: trio.testing.MockClock) -> None:
    gate = HostGate("a.example", HostPolicy(concurrency=2, interval=0.5), max_wait=60, backoff_base=1)
    starts: list[float] = []

    async def request() -> None:
        async with gate.slot():
            starts.append(trio.current_time())
            await trio.sleep(2)

    async with trio.open_nursery() as nursery:
        for _ in range(6):
            nursery.start_soon(request)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.5 - 1e-9
    assert gate.max_in_flight == 2


async def test_gate_backs_off_and_recovers(autojump_clock: trio.testing.MockClock) -> None:
    gate = HostGate("a.example", HostPolicy(concurrency=4, interval=0), max_wait=10, backoff_base=1)
    assert gate.slow_down(None) == 1
    assert gate.slow_down(None) == 2
    assert gate.slow_down(30) == 10  # capped by --max-retry-wait
    assert gate.limiter.total_tokens == 1
    before = trio.current_time()
    async with gate.slot():
        assert trio.current_time() - before >= 10 - 1e-9
    for _ in range(40):
        gate.answered()
    assert gate.limiter.total_tokens == 4


def test_gate_gives_up_on_dead_host() -> None:
    gate = HostGate("a.example", HostPolicy(), max_wait=10, backoff_base=1)
    gate.failed(ErrorKind.CONNECTION_REFUSED, "refused", dead_after=3)
    gate.failed(ErrorKind.CONNECTION_REFUSED, "refused", dead_after=3)
    assert gate.dead is None
    gate.answered()  # an answer in between resets the count
    for _ in range(2):
        gate.failed(ErrorKind.CONNECTION_REFUSED, "refused", dead_after=3)
    assert gate.dead is None
    gate.failed(ErrorKind.CONNECTION_REFUSED, "refused", dead_after=3)
    assert gate.dead is ErrorKind.CONNECTION_REFUSED
    other = HostGate("b.example", HostPolicy(), max_wait=10, backoff_base=1)
    other.failed(ErrorKind.DNS_NOT_FOUND, "nx", dead_after=3)
    assert other.dead is ErrorKind.DNS_NOT_FOUND
