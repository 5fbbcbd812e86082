"""After a URL's first timeout, its remaining tries overlap: the second starts when the first has not
answered within a fifth of the deadline. A URL that hangs costs two deadlines, not three (it is the
critical path of a run when it starts late); one that answers its retry promptly costs no extra request.
Against a real server on loopback."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import pytest
from test_engine import FAST, one, trail

from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.models import ErrorKind, Verdict
from linkaudit.settings import HostPolicy

SETTINGS = dataclasses.replace(FAST, timeout=1.0, retries=2, dead_host_after=10)
HANG = Reply(body=b"never in time", latency=3.0)


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        yield simulated
        assert simulated.errors == []


async def test_a_hanging_url_costs_two_deadlines_not_three(web: SimWeb) -> None:
    host = web.host("slow.example", latency=0.01)
    host.route("/hang", HANG)
    started = time.monotonic()
    result = await one(web, "http://slow.example/hang", SETTINGS)
    took = time.monotonic() - started
    assert (result.judgement.verdict, result.judgement.reason) == (Verdict.UNREACHABLE, "timeout")
    assert result.evidence is not None and result.evidence.error is ErrorKind.TIMEOUT
    starts = [record.time for record in web.stats("slow.example").log]
    assert len(starts) == 3  # the same three tries as before
    first, second, third = sorted(starts)
    assert second - first >= 0.95  # the first try's whole deadline
    assert 0.15 <= third - second <= 0.5  # the third beside the second, a fifth of the deadline later
    assert took < 2.7, took  # 1 + 0.2 + 1 s, where one try after another took 3 s


async def test_a_retry_that_answers_promptly_gets_no_companion(web: SimWeb) -> None:
    host = web.host("flaky.example", latency=0.01)
    host.route("/once", HANG, Reply.html("here now"))
    result = await one(web, "http://flaky.example/once", SETTINGS)
    assert result.judgement.verdict is Verdict.LIVE
    assert trail(result) == [("HEAD", None), ("HEAD", 200)]
    assert web.stats("flaky.example").requests == 2


async def test_the_first_real_answer_wins_and_the_other_try_is_dropped(web: SimWeb) -> None:
    """The second try hangs too, the third answers: the verdict is the answer's, at once."""
    host = web.host("late.example", latency=0.01)
    host.route("/third", HANG, HANG, Reply.html("third time"))
    started = time.monotonic()
    result = await one(web, "http://late.example/third", SETTINGS)
    assert result.judgement.verdict is Verdict.LIVE
    assert time.monotonic() - started < 1.9  # not waiting for the second try's deadline
    assert web.stats("late.example").requests == 3


def slow(reply: Reply, latency: float) -> Reply:
    return dataclasses.replace(reply, latency=latency)


PAGE = Reply.html('<p id="sec">here</p>')


async def test_a_transient_failure_of_one_try_leaves_the_other_running(web: SimWeb) -> None:
    """The retry answers 500 while its companion is about to answer 200: the companion is that retry's
    retry, already under way, so it goes on, and the URL never sends more than --retries allows."""
    settings = dataclasses.replace(SETTINGS, check_fragments=True)  # every request a GET
    host = web.host("mixed.example", latency=0.01)
    host.route("/x", HANG, slow(Reply.html("oops", status=500), 0.4), slow(PAGE, 0.5), PAGE)
    result = await one(web, "http://mixed.example/x#sec", settings)
    assert result.judgement.verdict is Verdict.LIVE
    assert web.stats("mixed.example").requests == settings.retries + 1


async def test_two_tries_waiting_together_excuse_their_wait_once(web: SimWeb) -> None:
    """At a host of one place the companion queues behind the retry: that wait overlaps the retry's
    running time and must not lengthen the URL's budget (2.5 s here, as without the hedge)."""
    settings = dataclasses.replace(SETTINGS, url_budget=2.5, host=HostPolicy(concurrency=1, interval=0.0))
    web.host("one.example", latency=0.01).route("/h", HANG)
    started = time.monotonic()
    result = await one(web, "http://one.example/h", settings)
    assert time.monotonic() - started < 2.8
    assert result.judgement.verdict is Verdict.UNREACHABLE


async def test_a_try_that_timed_out_stays_in_the_evidence(web: SimWeb) -> None:
    """The retry times out just before its companion answers: its deadline is still one of the URL's
    attempts (and counts towards giving up on the host)."""
    settings = dataclasses.replace(SETTINGS, check_fragments=True)
    web.host("close.example", latency=0.01).route("/x", HANG, HANG, slow(PAGE, 0.83))
    result = await one(web, "http://close.example/x#sec", settings)
    assert result.judgement.verdict is Verdict.LIVE
    assert result.evidence is not None
    errors = [a.error for a in result.evidence.attempts]  # in the order they ended
    assert (errors.count(ErrorKind.TIMEOUT), errors.count(None), len(errors)) == (2, 1, 3), errors
