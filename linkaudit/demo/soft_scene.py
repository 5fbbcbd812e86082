"""The demo's soft rot: a soft-404 site, a deep link sent home and a parked domain (issue 7).

Kept apart from the rest of the demo's web so that each scene stays small: `script_soft(web)` adds the
hosts, `SOFT_EXPECTED` the verdicts a correct checker gives the URLs the demo articles cite on them.
"""

from __future__ import annotations

from linkaudit.demo.simweb import Reply, SimWeb

__all__ = ["SOFT_EXPECTED", "script_soft"]

HARBOUR = "http://harbour-times.example"
RIVER = "http://river-daily.example"
WEEKLY = "http://linjiang-weekly.example"

SOFT_EXPECTED: dict[str, str] = {
    # A live article on a site whose unknown pages answer 200 "Page not found"...
    f"{HARBOUR}/news/2024/03/ferry-returns.html": "live",
    # ... and the removed one beside it: the same "not found" page, status 200 (soft-404).
    f"{HARBOUR}/news/2021/06/ferry-contract.html": "soft-dead",
    # A deep link that now redirects to the home page (redirect-to-home).
    f"{RIVER}/2020/05/dam-inquiry/": "soft-dead",
    # An expired domain, now a parking page at every path (parked-domain).
    f"{WEEKLY}/2019/flood-map.html": "usurped",
}


def _page(site: str, title: str, text: str) -> Reply:
    return Reply.html(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title} | {site}</title></head><body><header><nav><a href='/'>{site}</a> "
        "<a href='/news/'>News</a> <a href='/sport/'>Sport</a></nav></header>"
        f"<main><h1>{title}</h1><p>{text}</p></main><footer>© {site}</footer></body></html>"
    )


def script_soft(web: SimWeb) -> None:
    """Add the soft-rot scenes to the demo's web."""
    harbour = web.host("harbour-times.example")
    harbour.route(
        "/news/2024/03/ferry-returns.html",
        _page(
            "Harbour Times",
            "Ferry service returns to Linjiang",
            "The first ferry since the flood left the old harbour on Monday morning, carrying workers and "
            "supplies to the island villages. The operator said a full timetable would follow in April, "
            "once engineers had checked the landing stages on both banks of the river.",
        ),
    )
    harbour.otherwise(
        _page(
            "Harbour Times",
            "Page not found",
            "Sorry, the page you were looking for could not be found. Try our search or the home page.",
        )
    )
    river = web.host("river-daily.example")
    river.route("/", _page("River Daily", "River Daily", "Latest news from the upper river valley."))
    river.route("/2020/05/dam-inquiry/", Reply.redirect(f"{RIVER}/", status=301))
    web.host("linjiang-weekly.example").otherwise(
        Reply.html(
            '<!doctype html><html><head><meta charset="utf-8"><title>linjiang-weekly.example</title>'
            '<script src="https://www.parkingcrew.net/assets/scripts/main.js"></script></head><body>'
            "<h1>linjiang-weekly.example</h1><p>This domain may be for sale!</p>"
            "<ul><li>Insurance</li><li>Travel</li></ul></body></html>"
        )
    )
