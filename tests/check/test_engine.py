"""The checker against real HTTP servers on loopback (linkaudit.demo.simweb): every rule of the checker issue.

Names are mapped by linkaudit's own resolver to 127.0.0.N or to "name not found"; nothing else is
resolved, so no DNS query leaves the machine.
"""

from __future__ import annotations

import dataclasses
import email.utils
import ipaddress
import itertools
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkaudit.check import CheckItem, check_targets
from linkaudit.check.resolve import Resolver
from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.models import ErrorKind, LinkKind, Occurrence, UrlResult, Verdict
from linkaudit.report.progress import RecordingObserver
from linkaudit.settings import CheckSettings, HeaderRule, HostPolicy
from linkaudit.urls import normalize

# The simulated web is on loopback, which the private-network guard refuses unless allowed.
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)
FAST = CheckSettings(
    retry_base=0.02,
    max_retry_wait=5.0,
    host=HostPolicy(concurrency=4, interval=0.0),
    timeout=5.0,
    allow_private_nets=LOOPBACK,
    # These tests count the checker's own requests (HEAD first); soft rot is tested in test_soft.py.
    soft=False,
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


async def run(web: SimWeb, items: list[CheckItem], settings: CheckSettings = FAST) -> dict[str, UrlResult]:
    results: list[UrlResult] = []
    resolver = Resolver({**web.resolve, "*": None}, system=False)
    await check_targets(items, settings, on_result=results.append, resolver=resolver)
    return {r.target.url: r for r in results}


async def one(
    web: SimWeb, url: str, settings: CheckSettings = FAST, kind: LinkKind = LinkKind.LINK
) -> UrlResult:
    results = await run(web, [item(url, kind)], settings)
    return results[normalize(url).url]


def trail(result: UrlResult) -> list[tuple[str, int | None]]:
    assert result.evidence is not None
    return [(a.method, a.status) for a in result.evidence.attempts]


async def test_live_dead_gone(web: SimWeb) -> None:
    host = web.host("news.example")
    host.route("/ok", Reply.html("fine"))
    host.route("/gone", Reply.html("gone", status=410))
    results = await run(web, [item(web.url("news.example", p)) for p in ("/ok", "/gone", "/missing")])
    assert results["http://news.example/ok"].judgement.verdict is Verdict.LIVE
    assert trail(results["http://news.example/ok"]) == [("HEAD", 200)]
    assert results["http://news.example/gone"].judgement.reason == "http-410"
    missing = results["http://news.example/missing"]
    assert (missing.judgement.verdict, missing.judgement.reason) == (Verdict.DEAD, "http-404")
    # 404 is never retried: HEAD, then GET to confirm, and that is all.
    assert trail(missing) == [("HEAD", 404), ("GET", 404)]


async def test_head_refused_then_get(web: SimWeb) -> None:
    web.host("nohead.example").route("/a", Reply(200, b"<p>x</p>", head=Reply(405)))
    result = await one(web, "http://nohead.example/a")
    assert result.judgement.verdict is Verdict.LIVE
    assert trail(result) == [("HEAD", 405), ("GET", 200)]


async def test_redirect_that_sends_a_body_to_head_does_not_poison_the_connection(web: SimWeb) -> None:
    host = web.host("broken.example")
    host.route("/old", dataclasses.replace(Reply.redirect("/new", 302), send_body_to_head=True))
    host.route("/new", Reply.html("new"))
    host.route("/other", Reply.html("other"))
    results = await run(
        web, [item(web.url("broken.example", "/old")), item(web.url("broken.example", "/other"))]
    )
    old = results["http://broken.example/old"]
    assert old.judgement.verdict is Verdict.REDIRECTED
    assert old.evidence is not None
    assert old.evidence.final_url == "http://broken.example/new"
    assert results["http://broken.example/other"].judgement.verdict is Verdict.LIVE


async def test_partial_content_is_live(web: SimWeb) -> None:
    web.host("part.example").route("/p", Reply.partial())
    assert (await one(web, "http://part.example/p")).judgement.verdict is Verdict.LIVE


async def test_header_for_one_host_only(web: SimWeb) -> None:
    guarded = web.host("private.example")
    guarded.route("/doc", Reply(403), Reply(403))  # without the token: forbidden
    web.host("public.example").route("/doc", Reply.html("public"))
    settings = dataclasses.replace(FAST, headers=(HeaderRule("X-Token", "s3cret", host="private.example"),))
    # The route answers 403 to requests lacking the header; script it with the header check below.
    results = await run(
        web, [item(web.url("private.example", "/doc")), item(web.url("public.example", "/doc"))], settings
    )
    assert web.stats("private.example").saw_header("X-Token", "s3cret")
    assert not web.stats("public.example").saw_header("X-Token")
    assert results["http://public.example/doc"].judgement.verdict is Verdict.LIVE


async def test_redirects_permanent_temporary_benign_loop_and_too_many(web: SimWeb) -> None:
    host = web.host("moves.example")
    host.route("/perm", Reply.redirect("/b", 301))
    host.route("/b", Reply.redirect("/c", 308))
    host.route("/c", Reply.html("c"))
    host.route("/temp", Reply.redirect("/c", 302))
    host.route("/slash", Reply.redirect("/slash/", 301))
    host.route("/slash/", Reply.html("slash"))
    host.route("/loop1", Reply.redirect("/loop2", 302))
    host.route("/loop2", Reply.redirect("/loop1", 302))
    for n in range(12):
        host.route(f"/hop{n}", Reply.redirect(f"/hop{n + 1}", 301))
    host.route("/hop12", Reply.html("end"))
    urls = ["/perm", "/temp", "/slash", "/loop1", "/hop0", "/hop2"]
    results = await run(web, [item(web.url("moves.example", p)) for p in urls])
    perm = results["http://moves.example/perm"]
    assert (perm.judgement.verdict, perm.judgement.permanent) == (Verdict.REDIRECTED, True)
    assert perm.evidence is not None
    assert [(h.url, h.status) for h in perm.evidence.redirects] == [
        ("http://moves.example/perm", 301),
        ("http://moves.example/b", 308),
    ]
    temp = results["http://moves.example/temp"]
    assert (temp.judgement.verdict, temp.judgement.permanent) == (Verdict.REDIRECTED, False)
    assert results["http://moves.example/slash"].judgement.verdict is Verdict.LIVE
    assert results["http://moves.example/loop1"].judgement.reason == "redirect-loop"
    twelve = results["http://moves.example/hop0"]
    assert (twelve.judgement.verdict, twelve.judgement.reason) == (Verdict.DEAD, "too-many-redirects")
    ten = results["http://moves.example/hop2"]  # exactly 10 hops: allowed
    assert ten.judgement.verdict is Verdict.REDIRECTED


@pytest.mark.parametrize("style", ["seconds", "date", "absent"])
async def test_429_then_200_honours_retry_after(web: SimWeb, style: str) -> None:
    times = 5 if style != "date" else 2
    if style == "seconds":
        headers = {"Retry-After": "1"}
    elif style == "date":
        headers = {"Retry-After": email.utils.formatdate(time.time() + 2, usegmt=True)}
    else:
        headers = {}
    web.host("busy.example").route("/a", *([Reply(429, headers=headers)] * times), Reply.html("ok"))
    started = time.monotonic()
    result = await one(web, "http://busy.example/a", dataclasses.replace(FAST, retry_base=0.05))
    assert result.judgement.verdict is Verdict.LIVE
    statuses = [status for _, status in trail(result)]
    assert statuses.count(429) == times
    assert statuses[-1] == 200
    starts = web.stats("busy.example").starts()
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    if style == "seconds":
        assert min(gaps) >= 0.95
    elif style == "date":
        assert time.monotonic() - started >= 0.9  # an HTTP date has 1 s resolution
    else:
        assert gaps == sorted(gaps) or max(gaps) >= 0.3  # exponential backoff grows


async def test_rate_limited_when_it_never_ends(web: SimWeb) -> None:
    web.host("always.example").route("/a", Reply(429, headers={"Retry-After": "0"}))
    settings = dataclasses.replace(FAST, rate_limit_retries=2)
    result = await one(web, "http://always.example/a", settings)
    assert (result.judgement.verdict, result.judgement.reason) == (Verdict.RATE_LIMITED, "http-429")
    assert [s for _, s in trail(result)] == [429, 429, 429]


async def test_flaky_503_then_200(web: SimWeb) -> None:
    web.host("flaky.example").route("/a", Reply(503), Reply.html("ok"))
    result = await one(web, "http://flaky.example/a")
    assert result.judgement.verdict is Verdict.LIVE
    assert trail(result) == [("HEAD", 503), ("HEAD", 200)]


async def test_500_is_retried_then_dead(web: SimWeb) -> None:
    web.host("err.example").route("/a", Reply(500))
    result = await one(web, "http://err.example/a", dataclasses.replace(FAST, retries=2))
    assert (result.judgement.verdict, result.judgement.reason) == (Verdict.DEAD, "http-500")
    # 3 tries (1 + 2 retries), each HEAD then GET because HEAD's 500 is not trusted alone.
    assert [s for _, s in trail(result)] == [500] * 6


async def test_trickling_server_hits_the_deadline(web: SimWeb) -> None:
    web.host("slow.example").route("/a", Reply.trickle(rate=1))
    settings = dataclasses.replace(FAST, timeout=1.5, retries=0)
    started = time.monotonic()
    result = await one(web, "http://slow.example/a", settings)
    assert time.monotonic() - started < 6
    assert (result.judgement.verdict, result.judgement.reason) == (Verdict.UNREACHABLE, "timeout")


async def test_body_trickle_is_cut_by_the_deadline_too(web: SimWeb) -> None:
    web.host("drip.example").route("/a", Reply.trickle(rate=1, head_first=True))
    settings = dataclasses.replace(FAST, timeout=1.5, retries=0)
    result = await one(web, "http://drip.example/a.png", settings, LinkKind.IMAGE)
    assert result.judgement.verdict in (Verdict.DEAD, Verdict.UNREACHABLE)


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply.close_mid_headers(), {"protocol-error", "connection-reset"}),
        (Reply.malformed_status(), {"protocol-error"}),
    ],
)
async def test_broken_responses_are_unreachable(web: SimWeb, reply: Reply, reason: set[str]) -> None:
    web.host("bad.example").route("/a", reply)
    result = await one(web, "http://bad.example/a", dataclasses.replace(FAST, retries=1))
    assert result.judgement.verdict is Verdict.UNREACHABLE
    assert result.judgement.reason in reason
    assert result.evidence is not None
    assert len(result.evidence.attempts) >= 2  # retried


async def test_huge_headers_do_not_break_the_run(web: SimWeb) -> None:
    host = web.host("heavy.example")
    host.route("/a", Reply.huge_headers())
    host.route("/b", Reply.html("b"))
    results = await run(web, [item(web.url("heavy.example", "/a")), item(web.url("heavy.example", "/b"))])
    heavy = results["http://heavy.example/a"]
    assert heavy.judgement.verdict in (Verdict.LIVE, Verdict.UNREACHABLE)
    assert heavy.evidence is not None
    assert heavy.evidence.attempts
    assert results["http://heavy.example/b"].judgement.verdict is Verdict.LIVE


async def test_gzip_bomb_costs_nothing(web: SimWeb) -> None:
    web.host("bomb.example").route("/a.png", Reply.gzip_bomb())
    tracemalloc.start()
    try:
        result = await one(web, "http://bomb.example/a.png", kind=LinkKind.IMAGE)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024
    # An "image" that inflates to zeros labelled text/html is not an image.
    assert (result.judgement.verdict, result.judgement.reason) == (Verdict.DEAD, "not-an-image")
    assert ("GET", 200) in trail(result)


async def test_image_urls(web: SimWeb) -> None:
    host = web.host("img.example")
    host.route("/real.png", Reply.image("png"))
    host.route("/fake.jpg", Reply.html("<html><body>Image not found</body></html>"))
    results = await run(
        web,
        [
            item(web.url("img.example", "/real.png"), LinkKind.IMAGE),
            item(web.url("img.example", "/fake.jpg"), LinkKind.HTML_IMAGE),
        ],
    )
    assert results["http://img.example/real.png"].judgement.verdict is Verdict.LIVE
    fake = results["http://img.example/fake.jpg"]
    assert (fake.judgement.verdict, fake.judgement.reason) == (Verdict.DEAD, "not-an-image")


async def test_parentheses_and_non_ascii_paths(web: SimWeb) -> None:
    host = web.host("wiki.example")
    host.route("/wiki/Foo_(bar)", Reply.html("foo"))
    host.route("/文章/普京.html", Reply.html("cjk"))
    host.route("/%25E5%25A5%25BD", Reply.html("double-encoded, kept as written"))
    urls = ["/wiki/Foo_(bar)", "/文章/普京.html", "/%25E5%25A5%25BD"]
    results = await run(web, [item(web.url("wiki.example", p)) for p in urls])
    assert {r.judgement.verdict for r in results.values()} == {Verdict.LIVE}, {
        u: r.judgement for u, r in results.items()
    }


async def test_dead_host_with_1000_urls_takes_seconds(web: SimWeb) -> None:
    web.missing_host("vanished.example")
    web.dead_host("refusing.example")
    items = [item(f"http://vanished.example/story/{n}") for n in range(1000)]
    items += [item(f"http://refusing.example/story/{n}") for n in range(1000)]
    started = time.monotonic()
    results = await run(web, items, dataclasses.replace(FAST, host=HostPolicy(concurrency=4, interval=0.1)))
    assert time.monotonic() - started < 10
    vanished = [r for u, r in results.items() if "vanished" in u]
    refusing = [r for u, r in results.items() if "refusing" in u]
    assert {r.judgement.verdict for r in vanished} == {Verdict.DEAD}
    assert {r.judgement.verdict for r in refusing} == {Verdict.UNREACHABLE}
    short = [r for r in vanished + refusing if r.evidence is not None and r.evidence.short_circuited]
    assert len(short) >= 1900
    assert {r.judgement.reason for r in short} == {"host-unreachable"}
    assert all(r.evidence is not None and r.evidence.attempts == () for r in short)


async def test_per_host_limits_never_exceeded(web: SimWeb) -> None:
    for name in ("a.example", "b.example"):
        host = web.host(name, latency=0.35)
        for n in range(15):
            host.route(f"/p{n}", Reply.html(f"page {n}"))
    settings = dataclasses.replace(FAST, host=HostPolicy(concurrency=3, interval=0.1), concurrency=64)
    items = [item(web.url(name, f"/p{n}")) for n in range(15) for name in ("a.example", "b.example")]
    results = await run(web, items, settings)
    assert {r.judgement.verdict for r in results.values()} == {Verdict.LIVE}
    for name in ("a.example", "b.example"):
        stats = web.stats(name)
        assert stats.max_in_flight == 3  # reached, never exceeded
        gap = stats.min_gap()
        assert gap is not None
        # Measured at the server: connection set-up and thread scheduling blur a few milliseconds.
        assert gap >= 0.05  # without spacing it would be ~0; exact spacing is tested on trio's clock


async def test_host_that_429s_above_two_in_flight_gets_none_under_limit_two(web: SimWeb) -> None:
    host = web.host("strict.example", latency=0.05, max_inflight=2)
    for n in range(20):
        host.route(f"/p{n}", Reply.html("ok"))
    settings = dataclasses.replace(FAST, host=HostPolicy(concurrency=2, interval=0.0))
    results = await run(web, [item(web.url("strict.example", f"/p{n}")) for n in range(20)], settings)
    assert {r.judgement.verdict for r in results.values()} == {Verdict.LIVE}
    assert web.stats("strict.example").rejected == 0
    assert web.stats("strict.example").max_in_flight == 2


async def test_global_limit(web: SimWeb) -> None:
    names = [f"h{n}.example" for n in range(6)]
    for name in names:
        host = web.host(name, latency=0.05)
        for n in range(6):
            host.route(f"/p{n}", Reply.html("ok"))
    settings = dataclasses.replace(FAST, concurrency=3)
    items = [item(web.url(name, f"/p{n}")) for name in names for n in range(6)]
    results = await run(web, items, settings)
    assert len(results) == 36
    records = sorted((r.time, name) for name in names for r in web.stats(name).log)
    # With 3 in flight at most and 50 ms latency each, 36 requests need at least ~0.55 s.
    assert records[-1][0] - records[0][0] >= 0.5


async def test_local_files(tmp_path: Path, web: SimWeb) -> None:
    (tmp_path / "there.md").write_text("x", encoding="utf-8")
    here = tmp_path / "a.md"
    items = []
    for dest in ("there.md", "missing.md"):
        target = normalize(dest, source=here)
        occ = Occurrence(
            file="a.md", line=1, column=1, start=0, end=1, kind=LinkKind.LINK, raw=dest, target=target
        )
        items.append(CheckItem(target, (occ,)))
    results = await run(web, items)
    verdicts = {Path(u).name: r.judgement for u, r in results.items()}
    assert verdicts["there.md"].verdict is Verdict.LIVE
    assert (verdicts["missing.md"].verdict, verdicts["missing.md"].reason) == (Verdict.DEAD, "file-missing")


async def test_exclude_include_and_skipped(web: SimWeb) -> None:
    web.host("x.example").route("/keep", Reply.html("ok"))
    settings = dataclasses.replace(FAST, exclude=(r"x\.example",), include=(r"/keep$",))
    results = await run(
        web,
        [item("http://x.example/keep"), item("http://x.example/drop"), item("mailto:a@b.example")],
        settings,
    )
    assert results["http://x.example/keep"].judgement.verdict is Verdict.LIVE
    assert results["http://x.example/drop"].judgement.reason == "excluded"
    assert results["mailto:a@b.example"].judgement.verdict is Verdict.SKIPPED
    assert web.stats("x.example").paths.get("/drop", 0) == 0


async def test_user_agent_is_honest(web: SimWeb) -> None:
    web.host("ua.example").route("/a", Reply.html("ok"))
    await one(web, "http://ua.example/a")
    agent = web.stats("ua.example").log[0].header("user-agent")
    assert agent is not None
    assert agent.startswith("linkaudit/")


async def test_connection_refused_is_retried(web: SimWeb) -> None:
    web.dead_host("down.example")
    result = await one(web, "http://down.example/a", dataclasses.replace(FAST, retries=2))
    assert (result.judgement.verdict, result.judgement.reason) == (Verdict.UNREACHABLE, "connection-refused")
    assert result.evidence is not None
    assert [a.error for a in result.evidence.attempts] == [ErrorKind.CONNECTION_REFUSED] * 3


async def test_name_not_found_is_not_retried(web: SimWeb) -> None:
    web.missing_host("nowhere.example")
    result = await one(web, "http://nowhere.example/a")
    assert (result.judgement.verdict, result.judgement.reason) == (Verdict.DEAD, "dns-not-found")
    assert result.evidence is not None
    assert len(result.evidence.attempts) == 1


async def test_the_engine_reports_progress_through_its_observer(web: SimWeb) -> None:
    web.host("busy2.example").route("/a", Reply(429, headers={"Retry-After": "1"}), Reply.html("ok"))
    web.missing_host("gone2.example")
    urls = ["http://busy2.example/a", *(f"http://gone2.example/{n}" for n in range(5)), "mailto:x@y.example"]
    observer = RecordingObserver()
    results: list[UrlResult] = []
    resolver = Resolver({**web.resolve, "*": None}, system=False)
    await check_targets(
        [item(u) for u in urls], FAST, on_result=results.append, observer=observer, resolver=resolver
    )
    assert len(observer.results) == len(results) == 7
    assert [(host, round(seconds)) for host, seconds in observer.backoffs] == [("busy2.example", 1)]
    assert [host for host, _ in observer.dead_hosts] == ["gone2.example"]
