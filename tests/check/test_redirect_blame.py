"""Review of issue 9 §1: a redirect target's failure is not evidence against the host that redirected.

A live host with one page moved to a name that no longer exists: that one URL is dead, but the host
answered and its other pages are live. The dead-host short-circuit must not mark them dead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from test_guard import SETTINGS, RecordingNetwork, check

from linkaudit.check.resolve import Resolver
from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.models import Verdict
from linkaudit.settings import HostPolicy, parse_network


@pytest.fixture
def web() -> Iterator[SimWeb]:
    simulated = SimWeb()
    with simulated:
        yield simulated
    assert not simulated.errors


async def test_redirect_to_a_missing_name_does_not_kill_the_live_host(web: SimWeb) -> None:
    # A name not found counts at once toward a dead host (gate.failed): it must be the host's own name.
    location = "http://moved-away.example/"
    news = web.host("news.example")
    for n in range(3):
        news.route(f"/gone{n}", Reply.redirect(location))
    for n in range(6):
        news.route(f"/p{n}", Reply.html("ok"))
    settings = dataclasses.replace(
        SETTINGS,
        host=HostPolicy(concurrency=1, interval=0.0),
        allow_private_nets=(parse_network(news.ip),),
    )
    resolver = Resolver({**web.resolve, "moved-away.example": None, "*": None}, system=False)
    network = RecordingNetwork([news.ip])
    urls = [web.url("news.example", f"/gone{n}") for n in range(3)]
    urls += [web.url("news.example", f"/p{n}") for n in range(6)]
    results = await check(urls, network, settings=settings, resolver=resolver)

    for n in range(3):  # each is the redirect target's failure, found by following it
        gone = results[f"http://news.example/gone{n}"]
        assert (gone.judgement.verdict, gone.judgement.reason) == (Verdict.DEAD, "dns-not-found")
    for n in range(6):
        result = results[f"http://news.example/p{n}"]
        assert result.judgement.verdict is Verdict.LIVE, (n, result.judgement, result.evidence)
