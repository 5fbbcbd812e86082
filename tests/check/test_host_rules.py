"""Per-host rules (a configuration file's `[hosts."name"]` tables) in the checker, against real servers on
loopback: accepted statuses, the request method, the deadline, politeness, for the host and its subdomains.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import time
from collections.abc import Iterator

import pytest

from linkaudit.check import CheckItem, check_targets
from linkaudit.check.resolve import Resolver
from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.models import ErrorKind, LinkKind, Occurrence, UrlResult, Verdict
from linkaudit.settings import CheckSettings, HostPolicy, HostRule
from linkaudit.urls import normalize

FAST = CheckSettings(
    retry_base=0.02,
    max_retry_wait=5.0,
    retries=0,
    host=HostPolicy(concurrency=4, interval=0.0),
    timeout=5.0,
    allow_private_nets=(ipaddress.ip_network("127.0.0.0/8"),),
)


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        yield simulated
        assert simulated.errors == []


def item(url: str, kind: LinkKind = LinkKind.LINK) -> CheckItem:
    target = normalize(url)
    occ = Occurrence(file="a.md", line=1, column=1, start=0, end=len(url), kind=kind, raw=url, target=target)
    return CheckItem(target, (occ,))


async def run(web: SimWeb, urls: list[str], settings: CheckSettings) -> dict[str, UrlResult]:
    results: list[UrlResult] = []
    resolver = Resolver({**web.resolve, "*": None}, system=False)
    await check_targets([item(url) for url in urls], settings, on_result=results.append, resolver=resolver)
    return {result.target.url: result for result in results}


def methods(result: UrlResult) -> list[tuple[str, int | None]]:
    assert result.evidence is not None
    return [(attempt.method, attempt.status) for attempt in result.evidence.attempts]


async def test_accept_counts_a_status_live_for_its_host_and_subdomains_only(web: SimWeb) -> None:
    for name in ("paywall.example", "www.paywall.example", "other.example"):
        web.host(name).route("/a", Reply.html("members only", status=403))
    settings = dataclasses.replace(FAST, host_rules={"paywall.example": HostRule(accept=frozenset({403}))})
    results = await run(
        web,
        ["http://paywall.example/a", "http://www.paywall.example/a", "http://other.example/a"],
        settings,
    )
    assert results["http://paywall.example/a"].judgement.verdict is Verdict.LIVE
    assert results["http://www.paywall.example/a"].judgement.verdict is Verdict.LIVE
    assert results["http://other.example/a"].judgement.verdict is not Verdict.LIVE
    # Without the rule the same answer is not live: the rule is what made the difference.
    plain = await run(web, ["http://paywall.example/a"], FAST)
    assert plain["http://paywall.example/a"].judgement.verdict is not Verdict.LIVE


async def test_accept_of_the_host_a_redirect_ends_at(web: SimWeb) -> None:
    web.host("short.example").route("/x", Reply.redirect("http://paywall.example/a", 302))
    web.host("paywall.example").route("/a", Reply.html("members only", status=403))
    settings = dataclasses.replace(FAST, host_rules={"paywall.example": HostRule(accept=frozenset({403}))})
    results = await run(web, ["http://short.example/x"], settings)
    assert results["http://short.example/x"].judgement.verdict in (Verdict.LIVE, Verdict.REDIRECTED)


async def test_method_get_never_sends_head(web: SimWeb) -> None:
    # A server that answers HEAD with 404 but GET with the page: HEAD first would still end live (GET
    # after an error), so the rule is seen in what the host received.
    for name in ("gets.example", "heads.example"):
        web.host(name).route("/a", Reply(200, b"<p>page</p>", head=Reply(404)))
    settings = dataclasses.replace(FAST, host_rules={"gets.example": HostRule(method="GET")})
    results = await run(web, ["http://gets.example/a", "http://heads.example/a"], settings)
    assert methods(results["http://gets.example/a"]) == [("GET", 200)]
    assert [r.method for r in web.stats("gets.example").log] == ["GET"]
    assert methods(results["http://heads.example/a"]) == [("HEAD", 404), ("GET", 200)]


async def test_method_get_for_a_host_reached_by_redirect(web: SimWeb) -> None:
    web.host("start.example").route("/a", Reply.redirect("http://gets.example/b", 301))
    web.host("gets.example").route("/b", Reply(200, b"<p>page</p>", head=Reply(404)))
    settings = dataclasses.replace(FAST, host_rules={"gets.example": HostRule(method="GET")})
    results = await run(web, ["http://start.example/a"], settings)
    assert methods(results["http://start.example/a"]) == [("HEAD", 301), ("GET", 200)]
    assert [r.method for r in web.stats("gets.example").log] == ["GET"]


async def test_method_head_trusts_the_head_answer(web: SimWeb) -> None:
    for name in ("heads.example", "plain.example"):
        web.host(name).route("/a", Reply(200, b"<p>page</p>", head=Reply(405)))
    settings = dataclasses.replace(FAST, host_rules={"heads.example": HostRule(method="HEAD")})
    results = await run(web, ["http://heads.example/a", "http://plain.example/a"], settings)
    assert methods(results["http://heads.example/a"]) == [("HEAD", 405)]
    assert [r.method for r in web.stats("heads.example").log] == ["HEAD"]
    assert methods(results["http://plain.example/a"]) == [("HEAD", 405), ("GET", 200)]


async def test_timeout_per_host(web: SimWeb) -> None:
    web.host("slow.example").route("/a", Reply(200, b"late", latency=1.0))
    web.host("patient.example").route("/a", Reply(200, b"late", latency=1.0))
    settings = dataclasses.replace(
        FAST, timeout=0.3, host_rules={"patient.example": HostRule(timeout=5.0)}, dead_host_after=99
    )
    results = await run(web, ["http://slow.example/a", "http://patient.example/a"], settings)
    slow = results["http://slow.example/a"]
    assert slow.evidence is not None and slow.evidence.error is ErrorKind.TIMEOUT
    assert slow.evidence.detail == "no complete answer within 0.3 s"
    assert results["http://patient.example/a"].judgement.verdict is Verdict.LIVE


async def test_a_shorter_timeout_per_host(web: SimWeb) -> None:
    web.host("slow.example").route("/a", Reply(200, b"late", latency=1.0))
    settings = dataclasses.replace(
        FAST, host_rules={"slow.example": HostRule(timeout=0.2)}, dead_host_after=99
    )
    started = time.monotonic()
    results = await run(web, ["http://slow.example/a"], settings)
    evidence = results["http://slow.example/a"].evidence
    assert evidence is not None and evidence.error is ErrorKind.TIMEOUT
    assert evidence.detail == "no complete answer within 0.2 s"
    assert time.monotonic() - started < 0.9  # not the 5 s of the run's own timeout


async def test_concurrency_and_interval_per_host(web: SimWeb) -> None:
    polite = web.host("polite.example", latency=0.05)
    free = web.host("free.example", latency=0.05)
    for n in range(6):
        polite.route(f"/{n}", Reply.html("ok"))
        free.route(f"/{n}", Reply.html("ok"))
    settings = dataclasses.replace(
        FAST, host_rules={"polite.example": HostRule(concurrency=1, interval=0.15)}
    )
    urls = [f"http://{name}/{n}" for name in ("polite.example", "free.example") for n in range(6)]
    results = await run(web, urls, settings)
    assert all(result.judgement.verdict is Verdict.LIVE for result in results.values())
    polite_stats = web.stats("polite.example")
    assert polite_stats.max_in_flight == 1
    gap = polite_stats.min_gap()
    assert gap is not None and gap >= 0.14
    assert web.stats("free.example").max_in_flight > 1


def test_the_nearest_table_wins_and_the_command_line_host_overrides_it() -> None:
    settings = dataclasses.replace(
        FAST,
        host_rules={
            "example.org": HostRule(concurrency=2, timeout=30.0),
            "api.example.org": HostRule(timeout=5.0),
        },
        host_overrides={"cli.example.org": HostPolicy(concurrency=7, interval=0.0)},
    )
    assert settings.timeout_for("www.example.org") == 30.0
    assert settings.timeout_for("v2.api.example.org:8080") == 5.0
    assert settings.timeout_for("example.com") == FAST.timeout
    assert settings.timeout_for("notexample.org") == FAST.timeout
    assert settings.policy_for("www.example.org").concurrency == 2
    assert settings.policy_for("cli.example.org").concurrency == 7
    assert settings.policy_for("other.net") == FAST.host
    assert settings.budget_for("example.org") == 90.0
