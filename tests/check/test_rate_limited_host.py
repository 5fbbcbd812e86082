"""A host that answers nothing but 429 is given up on as a whole, not URL by URL (issue 9: a run never
waits without end on a host that only ever says "later")."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from test_engine import FAST, item, run

from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.models import Verdict


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        yield simulated


async def test_a_host_that_only_says_later_is_given_up_on(web: SimWeb) -> None:
    host = web.host("busy.example")
    for n in range(20):
        host.route(f"/{n}", Reply(429, headers={"Retry-After": "1"}))
    # Retry-After is honoured up to max_retry_wait (short here so the test is quick); 8 slow-down retries
    # per URL would be 20 × 9 requests without the host-level give-up.
    settings = dataclasses.replace(FAST, max_retry_wait=0.05, rate_limit_retries=8)
    results = await run(web, [item(web.url("busy.example", f"/{n}")) for n in range(20)], settings)
    assert {r.judgement.verdict for r in results.values()} == {Verdict.RATE_LIMITED}
    given_up = [r for r in results.values() if r.evidence is not None and r.evidence.short_circuited]
    assert given_up, "no URL was spared a request once the host was given up on"
    assert all("host rate-limited" in (r.evidence.detail or "") for r in given_up if r.evidence)
    assert web.stats("busy.example").requests <= 40


async def test_a_host_that_recovers_is_not_given_up_on(web: SimWeb) -> None:
    host = web.host("mostly.example")
    for n in range(6):
        host.route(f"/{n}", Reply(429, headers={"Retry-After": "0"}), Reply.html("ok"))
    settings = dataclasses.replace(FAST, rate_limit_retries=8)
    results = await run(web, [item(web.url("mostly.example", f"/{n}")) for n in range(6)], settings)
    assert {r.judgement.verdict for r in results.values()} == {Verdict.LIVE}
