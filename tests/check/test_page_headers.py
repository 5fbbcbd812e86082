"""Review of issue 9 §3: per-host headers are never sent to another host, also when a web page given as
input (`linkaudit check http://site/page`) redirects elsewhere.

The prober follows redirects by hand through `HeaderChain`; the page fetcher lets httpx follow them with
the first request's headers, and httpx drops only `Authorization` (and `Cookie`) on a cross-origin
redirect: a `site.example=X-Api-Key: …` header reaches whatever host the page redirects to.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest

from linkaudit.check.pages import Page, fetch_pages
from linkaudit.check.resolve import Resolver
from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.settings import CheckSettings, HeaderRule, HostPolicy

SETTINGS = CheckSettings(
    retry_base=0.01,
    max_retry_wait=1.0,
    host=HostPolicy(concurrency=2, interval=0.0),
    timeout=5.0,
    allow_private_nets=(ipaddress.ip_network("127.0.0.0/8"),),  # the simulated web is on loopback
    headers=(
        HeaderRule("X-Api-Key", "site-only-secret-1234", "site.example"),
        HeaderRule("Private-Token", "site-only-token-5678", "site.example"),
    ),
)


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        simulated.host("site.example").route("/post", Reply.redirect("http://elsewhere.example/post", 302))
        simulated.host("elsewhere.example").route("/post", Reply.html("<p>moved</p>"))
        yield simulated
        assert simulated.errors == []


async def test_a_page_redirecting_to_another_host_does_not_take_the_host_s_headers_along(web: SimWeb) -> None:
    resolver = Resolver({**web.resolve, "*": None}, system=False)
    (page,) = await fetch_pages(["http://site.example/post"], SETTINGS, resolver, max_size=4096)
    assert isinstance(page, Page)
    assert web.stats("site.example").saw_header("X-Api-Key", "site-only-secret-1234")  # the header works
    assert not web.stats("elsewhere.example").saw_header("X-Api-Key")
    assert not web.stats("elsewhere.example").saw_header("Private-Token")
