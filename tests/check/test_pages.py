"""Web pages as inputs: fetched from real servers on loopback (SimWeb), their links checked one level deep."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import replace

import pytest
from forward_proxy import ForwardProxy
from test_engine import FAST as ENGINE_FAST

from linkaudit.audit import audit_extracted
from linkaudit.check.pages import Page, fetch_pages
from linkaudit.check.resolve import Resolver
from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.extract import ExtractResult
from linkaudit.models import FileError
from linkaudit.settings import HeaderRule, HostPolicy

FAST = dataclasses.replace(
    ENGINE_FAST, retry_base=0.01, max_retry_wait=1.0, host=HostPolicy(concurrency=2, interval=0.0)
)
ARTICLE = """<!doctype html><html><head><title>Post</title></head><body>
<p><a href="ok">a live page</a>, <a href="/gone">a dead one</a>, <a href="http://other.example/x">elsewhere</a>,
<img src="pic.png" alt="a picture">, <a href="#comments">comments</a></p>
</body></html>"""


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        site = simulated.host("site.example")
        site.route("/blog/post", Reply.html(ARTICLE))
        site.route("/old-post", Reply.redirect("/blog/post", 301))
        site.route("/blog/ok", Reply.html('<p><a href="deeper">one level further</a></p>'))
        site.route("/blog/pic.png", Reply.image("png"))
        site.route("/flaky", Reply(503), Reply.html('<a href="/blog/ok">ok</a>'))
        site.route("/big", Reply.html("<p>" + "x" * 5000 + "</p>"))
        simulated.host("other.example").route("/x", Reply.html("x"))
        yield simulated
        assert simulated.errors == []


def resolver(web: SimWeb) -> Resolver:
    return Resolver({**web.resolve, "*": None}, system=False)


async def test_pages_are_fetched_after_redirects_or_named_when_they_cannot_be(web: SimWeb) -> None:
    addresses = [
        "http://site.example/old-post",
        "http://site.example/missing",
        "http://site.example/flaky",
        "http://site.example/big",
        "http://nowhere.example/",
        "http://[broken/",
    ]
    settings = replace(FAST, headers=(HeaderRule("X-Token", "t", "site.example"),))
    pages = await fetch_pages(addresses, settings, resolver(web), max_size=4096)
    post, missing, flaky, big, nowhere, broken = pages
    assert isinstance(post, Page)
    assert (post.address, post.final_address) == (
        "http://site.example/old-post",
        "http://site.example/blog/post",
    )
    assert post.body == ARTICLE.encode()
    assert post.content_type == "text/html; charset=utf-8"
    assert missing == FileError("http://site.example/missing", "cannot fetch the page: HTTP 404 Not Found")
    assert isinstance(flaky, Page)  # a 503 is retried, as a link's would be
    assert big == FileError(
        "http://site.example/big",
        "cannot fetch the page: page too large (over 4,096 bytes, see --max-file-size)",
    )
    assert isinstance(nowhere, FileError)
    assert "name not found: nowhere.example" in nowhere.message
    assert isinstance(broken, FileError)
    assert broken.message.startswith("not a web address")
    stats = web.stats("site.example")
    assert stats.saw_header("User-Agent", FAST.user_agent)
    assert stats.saw_header("X-Token", "t")


async def test_pages_come_through_the_proxy_when_there_is_one(web: SimWeb) -> None:
    with ForwardProxy(web.resolve) as proxy:
        settings = replace(FAST, proxies={"http": proxy.url})
        (page,) = await fetch_pages(
            ["http://site.example/blog/post"], settings, Resolver({"*": None}, system=False), max_size=1 << 20
        )
    assert isinstance(page, Page)
    assert proxy.targets("GET") == ["http://site.example/blog/post"]


def test_a_page_s_links_are_checked_one_level_deep(web: SimWeb) -> None:
    nothing = ExtractResult(files=0, occurrences=(), errors=())
    outcome = audit_extracted(
        nothing,
        FAST,
        resolver=resolver(web),
        pages=["http://site.example/old-post", "http://site.example/missing"],
    )
    report = outcome.report
    verdicts = {r.target.url: (r.judgement.verdict.value, r.judgement.reason) for r in report.results}
    assert verdicts == {
        "http://site.example/blog/ok": ("live", "http-200"),
        "http://site.example/gone": ("dead", "http-404"),
        "http://other.example/x": ("live", "http-200"),
        "http://site.example/blog/pic.png": ("live", "http-200"),
        "http://site.example/blog/post": ("live", "http-200"),  # the #comments link: the page itself
    }
    assert (report.files, report.links) == (2, 5)
    assert [(e.file, e.message) for e in report.errors] == [
        ("http://site.example/missing", "cannot fetch the page: HTTP 404 Not Found")
    ]
    cited = {occ.file for r in report.results for occ in r.occurrences}
    assert cited == {"http://site.example/old-post"}
    # One level: the linked pages were probed, not crawled (ok's own link was never asked for).
    assert "/blog/deeper" not in web.stats("site.example").paths
