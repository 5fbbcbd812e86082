"""HEAD trust learnt per host (linkaudit.check.headtrust): fewer GETs where HEAD has proved itself, the same
verdicts, and GET again wherever HEAD ever said something else. Real servers on loopback; each host gets one
place so that its URLs go in the order given (a URL under way before the next fresh one)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from test_engine import FAST, item, run, trail

from linkaudit.check.headtrust import REFUSED_AFTER, TRUST_AFTER, HeadTrust
from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.models import LinkKind, Verdict
from linkaudit.settings import HostPolicy

ONE_AT_A_TIME = dataclasses.replace(FAST, host=HostPolicy(concurrency=1, interval=0.0))


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        yield simulated
        assert simulated.errors == []


def test_trust_needs_agreeing_pairs_and_ends_at_the_first_disagreement() -> None:
    trust = HeadTrust()
    for _ in range(TRUST_AFTER - 1):
        trust.statuses("a", 404, 404)
    assert not trust.status_stands("a", 404)
    trust.statuses("a", 410, 410)
    assert trust.status_stands("a", 404) and trust.status_stands("a", 410)
    assert not trust.status_stands("a", 403)  # only the statuses HEAD and GET rarely differ on
    assert not trust.status_stands("b", 404)  # per host
    trust.statuses("a", 404, 200)
    assert not trust.status_stands("a", 404)
    for _ in range(10):
        trust.statuses("a", 404, 404)
    assert not trust.status_stands("a", 404)  # never again on this host


def test_a_host_refusing_head_more_than_answering_it_is_asked_get_first() -> None:
    trust = HeadTrust()
    for _ in range(REFUSED_AFTER):
        trust.head_answered("a", 405)
        trust.statuses("a", 405, 200)
    assert trust.get_first("a")
    mixed = HeadTrust()  # refuses HEAD on some paths only: HEAD stays first
    for _ in range(5):
        mixed.head_answered("b", 200)
    for _ in range(REFUSED_AFTER):
        mixed.head_answered("b", 405)
        mixed.statuses("b", 405, 200)
    assert not mixed.get_first("b")
    both = HeadTrust()  # GET refused as well: not a HEAD problem
    both.head_answered("c", 405)
    both.statuses("c", 405, 405)
    both.head_answered("c", 405)
    both.statuses("c", 405, 405)
    assert not both.get_first("c")


def _confirmed_after_trust(web: SimWeb, host: str) -> list[str]:
    """Paths whose HEAD reached `host` after its TRUST_AFTER-th GET and were still confirmed with GET."""
    log = web.stats(host).log
    gets = [n for n, record in enumerate(log) if record.method == "GET"]
    trusted_from = gets[TRUST_AFTER - 1]
    later_heads = {record.path for record in log[trusted_from + 1 :] if record.method == "HEAD"}
    return sorted(later_heads & {record.path for record in log if record.method == "GET"})


async def test_head_404_stands_alone_after_agreeing_pairs(web: SimWeb) -> None:
    web.host("news.example")  # every path is a 404, to HEAD and GET alike
    urls = [web.url("news.example", f"/missing/{n}") for n in range(TRUST_AFTER + 6)]
    results = await run(web, [item(url) for url in urls], ONE_AT_A_TIME)
    for url in urls:
        result = results[url]
        assert (result.judgement.verdict, result.judgement.reason) == (Verdict.DEAD, "http-404")
    for url in urls[:TRUST_AFTER]:
        assert trail(results[url]) == [("HEAD", 404), ("GET", 404)]
    assert _confirmed_after_trust(web, "news.example") == []
    # The URLs whose HEAD was asked while the pairs were still coming (the host's spare workers) are
    # confirmed; every later one is not.
    assert [trail(results[url]) for url in urls[-3:]] == [[("HEAD", 404)]] * 3
    gets = sum(1 for record in web.stats("news.example").log if record.method == "GET")
    assert TRUST_AFTER <= gets < TRUST_AFTER + 3


async def test_a_host_where_head_ever_disagreed_is_always_confirmed(web: SimWeb) -> None:
    host = web.host("news.example")
    host.route("/liar", Reply(200, b"<p>here</p>", head=Reply.html("nope", status=404)))
    urls = [web.url("news.example", "/liar")] + [
        web.url("news.example", f"/missing/{n}") for n in range(TRUST_AFTER + 2)
    ]
    results = await run(web, [item(url) for url in urls], ONE_AT_A_TIME)
    assert results[urls[0]].judgement.verdict is Verdict.LIVE
    for url in urls[1:]:
        assert trail(results[url]) == [("HEAD", 404), ("GET", 404)]


async def test_a_host_answering_head_405_is_asked_get_first(web: SimWeb) -> None:
    host = web.host("news.example")
    refused = Reply.html("Method Not Allowed", status=405)
    paths = [f"/story/{n}" for n in range(REFUSED_AFTER + 6)]
    for path in paths:
        host.route(path, Reply(200, b"<p>story</p>", head=refused))
    results = await run(web, [item(web.url("news.example", path)) for path in paths], ONE_AT_A_TIME)
    assert {r.judgement.verdict for r in results.values()} == {Verdict.LIVE}
    # HEAD is asked until enough refusals are in (and by the URLs already waiting for their turn then).
    heads = sum(1 for record in web.stats("news.example").log if record.method == "HEAD")
    assert REFUSED_AFTER <= heads < REFUSED_AFTER + 3
    assert [trail(results[web.url("news.example", path)]) for path in paths[-3:]] == [[("GET", 200)]] * 3


async def test_image_content_type_of_head_stands_after_agreeing_pairs(web: SimWeb) -> None:
    host = web.host("cdn.example")
    paths = [f"/photo/{n}.jpg" for n in range(TRUST_AFTER + 6)]
    for path in paths:
        host.route(path, Reply.html("<!doctype html><p>our home page</p>"))  # a lost photo: HTML
    kind = LinkKind.IMAGE
    results = await run(web, [item(web.url("cdn.example", path), kind) for path in paths], ONE_AT_A_TIME)
    for path in paths:
        assert results[web.url("cdn.example", path)].judgement.verdict is Verdict.DEAD
    for path in paths[:TRUST_AFTER]:
        assert trail(results[web.url("cdn.example", path)]) == [("HEAD", 200), ("GET", 200)]
    assert _confirmed_after_trust(web, "cdn.example") == []
    assert [trail(results[web.url("cdn.example", path)]) for path in paths[-3:]] == [[("HEAD", 200)]] * 3


async def test_an_image_served_as_html_keeps_image_heads_confirmed(web: SimWeb) -> None:
    host = web.host("cdn.example")
    png = Reply.image("png")
    host.route("/mislabelled.png", dataclasses.replace(png, content_type="text/html"))
    paths = ["/mislabelled.png"] + [f"/photo/{n}.jpg" for n in range(TRUST_AFTER + 1)]
    for path in paths[1:]:
        host.route(path, Reply.html("<!doctype html><p>our home page</p>"))
    kind = LinkKind.IMAGE
    results = await run(web, [item(web.url("cdn.example", path), kind) for path in paths], ONE_AT_A_TIME)
    assert results[web.url("cdn.example", paths[0])].judgement.verdict is Verdict.LIVE
    for path in paths[1:]:
        result = results[web.url("cdn.example", path)]
        assert result.judgement.verdict is Verdict.DEAD
        assert trail(result) == [("HEAD", 200), ("GET", 200)]
