"""Soft rot against real HTTP servers on loopback: each rule, the sibling budget, and no false alarms.

The web is `linkaudit.demo.simweb`; names are mapped by linkaudit's own resolver, nothing else resolved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
import trio
from test_engine import FAST, item

from linkaudit.check import CheckItem, check_targets
from linkaudit.check.resolve import Resolver
from linkaudit.check.soft import SIBLING_LETTERS, sibling_of
from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.demo.softweb import plan_soft_web, serve
from linkaudit.models import UrlResult, Verdict
from linkaudit.settings import CheckSettings, HostPolicy
from linkaudit.urls import normalize

SOFT = dataclasses.replace(FAST, soft=True)

ARTICLE = (
    "<!doctype html><html lang='en'><head><title>{title} | Daily</title></head><body>"
    "<header><nav><a href='/'>Home</a> <a href='/world/'>World</a></nav></header>"
    "<main><article><h1>{title}</h1>{text}</article></main><footer>© Daily News</footer></body></html>"
)
STORY = " ".join(
    f"<p>Paragraph {n}: the council met again about the harbour wall and the flood money it needs.</p>"
    for n in range(12)
)
NOT_FOUND = ARTICLE.format(
    title="Page not found", text="<p>Sorry, we could not find that page. Try the search.</p>"
)


def article(title: str) -> Reply:
    return Reply.html(ARTICLE.format(title=title, text=STORY))


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        yield simulated
        assert simulated.errors == []


async def run(web: SimWeb, urls: list[str], settings: CheckSettings = SOFT) -> dict[str, UrlResult]:
    results: list[UrlResult] = []
    resolver = Resolver({**web.resolve, "*": None}, system=False)
    await check_targets([item(url) for url in urls], settings, on_result=results.append, resolver=resolver)
    return {r.target.url: r for r in results}


def siblings_asked(web: SimWeb, host: str) -> list[str]:
    """Paths of the requests to `host` whose last segment is a sibling's random name."""
    paths = [record.path for record in web.stats(host).log]
    return [
        path for path in paths if len(path.rstrip("/").rsplit("/", 1)[-1].split(".")[0]) == SIBLING_LETTERS
    ]


async def test_a_live_page_on_a_site_with_a_custom_404_page_stays_live(web: SimWeb) -> None:
    host = web.host("proper.example")
    host.route("/world/2024/03/flood.html", article("Flood relief"))
    host.otherwise(Reply.html(NOT_FOUND, status=404))  # a styled 404 page, honestly 404
    results = await run(web, ["http://proper.example/world/2024/03/flood.html"])
    result = results["http://proper.example/world/2024/03/flood.html"]
    assert (result.judgement.verdict, result.judgement.reason) == (Verdict.LIVE, "http-200")
    assert result.evidence is not None and result.evidence.soft is not None
    soft = result.evidence.soft
    assert soft.sibling_status == 404 and soft.similarity is None
    assert soft.sibling_url is not None and soft.sibling_url.startswith(
        "http://proper.example/world/2024/03/"
    )
    assert soft.sibling_url.endswith(".html") and soft.sibling_requests == 1
    assert siblings_asked(web, "proper.example") == [soft.sibling_url.removeprefix("http://proper.example")]


async def test_a_removed_page_answering_200_not_found_is_a_soft_404(web: SimWeb) -> None:
    host = web.host("soft.example")
    host.route("/world/2024/03/flood.html", article("Flood relief"))
    host.otherwise(Reply.html(NOT_FOUND.replace("<p>Sorry", "<p><code>{path}</code> Sorry")))
    urls = ["http://soft.example/world/2024/03/flood.html", "http://soft.example/world/2019/05/removed.html"]
    results = await run(web, urls)
    live, removed = (results[url] for url in urls)
    assert live.judgement.verdict is Verdict.LIVE  # a real article beside the soft-404 page
    assert (removed.judgement.verdict, removed.judgement.reason) == (Verdict.SOFT_DEAD, "soft-404")
    assert removed.evidence is not None and removed.evidence.soft is not None
    soft = removed.evidence.soft
    assert soft.wording == "page not found" and soft.sibling_status == 200
    assert soft.similarity is not None and soft.similarity >= 0.5  # the path it echoes differs
    # One sibling for the directory shape /world/*/*/: asked once, shared by the second URL.
    assert len(siblings_asked(web, "soft.example")) == 1
    assert sorted([live.evidence.soft.sibling_shared, soft.sibling_shared]) == [False, True]  # type: ignore[union-attr]


async def test_a_removed_page_answering_the_home_page_is_a_soft_404_without_any_wording(web: SimWeb) -> None:
    host = web.host("home200.example")
    home = Reply.html(
        ARTICLE.format(title="Daily News", text="<ul>" + "<li>Latest story headline</li>" * 30 + "</ul>")
    )
    host.route("/", home)
    host.otherwise(home)
    results = await run(web, ["http://home200.example/tech/2020/old-story"])
    result = results["http://home200.example/tech/2020/old-story"]
    assert (result.judgement.verdict, result.judgement.reason) == (Verdict.SOFT_DEAD, "soft-404")
    assert result.evidence is not None and result.evidence.soft is not None
    assert result.evidence.soft.wording is None and result.evidence.soft.similarity == 1.0


@pytest.mark.parametrize(
    ("location", "kind"),
    [
        ("/", "root"),
        ("/zh-hans/", "language root"),
        ("/account/login?next=/news/2019/x", "login"),
        ("/news/", "section"),
    ],
)
async def test_a_deep_link_sent_home_is_soft_dead(web: SimWeb, location: str, kind: str) -> None:
    host = web.host("moved.example")
    for page in ("/", "/zh-hans/", "/account/login?next=/news/2019/x", "/news/"):
        host.route(page, article(f"Daily {page}"))
    host.route("/news/2019/x", Reply.redirect(location, status=302))
    host.otherwise(Reply.html(NOT_FOUND, status=404))
    results = await run(web, ["http://moved.example/news/2019/x"])
    result = results["http://moved.example/news/2019/x"]
    assert (result.judgement.verdict, result.judgement.reason) == (Verdict.SOFT_DEAD, "redirect-to-home"), (
        kind
    )
    assert siblings_asked(web, "moved.example") == []  # the redirect decided: no sibling needed


async def test_a_deep_link_redirected_where_every_unknown_page_goes_is_a_soft_404(web: SimWeb) -> None:
    host = web.host("to404.example")
    host.route("/404.html", Reply.html(NOT_FOUND))
    host.otherwise(Reply.redirect("/404.html", status=302))
    results = await run(web, ["http://to404.example/a/b/gone.html"])
    result = results["http://to404.example/a/b/gone.html"]
    assert (result.judgement.verdict, result.judgement.reason) == (Verdict.SOFT_DEAD, "soft-404")
    assert result.evidence is not None and result.evidence.soft is not None
    assert result.evidence.soft.sibling_final_url == "http://to404.example/404.html"
    assert result.evidence.soft.sibling_requests == 2  # the sibling's redirect and its landing


def with_canonical(title: str, canonical: str, text: str = STORY) -> Reply:
    page = ARTICLE.format(title=title, text=text)
    return Reply.html(page.replace("</head>", f"<link rel='canonical' href='{canonical}'></head>"))


async def test_a_site_that_rewrites_or_ignores_slugs_is_not_a_soft_404(web: SimWeb) -> None:
    # Stack Overflow's way: /questions/ID/ANY-WORDS redirects to the question's one name.
    qa = web.host("qa.example")
    canonical = "/questions/12345/how-to-parse-json"
    qa.route(canonical, with_canonical("How to parse JSON", canonical))
    qa.otherwise(Reply.redirect(canonical), under="/questions/12345/")
    qa.otherwise(Reply.html(NOT_FOUND, status=404))
    # Reddit's way: any words after the id serve the page, which names its canonical URL.
    forum = web.host("forum.example")
    thread = "http://forum.example/r/harbour/comments/abc12x/harbour_fire/"
    forum.otherwise(with_canonical("Harbour fire thread", thread), under="/r/harbour/comments/abc12x/")
    # A slug dropped: /story/ID/OLD-TITLE and anything else below the id go to /story/ID.
    story = web.host("story.example")
    story.route("/story/12345", with_canonical("Harbour fire", "/story/12345"))
    story.otherwise(Reply.redirect("/story/12345"), under="/story/12345/")
    urls = [
        f"http://qa.example{canonical}",
        "http://qa.example/questions/12345/old-words",
        thread,
        "http://story.example/story/12345/old-title",
    ]
    results = await run(web, urls)
    seen = {url: (results[url].judgement.verdict, results[url].judgement.reason) for url in urls}
    assert seen == {
        urls[0]: (Verdict.LIVE, "http-200"),
        urls[1]: (Verdict.REDIRECTED, "redirect-301"),
        urls[2]: (Verdict.LIVE, "http-200"),
        urls[3]: (Verdict.REDIRECTED, "redirect-301"),
    }
    soft = results[thread].evidence.soft  # type: ignore[union-attr]
    assert soft is not None and soft.similarity == 1.0  # the sibling got the very page…
    assert soft.canonical == soft.sibling_canonical == thread  # …and both say which page it is


async def test_a_stand_in_page_naming_a_home_or_section_as_canonical_is_still_a_soft_404(web: SimWeb) -> None:
    home = web.host("homecanon.example")
    front = with_canonical("Daily News", "/", "<ul>" + "<li>Latest story headline</li>" * 30 + "</ul>")
    home.route("/", front)
    home.otherwise(front)
    section = web.host("section.example")
    index = with_canonical("World", "/world/", "<ul>" + "<li>World story headline</li>" * 30 + "</ul>")
    section.otherwise(index, under="/world/")
    echo = web.host("echo.example")
    echo.otherwise(
        Reply.html(
            NOT_FOUND.replace("</head>", "<link rel='canonical' href='{path}'></head>").replace(
                "<p>Sorry", "<p><code>{path}</code> Sorry"
            )
        )
    )
    urls = [
        "http://homecanon.example/tech/2020/old-story",
        "http://section.example/world/2019/05/gone.html",
        "http://echo.example/world/2019/05/gone.html",
    ]
    results = await run(web, urls)
    for url in urls:
        assert (results[url].judgement.verdict, results[url].judgement.reason) == (
            Verdict.SOFT_DEAD,
            "soft-404",
        ), url


async def test_parked_domains_by_redirect_script_and_words(web: SimWeb) -> None:
    web.host("expired.example").otherwise(
        Reply.redirect("http://sedo.com/search/details/?domain=expired.example", 302)
    )
    web.host("sedo.com").otherwise(Reply.html("Domain marketplace", status=403))
    web.host("lander.example").otherwise(
        Reply.html(
            "<!doctype html><html><head><title>lander.example</title>"
            '<script src="https://img1.wsimg.com/parking-lander/static/js/main.js"></script></head>'
            "<body><div id='root'></div></body></html>"
        )
    )
    web.host("forsale.example").otherwise(
        Reply.html("<!doctype html><title>forsale.example</title><h1>Diese Domain steht zum Verkauf!</h1>")
    )
    urls = [
        "http://expired.example/news/2019/story.html",
        "http://lander.example/",
        "http://lander.example/blog/post-1",
        "http://forsale.example/de/politik/2018/artikel.html",
    ]
    results = await run(web, urls)
    for url in urls:
        judgement = results[url].judgement
        assert (judgement.verdict, judgement.reason) == (Verdict.USURPED, "parked-domain"), url
    soft = results["http://forsale.example/de/politik/2018/artikel.html"].evidence.soft  # type: ignore[union-attr]
    assert soft is not None and soft.markers == ("text:diese domain steht zum verkauf",)


async def test_an_article_about_parking_citing_sedo_stays_live(web: SimWeb) -> None:
    host = web.host("media.example")
    quote = '<p>An expired domain shows "this domain is for sale", served by <a href="https://sedo.com/">Sedo</a>.</p>'
    host.route("/2024/parking", Reply.html(ARTICLE.format(title="Parked domains", text=quote + STORY)))
    results = await run(web, ["http://media.example/2024/parking"])
    assert results["http://media.example/2024/parking"].judgement.verdict is Verdict.LIVE


async def test_one_sibling_per_host_and_directory_through_the_hosts_gate(web: SimWeb) -> None:
    host = web.host("busy.example")
    urls = []
    for section in ("world", "tech"):
        for day in range(1, 7):
            path = f"/{section}/2024/03/{day:02d}/story-{day}.html"
            host.route(path, article(f"{section} {day}"))
            urls.append(f"http://busy.example{path}")
    host.route("/about/team.html", article("Our team"))
    urls.append("http://busy.example/about/team.html")
    host.otherwise(Reply.html(NOT_FOUND, status=404))
    polite = dataclasses.replace(SOFT, host=HostPolicy(concurrency=2, interval=0.05))
    results = await run(web, urls, polite)
    assert all(result.judgement.verdict is Verdict.LIVE for result in results.values())
    stats = web.stats("busy.example")
    # Three directory shapes (/world/*/*/*/, /tech/*/*/*/, /about/): three siblings, one GET per page.
    assert len(siblings_asked(web, "busy.example")) == 3
    assert stats.requests == len(urls) + 3
    assert stats.max_in_flight <= 2
    gap = stats.min_gap()
    assert gap is not None and gap >= 0.05 - 0.01  # the siblings kept the host's interval too
    softs = [
        r.evidence.soft for r in results.values() if r.evidence is not None and r.evidence.soft is not None
    ]
    assert len(softs) == len(urls)
    assert sum(soft.sibling_requests for soft in softs) == 3
    assert sum(soft.sibling_shared for soft in softs) == len(urls) - 3


async def test_no_soft_means_plain_checking(web: SimWeb) -> None:
    host = web.host("plain.example")
    host.otherwise(Reply.html(NOT_FOUND))
    plain = dataclasses.replace(SOFT, soft=False)
    results = await run(web, ["http://plain.example/world/2019/gone.html"], plain)
    result = results["http://plain.example/world/2019/gone.html"]
    assert result.judgement.verdict is Verdict.LIVE and result.evidence is not None
    assert result.evidence.soft is None
    assert [(a.method, a.status) for a in result.evidence.attempts] == [("HEAD", 200)]
    assert siblings_asked(web, "plain.example") == []


async def test_images_are_not_read_for_soft_rot(web: SimWeb) -> None:
    host = web.host("img.example")
    host.route("/2024/a.png", Reply.image("png"))
    host.otherwise(Reply.html(NOT_FOUND))
    from linkaudit.models import LinkKind  # noqa: PLC0415

    results: list[UrlResult] = []
    resolver = Resolver({**web.resolve, "*": None}, system=False)
    await check_targets(
        [item("http://img.example/2024/a.png", LinkKind.IMAGE)],
        SOFT,
        on_result=results.append,
        resolver=resolver,
    )
    assert results[0].judgement.verdict is Verdict.LIVE
    assert siblings_asked(web, "img.example") == []


def test_siblings_are_shaped_like_the_page() -> None:
    name = "q" * SIBLING_LETTERS
    key, url = sibling_of("http://a.example/news/2019/05/story.html?id=3", name)
    assert url == f"http://a.example/news/2019/05/{name}.html"
    assert key == ("http://a.example", "/news/*/*/")
    assert sibling_of("http://a.example/blog/my-post/", name)[1] == f"http://a.example/blog/{name}/"
    assert sibling_of("http://a.example/x", name)[1] == f"http://a.example/{name}"
    assert (
        sibling_of("http://a.example/c/2021-12-31/doc-1.shtml", name)[0]
        == sibling_of("http://a.example/c/2022-01-03/doc-2.shtml", name)[0]
    )


def test_the_labelled_web_in_nine_languages() -> None:
    """A small labelled web (every language, every way of answering, parked domains): every verdict right."""
    plan = plan_soft_web(3, sites_per_language=10, parked=10)
    with SimWeb() as web:
        serve(web, plan)
        resolver = Resolver({**web.resolve, "*": None}, system=False)
        results: list[UrlResult] = []
        items: list[CheckItem] = [item(page.url) for page in plan.pages]
        trio.run(lambda: check_targets(items, SOFT, on_result=results.append, resolver=resolver))
        assert web.errors == []
    got = {r.target.url: r.judgement for r in results}
    wrong = [
        (page.url, page.truth, got[normalize(page.url).url])
        for page in plan.pages
        if got[normalize(page.url).url].verdict.value != page.truth
        or (page.reason is not None and got[normalize(page.url).url].reason != page.reason)
    ]
    assert wrong == []
    assert {page.truth for page in plan.pages} >= {"live", "dead", "redirected", "soft-dead", "usurped"}


def test_simweb_answers_unrouted_paths_by_the_longest_prefix() -> None:
    """`SimHost.otherwise`, which the soft-rot scenes stand on: longest prefix, replies in turn, `{path}`."""
    import httpx  # noqa: PLC0415

    with SimWeb() as web:
        host = web.host("any.example")
        host.route("/kept", Reply.html("kept"))
        host.otherwise(Reply.html("<p>no {path}</p>"), Reply.html("<p>again</p>"))
        host.otherwise(Reply.redirect("/", status=302), under="/old/")
        base = f"http://{host.address}"
        with httpx.Client(trust_env=False, headers={"Host": "any.example"}) as client:
            assert client.get(f"{base}/kept").text.endswith("kept</p></body></html>")
            assert client.get(f"{base}/x<y").text == "<p>no /x%3Cy</p>"
            assert client.get(f"{base}/z").text == "<p>again</p>"
            old = client.get(f"{base}/old/page")
            assert (old.status_code, old.headers["location"]) == (302, "/")
        assert web.errors == []
