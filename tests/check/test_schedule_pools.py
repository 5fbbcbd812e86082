"""The engine's scheduling pieces: the priority limiter, send-time spacing, slow-down bookkeeping and
connection reuse (the last against a real server on loopback)."""

from __future__ import annotations

import dataclasses
import ipaddress

import trio
import trio.testing

from linkaudit.check import CheckItem, check_targets
from linkaudit.check.gate import HostGate
from linkaudit.check.resolve import Resolver
from linkaudit.check.schedule import PriorityLimiter
from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.models import LinkKind, Occurrence, UrlResult, Verdict
from linkaudit.settings import CheckSettings, HostPolicy
from linkaudit.urls import normalize


async def test_priority_limiter_serves_the_highest_priority_first(
    autojump_clock: trio.testing.MockClock,
) -> None:
    limiter = PriorityLimiter(1)
    order: list[str] = []

    async def holder(name: str, priority: float, delay: float) -> None:
        await trio.sleep(delay)
        async with limiter.hold(priority):
            order.append(name)
            await trio.sleep(1)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(holder, "first", 0, 0)
        nursery.start_soon(holder, "low", 1, 0.1)
        nursery.start_soon(holder, "high", 9, 0.2)
        nursery.start_soon(holder, "middle", 5, 0.3)
    assert order == ["first", "high", "middle", "low"]
    assert limiter.borrowed == 0


async def test_priority_limiter_never_exceeds_and_survives_cancelled_waiters(
    autojump_clock: trio.testing.MockClock,
) -> None:
    limiter = PriorityLimiter(2)
    inside = 0
    most = 0

    async def holder(priority: float) -> None:
        nonlocal inside, most
        async with limiter.hold(priority):
            inside += 1
            most = max(most, inside)
            await trio.sleep(1)
            inside -= 1

    async def impatient() -> None:
        await trio.sleep(0.1)  # trio may run tasks in any order: come once the places are taken
        with trio.move_on_after(0.5):
            async with limiter.hold(100):
                raise AssertionError("never admitted: the limiter is full for a whole second")

    async with trio.open_nursery() as nursery:
        for n in range(6):
            nursery.start_soon(holder, float(n))
        nursery.start_soon(impatient)
    assert most == 2
    assert limiter.borrowed == 0


async def test_send_time_spacing(autojump_clock: trio.testing.MockClock) -> None:
    gate = HostGate("a.example", HostPolicy(concurrency=4, interval=0.5), max_wait=10, backoff_base=1)
    sent: list[float] = []

    async def send() -> None:
        await gate.trace("http11.send_request_headers.started", {})
        sent.append(trio.current_time())

    async with trio.open_nursery() as nursery:
        for _ in range(4):
            nursery.start_soon(send)
    gaps = [b - a for a, b in zip(sorted(sent), sorted(sent)[1:], strict=False)]
    assert min(gaps) >= 0.5 - 1e-9
    await gate.trace("http11.receive_response_headers.started", {})  # other events never wait


async def test_answers_to_requests_sent_before_a_slow_down_do_not_compound(
    autojump_clock: trio.testing.MockClock,
) -> None:
    gate = HostGate("a.example", HostPolicy(concurrency=8, interval=0), max_wait=60, backoff_base=1)
    sent = trio.current_time()
    await trio.sleep(0.01)
    assert gate.slow_down(None, sent_at=sent) == 1
    assert gate.limiter.total_tokens == 4
    # A second 503 to a request that was already on its way: same pause, no second halving.
    gate.slow_down(None, sent_at=sent)
    assert gate.limiter.total_tokens == 4
    assert gate.slowdowns == 1
    # One sent after the slow-down began is news: the host is still unhappy.
    await trio.sleep(2)
    assert gate.slow_down(None, sent_at=trio.current_time()) == 2
    assert gate.limiter.total_tokens == 2


def _item(url: str) -> CheckItem:
    target = normalize(url)
    occ = Occurrence(
        file="a.md", line=1, column=1, start=0, end=1, kind=LinkKind.LINK, raw=url, target=target
    )
    return CheckItem(target, (occ,))


async def test_connections_are_reused() -> None:
    with SimWeb() as web:
        host = web.host("keep.example")
        for n in range(30):
            host.route(f"/p{n}", Reply.html("ok"))
        host.route("/moved", Reply.redirect("/p0", 301))
        items = [_item(web.url("keep.example", f"/p{n}")) for n in range(30)]
        items.append(_item(web.url("keep.example", "/moved")))
        settings = dataclasses.replace(
            CheckSettings(),
            host=HostPolicy(concurrency=2, interval=0.0),
            retry_base=0.01,
            allow_private_nets=(ipaddress.ip_network("127.0.0.0/8"),),
        )
        results: list[UrlResult] = []
        resolver = Resolver({**web.resolve, "*": None}, system=False)
        await check_targets(items, settings, on_result=results.append, resolver=resolver)
        stats = web.stats("keep.example")
    assert {r.judgement.verdict for r in results} == {Verdict.LIVE, Verdict.REDIRECTED}
    assert stats.requests >= 32
    assert stats.connections <= 4, f"{stats.connections} connections for {stats.requests} requests"
