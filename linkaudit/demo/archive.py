"""The demo's web archive: copies of some cited pages, for `linkaudit demo` to show archived copies offline.

A `SimArchive` on loopback (named `archive.example`) holding captures as the Wayback Machine would: the
dead pages' copies from before they were cited (one only after, one never archived at all, one whose
only captures are a redirect and a 404: nothing to offer), and a live page whose copy from the day it
was cited tells another story than the page does now, so that `--archives all` finds it `deviated`.
"""

from __future__ import annotations

from linkaudit.archive.simarchive import SimArchive
from linkaudit.demo.news import Article, news_page

__all__ = ["DEMO_ARCHIVE", "DEMO_DRIFTED", "build_demo_archive"]

DEMO_ARCHIVE = "archive.example"
_DAILY = "http://daily-news.example"
_DRIFTED = f"{_DAILY}/world/2024/03/flood-relief.html"

#: The verdicts `--archives all` changes: a live page whose main text has left its archived copy.
DEMO_DRIFTED: dict[str, str] = {_DRIFTED: "deviated"}

_CITED_STORY = Article(
    "Flood relief convoys reach Linjiang as the river crests",
    (
        "The first relief convoys reached Linjiang on Saturday morning, two days after the river broke "
        "its banks and flooded the lower town, the city's emergency office said.",
        "Forty boats from neighbouring counties have joined the rescue, and more than six thousand "
        "residents have been moved to schools and sports halls on higher ground.",
        "Officials warned that the river would crest again on Sunday night and asked residents of the "
        "harbour district not to return to their homes until the water had fallen.",
        "Volunteers at the central school said they needed blankets, drinking water and dry clothes for "
        "children more than food, which was arriving faster than it could be handed out.",
    ),
)


def build_demo_archive() -> SimArchive:
    """The demo's archive, scripted but not started (use `with build_demo_archive() as archive:`)."""
    archive = SimArchive(DEMO_ARCHIVE)
    page = news_page(_CITED_STORY, site="Daily News", date="2024-03-16 08:30")
    archive.capture(_DRIFTED, "20240316091500", body=page)
    archive.capture(f"{_DAILY}/world/2023/harbour-fire", "20231121064512", body="<p>Harbour fire</p>")
    archive.capture(f"{_DAILY}/archive/2018/election-live", "20181106230102", body="<p>Election night</p>")
    archive.capture(f"{_DAILY}/archive/2018/election-live", "20190301000000", 301, location=f"{_DAILY}/")
    archive.capture("http://linjiang-observer.example/2022/05/ferry-strike", "20220512101010")
    archive.capture("http://linjiang-observer.example/2022/05/ferry-strike", "20240101000000", 404)
    # Archived only after it was cited: offered, with the days after.
    archive.capture(
        "http://img.photo-cdn.example/2023/11/harbour-fire.jpg", "20240602120000", mimetype="image/jpeg"
    )
    # Never offered: a redirect and an error are not the page.
    archive.capture(
        "http://tinylink.example/x7Kq2", "20220101000000", 302, location="http://elsewhere.example/"
    )
    return archive
