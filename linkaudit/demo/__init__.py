"""The scenario behind `linkaudit demo`: a small, believable news web on loopback and articles citing it.

`build_demo_web()` scripts a `SimWeb` (not started) with every kind of link rot a checker meets: live
pages and images, an image URL that now answers with an HTML page, 404 and 410 pages, permanent and
temporary redirects, a redirect loop and an over-long chain, a rate limit and a flaky server that
recover on retry, a slow page, a server that refuses HEAD, bot walls, a vanished domain and a host that
refuses connections. `demo_articles()` is the folder of articles citing all of it, and `DEMO_EXPECTED`
the verdict a correct checker gives each cited URL (keys are normalized as `linkaudit.urls.normalize`
does, so they match `Target.url`). All names are under `.example` (RFC 2606): they never resolve on
the internet, only through `web.resolve`. `demo_name` shows an article as `demo/articles/…` wherever the
package is installed, and `closing_line` says what the demo's verdicts were checked against.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from linkaudit.demo.simweb import Reply, SimWeb

if TYPE_CHECKING:  # only for types: importing the demo's web must not pull in the checker
    from linkaudit.models import AuditReport

__all__ = ["DEMO_EXPECTED", "build_demo_web", "closing_line", "demo_articles", "demo_name"]

DAILY = "http://daily-news.example"
DAILY_WWW = "http://www.daily-news.example"
IMAGES = "http://img.photo-cdn.example"
WIRE = "http://wire-agency.example"
GAZETTE = "http://slow-gazette.example"
OLD_PRESS = "http://old-press.example"
WIKI = "http://open-encyclopedia.example"
TECH = "http://tech-review.example"
FINANCE = "http://finance-journal.example"
SHORT = "http://tinylink.example"
OBSERVER = "http://linjiang-observer.example"
RADIO = "http://citizen-radio.example"
STATS = "http://stats-bureau.example"

# Cited with its Chinese path as written; a checker sends it percent-encoded, and that is its key.
_TOPIC_PATH = quote("/专题/临江洪灾")

#: Every URL the demo articles cite, with the verdict a correct checker gives it.
DEMO_EXPECTED: dict[str, str] = {
    # Live pages and images.
    f"{DAILY}/world/2024/03/flood-relief.html": "live",
    f"{DAILY}{_TOPIC_PATH}": "live",
    f"{WIKI}/wiki/Linjiang_(city)": "live",
    f"{IMAGES}/2024/03/flood-aerial.png": "live",
    f"{IMAGES}/2024/03/rescue-boat.jpg": "live",
    # Redirects that only tidy the URL (trailing slash, www. removed).
    f"{DAILY}/world/2024/03/ceasefire-talks": "live",
    f"{DAILY_WWW}/business/2024/03/markets-rally": "live",
    # Servers that recover, are slow, or refuse HEAD: a patient, careful checker still finds them live.
    f"{WIRE}/news/2024/03/18/summit-opens": "live",
    f"{WIRE}/news/2024/03/17/markets-wobble": "live",
    f"{GAZETTE}/opinion/2024/03/after-the-flood": "live",
    f"{OLD_PRESS}/cgi-bin/article.pl?id=20240316": "live",
    # Answered from another URL: moved for good (301 and 308 chains), or for now (302, permanent: false).
    f"{DAILY}/live/latest": "redirected",
    f"{DAILY}/politics/2019/budget-vote": "redirected",
    f"{TECH}/p/4471": "redirected",
    f"{DAILY}/tech/2023/chip-ban": "redirected",
    # Gone.
    f"{DAILY}/world/2023/harbour-fire": "dead",
    f"{DAILY}/archive/2018/election-live": "dead",
    f"{IMAGES}/2023/11/harbour-fire.jpg": "dead",
    f"{SHORT}/x7Kq2": "dead",
    f"{SHORT}/m9Rt4": "dead",
    f"{OBSERVER}/2022/05/ferry-strike": "dead",
    # There, but not for robots.
    f"{FINANCE}/markets/2024/03/rate-decision": "blocked",
    f"{FINANCE}/premium/2024/03/chip-stocks": "blocked",
    f"{TECH}/2024/03/fab-tour": "blocked",
    # Still "too many requests" after every patient retry.
    f"{STATS}/data/2024/flood-losses.csv": "rate-limited",
    # The host is there and refuses to talk.
    f"{RADIO}/archive/2023/flood-call-in": "unreachable",
}


def _page(title: str, lede: str) -> Reply:
    return Reply.html(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><article><h1>{title}</h1><p>{lede}</p></article></body></html>"
    )


def build_demo_web() -> SimWeb:
    """The demo's simulated web, scripted but not started (use `with build_demo_web() as web:`)."""
    web = SimWeb()
    try:
        _script(web)
    except BaseException:
        web.stop()
        raise
    return web


def _script(web: SimWeb) -> None:
    daily = web.host("daily-news.example")
    daily.route("/world/2024/03/flood-relief.html", _page("Flood relief reaches Linjiang", "Boats and..."))
    daily.route(_TOPIC_PATH, _page("专题：临江洪灾", "临江市遭遇三十年来最严重洪灾。"))
    daily.route("/world/2024/03/ceasefire-talks", Reply.redirect(f"{DAILY}/world/2024/03/ceasefire-talks/"))
    daily.route("/world/2024/03/ceasefire-talks/", _page("Ceasefire talks resume", "Negotiators met..."))
    daily.route("/business/2024/03/markets-rally", _page("Markets rally on rate hopes", "Shares rose..."))
    daily.route("/live/latest", Reply.redirect("/live/2024-03-18", status=302))
    daily.route("/live/2024-03-18", _page("Live: 18 March", "Follow the day's news as it happens."))
    daily.route("/politics/2019/budget-vote", Reply.redirect(f"{DAILY}/politics/archive/budget-vote-2019"))
    daily.route("/politics/archive/budget-vote-2019", _page("Budget vote (archive)", "The council voted..."))
    daily.route("/tech/2023/chip-ban", Reply.redirect(f"{TECH}/2023/chip-ban"))
    daily.route("/world/2023/harbour-fire", Reply.html("Page not found", status=404))
    daily.route("/archive/2018/election-live", Reply.html("This page has been removed", status=410))

    web.host("www.daily-news.example").route(
        "/business/2024/03/markets-rally", Reply.redirect(f"{DAILY}/business/2024/03/markets-rally")
    )

    images = web.host("img.photo-cdn.example")
    images.route("/2024/03/flood-aerial.png", Reply.image("png"))
    images.route("/2024/03/rescue-boat.jpg", Reply.image("jpeg"))
    # The CDN no longer has the photo and answers with its home page, status 200: a broken image.
    images.route("/2023/11/harbour-fire.jpg", _page("Photo CDN", "Fast images for newsrooms."))

    wire = web.host("wire-agency.example")
    wire.route(
        "/news/2024/03/18/summit-opens",
        Reply.html("Too Many Requests", status=429, headers={"Retry-After": "1"}),
        _page("Summit opens in Port Avery", "Leaders arrived on Monday..."),
    )
    wire.route(
        "/news/2024/03/17/markets-wobble",
        Reply.html("Service Unavailable", status=503),
        _page("Markets wobble before summit", "Traders were cautious..."),
    )

    web.host("slow-gazette.example", latency=1.5).route(
        "/opinion/2024/03/after-the-flood", _page("After the flood", "What Linjiang must rebuild first.")
    )

    web.host("old-press.example").route(
        "/cgi-bin/article.pl?id=20240316",
        Reply(200, _page("Old Press", "Volunteers clear the riverbank.").body, head=Reply(405)),
    )

    web.host("open-encyclopedia.example").route(
        "/wiki/Linjiang_(city)", _page("Linjiang (city)", "Linjiang is a river port...")
    )

    tech = web.host("tech-review.example")
    tech.route("/p/4471", Reply.redirect("/2024/03/chip-export-rules", status=308))
    tech.route(
        "/2024/03/chip-export-rules", Reply.redirect("/2024/03/chip-export-rules-explained", status=308)
    )
    tech.route(
        "/2024/03/chip-export-rules-explained", _page("Chip export rules, explained", "What changed...")
    )
    tech.route("/2023/chip-ban", Reply.redirect(f"{TECH}/2023/chip-ban-timeline", status=308))
    tech.route("/2023/chip-ban-timeline", _page("The chip ban: a timeline", "From the first rules..."))
    tech.route(
        "/2024/03/fab-tour",
        Reply.html("Just a moment...", status=403, headers={"cf-mitigated": "challenge"}),
    )

    finance = web.host("finance-journal.example")
    finance.route(
        "/markets/2024/03/rate-decision", Reply.html("Access denied: automated requests", status=403)
    )
    finance.route(
        "/premium/2024/03/chip-stocks",
        Reply.html("Subscribers only", status=401, headers={"WWW-Authenticate": 'Bearer realm="premium"'}),
    )

    short = web.host("tinylink.example")
    short.route("/x7Kq2", Reply.redirect("/go/x7Kq2", status=302))
    short.route("/go/x7Kq2", Reply.redirect("/x7Kq2", status=302))
    # Twelve hops, two more than a checker follows (its default is 10), before a page that exists.
    hops = ["/m9Rt4", *(f"/hop/{i}" for i in range(1, 12)), "/landing"]
    for here, there in itertools.pairwise(hops):
        short.route(here, Reply.redirect(there, status=301))
    short.route("/landing", _page("tinylink", "Short links for busy people."))

    web.host("stats-bureau.example").route(
        "/data/2024/flood-losses.csv",
        Reply.html("Too Many Requests", status=429, headers={"Retry-After": "1"}),
    )

    web.missing_host("linjiang-observer.example")
    web.dead_host("citizen-radio.example")


def demo_articles() -> Path:
    """The folder of bundled demo articles (Markdown)."""
    return Path(__file__).parent / "articles"


def demo_name(path: str | os.PathLike[str]) -> str:
    """How the report names a demo article: `demo/articles/…`, the same from a checkout or a wheel (where
    a path relative to the current folder runs deep into site-packages)."""
    relative = os.path.relpath(os.path.abspath(path), demo_articles().parent.parent)
    return Path(relative).as_posix()


def closing_line(report: AuditReport, expected: Mapping[str, str] = DEMO_EXPECTED) -> str:
    """What the demo checked its verdicts against: the web URLs it expects, out of all distinct URLs."""
    got = {r.target.url: r.judgement.verdict.value for r in report.results if r.target.is_http}
    right = sum(got.get(url) == verdict for url, verdict in expected.items())
    line = f"demo: {right} of {len(expected)} web URLs got their verdicts as the simulated web knows them"
    others = Counter(r.judgement.verdict.value for r in report.results if not r.target.is_http)
    if others:
        kinds = ", ".join(f"{count} {verdict}" for verdict, count in sorted(others.items()))
        line += (
            f"; the other {others.total()} of the {len(report.results)} distinct URLs were judged"
            f" without the web ({kinds})"
        )
    return line
