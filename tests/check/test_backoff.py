"""Backoff that follows the server's word (HostGate.heed), URLs under way first, limits that resize: unit
tests on trio's mock clock, then the same rules against real servers on loopback."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
import trio
import trio.testing
from test_engine import FAST, LOOPBACK, item

from linkaudit.check import Timeline, check_targets
from linkaudit.check.gate import HostGate
from linkaudit.check.resolve import Resolver
from linkaudit.check.schedule import PriorityLimiter
from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.models import UrlResult, Verdict
from linkaudit.settings import CheckSettings, HostPolicy


def _gate(concurrency: int = 4) -> HostGate:
    return HostGate("a.example", HostPolicy(concurrency=concurrency, interval=0), max_wait=60, backoff_base=1)


async def test_retry_after_holds_its_url_and_pauses_the_host_when_it_speaks_for_it(
    autojump_clock: trio.testing.MockClock,
) -> None:
    gate = _gate()
    gate.answered(load=4, sent_at=trio.current_time())
    # A lone 429 at a load the host coped with: that URL waits exactly 2.5 s, the host goes on.
    assert gate.heed(2.5, sent_at=trio.current_time(), load=4) == 2.5
    assert gate.backoff_until <= trio.current_time()
    assert gate.limiter.total_tokens == 4
    # A second one, no good answer between: the host's word, for the whole host, exactly.
    await trio.sleep(0.1)
    assert gate.heed(2.5, sent_at=trio.current_time(), load=4) == 2.5
    before = trio.current_time()
    async with gate.slot():
        assert trio.current_time() - before == pytest.approx(2.5, abs=1e-9)


async def test_retry_after_for_a_load_never_coped_with_pauses_the_host(
    autojump_clock: trio.testing.MockClock,
) -> None:
    gate = _gate()
    gate.answered(load=2, sent_at=trio.current_time())
    await trio.sleep(0.1)
    assert gate.heed(1.5, sent_at=trio.current_time(), load=4) == 1.5
    assert gate.backoff_until == pytest.approx(trio.current_time() + 1.5, abs=1e-9)
    assert gate.limiter.total_tokens == 3


async def test_a_lone_slow_down_without_retry_after_pauses_nothing() -> None:
    gate = _gate()
    gate.answered(load=4, sent_at=trio.current_time())
    assert gate.heed(None, sent_at=trio.current_time(), load=3) is None  # the URL waits its own backoff
    assert gate.backoff_until <= trio.current_time()
    assert gate.limiter.total_tokens == 4


async def test_consecutive_slow_downs_pause_the_host_exponentially(
    autojump_clock: trio.testing.MockClock,
) -> None:
    gate = _gate()
    assert gate.heed(None, sent_at=trio.current_time(), load=1) is None
    await trio.sleep(0.1)
    assert gate.heed(None, sent_at=trio.current_time(), load=1) == 1
    await trio.sleep(1)
    assert gate.heed(None, sent_at=trio.current_time(), load=1) == 2
    assert gate.slowdowns == 3


async def test_a_cut_goes_one_below_the_refused_load_and_places_come_back(
    autojump_clock: trio.testing.MockClock,
) -> None:
    gate = _gate(8)
    gate.answered(load=5, sent_at=trio.current_time())
    await trio.sleep(0.1)
    gate.heed(None, sent_at=trio.current_time(), load=8)
    assert gate.limiter.total_tokens == 7  # refused at 8: one fewer (halving would have said 4)
    before = trio.current_time() - 1
    gate.answered(load=3, sent_at=before)  # sent before the slow-down: gives no place back
    gate.answered(load=3, sent_at=before)
    assert gate.limiter.total_tokens == 7
    await trio.sleep(0.1)
    gate.heed(None, sent_at=trio.current_time(), load=7)  # refused at 7, more than it ever coped with
    assert gate.limiter.total_tokens == 6
    await trio.sleep(0.1)
    gate.heed(None, sent_at=trio.current_time(), load=6)  # again, no good answer since: old proof is stale
    assert gate.limiter.total_tokens == 5
    await trio.sleep(0.1)
    for _ in range(15):
        gate.answered(load=3, sent_at=trio.current_time())
    assert gate.limiter.total_tokens == 5
    gate.answered(load=3, sent_at=trio.current_time())
    assert gate.limiter.total_tokens == 6  # a place back after 16 good answers in a row (halving: 8 each)
    for _ in range(32):
        gate.answered(load=3, sent_at=trio.current_time())
    assert gate.limiter.total_tokens == 8


async def test_answers_to_requests_sent_before_the_slow_down_do_not_compound(
    autojump_clock: trio.testing.MockClock,
) -> None:
    gate = _gate()
    sent = trio.current_time()
    await trio.sleep(0.01)
    assert gate.heed(None, sent_at=sent, load=4) is None
    assert gate.heed(None, sent_at=sent, load=4) is None  # the same moment's answers: one slow-down
    assert (gate.slowdowns, gate.limiter.total_tokens) == (1, 3)


async def test_a_url_under_way_goes_before_fresh_ones(autojump_clock: trio.testing.MockClock) -> None:
    gate = _gate(1)
    order: list[str] = []

    async def request(name: str, urgent: bool, delay: float) -> None:
        await trio.sleep(delay)
        async with gate.slot(urgent=urgent):
            order.append(name)
            await trio.sleep(1)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(request, "holder", False, 0)
        nursery.start_soon(request, "fresh 1", False, 0.1)
        nursery.start_soon(request, "fresh 2", False, 0.2)
        nursery.start_soon(request, "retry", True, 0.3)
    assert order == ["holder", "retry", "fresh 1", "fresh 2"]


async def test_priority_limiter_resizes_without_revoking(autojump_clock: trio.testing.MockClock) -> None:
    limiter = PriorityLimiter(3)
    inside = 0
    most_after_shrink = 0
    most_after_growth = 0
    shrunk = trio.Event()
    grown = trio.Event()

    async def holder(delay: float) -> None:
        nonlocal inside, most_after_shrink, most_after_growth
        await trio.sleep(delay)
        async with limiter.hold(0):
            inside += 1
            if grown.is_set():
                most_after_growth = max(most_after_growth, inside)
            elif shrunk.is_set():
                most_after_shrink = max(most_after_shrink, inside)
            await trio.sleep(1)
            inside -= 1

    async def shrink_then_grow() -> None:
        await trio.sleep(0.5)
        limiter.total_tokens = 1
        shrunk.set()
        await trio.sleep(3)
        limiter.total_tokens = 3
        grown.set()

    async with trio.open_nursery() as nursery:
        for _ in range(3):
            nursery.start_soon(holder, 0)
        for _ in range(6):
            nursery.start_soon(holder, 1.2)
        nursery.start_soon(shrink_then_grow)
    assert most_after_shrink == 1  # the three already inside stayed; nobody new came in beside another
    assert most_after_growth == 3  # grown back: the waiters were let in at once
    assert limiter.borrowed == 0
    with pytest.raises(ValueError, match="at least one"):
        limiter.total_tokens = 0


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        yield simulated
        assert simulated.errors == []


async def _check(
    web: SimWeb, urls: list[str], settings: CheckSettings, timeline: Timeline | None = None
) -> dict[str, UrlResult]:
    results: list[UrlResult] = []
    resolver = Resolver({**web.resolve, "*": None}, system=False)
    await check_targets(
        [item(url) for url in urls], settings, on_result=results.append, resolver=resolver, timeline=timeline
    )
    return {r.target.url: r for r in results}


async def test_a_lone_retry_after_holds_its_url_exactly_and_the_host_goes_on(web: SimWeb) -> None:
    host = web.host("news.example", latency=0.02)
    host.route("/busy", Reply.html("later", status=429, headers={"Retry-After": "1"}), Reply.html("ok"))
    for n in range(40):
        host.route(f"/story/{n}", Reply.html("story"))
    settings = dataclasses.replace(FAST, host=HostPolicy(concurrency=2, interval=0.0))
    urls = [web.url("news.example", f"/story/{n}") for n in range(4)] + [web.url("news.example", "/busy")]
    urls += [web.url("news.example", f"/story/{n}") for n in range(4, 40)]
    timeline = Timeline()
    results = await _check(web, urls, settings, timeline)
    assert {r.judgement.verdict for r in results.values()} == {Verdict.LIVE}
    log = web.stats("news.example").log
    busy = [r.time for r in log if r.path == "/busy"]
    assert len(busy) == 2
    assert busy[1] - busy[0] >= 1 - 0.02  # the server's word, for that URL
    assert any(busy[0] < r.time < busy[1] and r.path != "/busy" for r in log)
    assert [e for e in timeline.events if e.kind == "pause"] == []


async def test_retry_after_twice_in_a_row_holds_the_whole_host_that_long(web: SimWeb) -> None:
    host = web.host("news.example", latency=0.02)
    later = Reply.html("later", status=429, headers={"Retry-After": "1"})
    host.route("/a", later, Reply.html("ok"))
    host.route("/b", later, Reply.html("ok"))
    for n in range(12):
        host.route(f"/story/{n}", Reply.html("story"))
    settings = dataclasses.replace(FAST, host=HostPolicy(concurrency=1, interval=0.0))
    urls = [web.url("news.example", path) for path in ("/a", "/b")]
    urls += [web.url("news.example", f"/story/{n}") for n in range(12)]
    timeline = Timeline()
    results = await _check(web, urls, settings, timeline)
    assert {r.judgement.verdict for r in results.values()} == {Verdict.LIVE}
    log = web.stats("news.example").log
    second = next(r.time for r in log if r.path == "/b")
    later_requests = [r.time for r in log if r.time > second]
    assert min(later_requests) >= second + 1 - 0.02  # nothing at all for the second it asked
    pauses = [(e.value, e.why) for e in timeline.events if e.kind == "pause"]
    assert pauses and all(why == "Retry-After" and value <= 1.0 for value, why in pauses)


async def test_a_lone_503_without_retry_after_holds_only_its_own_url(web: SimWeb) -> None:
    host = web.host("news.example", latency=0.02)
    host.route("/flaky", Reply.html("busy", status=503), Reply.html("ok"))
    for n in range(40):
        host.route(f"/story/{n}", Reply.html("story"))
    settings = dataclasses.replace(FAST, retry_base=1.0, host=HostPolicy(concurrency=2, interval=0.0))
    urls = [web.url("news.example", f"/story/{n}") for n in range(4)]
    urls += [web.url("news.example", "/flaky")]
    urls += [web.url("news.example", f"/story/{n}") for n in range(4, 40)]
    timeline = Timeline()
    results = await _check(web, urls, settings, timeline)
    assert results[web.url("news.example", "/flaky")].judgement.verdict is Verdict.LIVE
    log = web.stats("news.example").log
    flaky = [r.time for r in log if r.path == "/flaky"]
    assert len(flaky) == 2
    assert flaky[1] - flaky[0] >= 1 - 0.02  # its own backoff: retry_base
    # Meanwhile its host went on with the other URLs: no pause for the host.
    assert any(flaky[0] < r.time < flaky[1] and r.path != "/flaky" for r in log)
    assert [e for e in timeline.events if e.kind == "pause"] == []


async def test_a_host_limiting_requests_in_flight_is_kept_at_what_it_answers(web: SimWeb) -> None:
    host = web.host("tight.example", latency=0.05, max_inflight=2)  # 429 (Retry-After: 1) beyond 2
    for n in range(30):
        host.route(f"/story/{n}", Reply.html("story"))
    settings = dataclasses.replace(
        FAST, host=HostPolicy(concurrency=4, interval=0.0), allow_private_nets=LOOPBACK
    )
    timeline = Timeline()
    results = await _check(
        web, [web.url("tight.example", f"/story/{n}") for n in range(30)], settings, timeline
    )
    assert {r.judgement.verdict for r in results.values()} == {Verdict.LIVE}
    cuts = [e.value for e in timeline.events if e.kind == "concurrency"]
    assert cuts[-1] == 2 and min(cuts) == 2, cuts  # learnt what the host copes with; never below it
    # Learning it cost the first burst (4 at once), a refusal at 3 and one more try of 3 after 16 good
    # answers: not a refusal per restored place.
    assert web.stats("tight.example").rejected <= 6


async def test_a_refused_load_is_tried_again_after_ever_more_good_answers(
    autojump_clock: trio.testing.MockClock,
) -> None:
    gate = _gate()
    gate.answered(load=2, sent_at=trio.current_time())
    await trio.sleep(0.1)
    gate.heed(1, sent_at=trio.current_time(), load=3)
    assert gate.limiter.total_tokens == 2
    await trio.sleep(0.1)
    for _ in range(15):
        gate.answered(load=2, sent_at=trio.current_time())
    assert gate.limiter.total_tokens == 2
    gate.answered(load=2, sent_at=trio.current_time())
    assert gate.limiter.total_tokens == 3  # the 16th: one more try
    await trio.sleep(0.1)
    gate.heed(1, sent_at=trio.current_time(), load=3)  # refused again: back, and wait twice as long
    assert gate.limiter.total_tokens == 2
    await trio.sleep(0.1)
    for _ in range(31):
        gate.answered(load=2, sent_at=trio.current_time())
    assert gate.limiter.total_tokens == 2
    gate.answered(load=2, sent_at=trio.current_time())
    assert gate.limiter.total_tokens == 3
