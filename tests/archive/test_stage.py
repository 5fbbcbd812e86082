"""The archive stage inside a whole audit: real articles on disk, a simulated web and a simulated archive on
loopback, every name mapped by linkaudit's resolver (anything else: not found), nothing leaving the machine.
"""

from __future__ import annotations

import dataclasses
import io
import ipaddress
import json
import random
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from contracts import assert_valid_report

from linkaudit.archive import ArchiveMode, ArchiveSettings
from linkaudit.archive.simarchive import Fault, SimArchive
from linkaudit.archive.stage import ArchiveOptions
from linkaudit.articles import list_articles
from linkaudit.audit import AuditOutcome, audit_extracted
from linkaudit.check.resolve import Resolver
from linkaudit.classify.drift import DRIFT_THRESHOLD
from linkaudit.demo.news import Article, light_edit, news_page
from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.extract import collect_inputs, extract_files
from linkaudit.models import ArchiveDirection, ArchiveError, UrlResult, Verdict
from linkaudit.report.json import write_json_report
from linkaudit.report.progress import RecordingObserver
from linkaudit.report.read import parse_report
from linkaudit.settings import CheckSettings, HostPolicy
from linkaudit.store import HistoryPolicy, RunHistory, Store

FAST = CheckSettings(
    retry_base=0.02,
    max_retry_wait=5.0,
    host=HostPolicy(concurrency=4, interval=0.0),
    timeout=5.0,
    allow_private_nets=(ipaddress.ip_network("127.0.0.0/8"),),
)
QUICK = HostPolicy(concurrency=1, interval=0.0)


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        yield simulated
        assert simulated.errors == []


@pytest.fixture
def archive() -> Iterator[SimArchive]:
    with SimArchive() as simulated:
        yield simulated
        assert simulated.errors == []


def article(folder: Path, name: str, day: str, *urls: str) -> None:
    links = "\n".join(f"- [source {i}]({url})" for i, url in enumerate(urls))
    (folder / name).write_text(f"---\ndate: {day}\n---\n# A story\n\n{links}\n", encoding="utf-8")


def audit(
    folder: Path,
    web: SimWeb,
    archive: SimArchive | None,
    *,
    mode: ArchiveMode = ArchiveMode.FAILING,
    archive_settings: ArchiveSettings | None = None,
    history: RunHistory | None = None,
    observer: RecordingObserver | None = None,
    archive_url: str | None = None,
) -> AuditOutcome:
    files, _ = collect_inputs([str(folder)])
    resolve = {**web.resolve, **(archive.resolve if archive is not None else {}), "*": None}
    url = archive_url or (archive.archive_url if archive is not None else "http://archive.example")
    settings = archive_settings or ArchiveSettings(
        archive_url=url, policy=QUICK, backoff_base=0.05, timeout=5
    )
    return audit_extracted(
        extract_files(files, jobs=1),
        FAST,
        resolver=Resolver(resolve, system=False),
        observer=observer,
        articles=list_articles(files, use_git=False),
        archive=ArchiveOptions(mode, url, settings=settings),
        history=history,
    )


def by_url(outcome: AuditOutcome) -> dict[str, UrlResult]:
    return {r.target.url: r for r in outcome.report.results if r.target.fragment is None}


def as_json(outcome: AuditOutcome) -> dict[str, Any]:
    out = io.StringIO()
    write_json_report(outcome.report, out)
    document: dict[str, Any] = json.loads(out.getvalue())
    return document


def test_a_dead_citation_gets_the_copy_nearest_the_earliest_citation_date(
    tmp_path: Path, web: SimWeb, archive: SimArchive
) -> None:
    news = web.host("news.example")
    news.route("/live", Reply.html("still here"))
    gone, live = web.url("news.example", "/gone"), web.url("news.example", "/live")
    article(tmp_path, "late.md", "2021-12-31", gone, live)
    article(tmp_path, "early.md", "2019-05-01", gone)
    archive.capture(gone, "20180101120000")
    archive.capture(gone, "20190430080000")  # the latest good one on or before 2019-05-01
    archive.capture(gone, "20190501230000", 302, location="http://elsewhere.example/")  # a redirect: never
    archive.capture(gone, "20200101000000", 404)
    archive.capture(gone, "20220101000000")
    outcome = audit(tmp_path, web, archive)
    results = by_url(outcome)
    dead = results[gone]
    assert dead.judgement.verdict is Verdict.DEAD
    assert dead.archive is not None and dead.archive.archived is not None
    assert dead.archive.cited_at == date(2019, 5, 1)
    copy = dead.archive.archived
    assert (copy.timestamp, copy.distance_days, copy.direction) == (
        "20190430080000",
        1,
        ArchiveDirection.BEFORE,
    )
    assert copy.url == f"{archive.archive_url}/web/20190430080000/{gone}"
    assert results[live].archive is None  # failing mode: a live page is not looked up
    cdx = [r for r in archive.requests if r.path == "/cdx/search/cdx"]
    assert [(r.param("url"), r.param("limit"), r.param("to")) for r in cdx] == [(gone, "-1", "20190501")]
    document = as_json(outcome)
    assert_valid_report(document)
    entry = next(u for u in document["urls"] if u["url"] == gone)
    assert entry["archive"] == {
        "url": copy.url,
        "timestamp": "20190430080000",
        "distance_days": 1,
        "direction": "before",
    }
    assert (entry["archive_error"], entry["cited_at"]) == (None, "2019-05-01")
    assert document["settings"]["archives"] == "failing"
    back = parse_report(document)
    assert {r.target.url: r.archive for r in back.results}[gone] == dataclasses.replace(
        dead.archive, requests=0
    )


def test_none_found_and_only_captures_after_the_date(
    tmp_path: Path, web: SimWeb, archive: SimArchive
) -> None:
    web.host("news.example")
    never, later = web.url("news.example", "/never"), web.url("news.example", "/later")
    article(tmp_path, "a.md", "2020-06-01", never, later)
    archive.capture(never, "20190101000000", 404)
    archive.capture(later, "20200610000000")
    results = by_url(audit(tmp_path, web, archive))
    nothing = results[never].archive
    assert nothing is not None
    assert (nothing.archived, nothing.error) == (None, ArchiveError.NONE_FOUND)
    found = results[later].archive
    assert found is not None and found.archived is not None
    assert (found.archived.distance_days, found.archived.direction) == (9, ArchiveDirection.AFTER)


def test_a_citation_that_is_an_archived_copy_is_recognised_and_checked(tmp_path: Path, web: SimWeb) -> None:
    wayback = web.host("web.archive.org")
    wayback.route("/web/20150302101010/http://old.example/page", Reply.html("the page as it was"))
    cited = web.url("web.archive.org", "/web/20150302101010/http://old.example/page")
    article(tmp_path, "a.md", "2015-03-10", cited)
    outcome = audit(tmp_path, web, None)
    result = by_url(outcome)[cited]
    assert result.judgement.verdict is Verdict.LIVE  # the snapshot itself is checked like any URL
    assert web.stats("web.archive.org").requests >= 1
    snap = result.cited_snapshot
    assert snap is not None
    assert (snap.original, snap.timestamp, snap.distance_days, snap.direction) == (
        "http://old.example/page",
        "20150302101010",
        8,
        ArchiveDirection.BEFORE,
    )
    assert result.archive is None  # the copy is the citation: nothing to look up
    document = as_json(outcome)
    assert_valid_report(document)
    (entry,) = document["urls"]
    assert entry["cited_snapshot"]["original"] == "http://old.example/page"


def test_an_archive_that_is_down_changes_no_verdict_and_is_said_once(tmp_path: Path, web: SimWeb) -> None:
    web.host("news.example")
    address = web.dead_host("archive.example")  # refuses connections
    gone = [web.url("news.example", f"/gone/{n}") for n in range(30)]
    article(tmp_path, "a.md", "2021-12-31", *gone)
    observer = RecordingObserver()
    started = time.monotonic()
    outcome = audit(tmp_path, web, None, observer=observer, archive_url="http://archive.example")
    assert time.monotonic() - started < 10
    assert address
    results = by_url(outcome)
    assert {r.judgement.verdict for r in results.values()} == {Verdict.DEAD}
    assert {r.archive.error for r in results.values() if r.archive is not None} == {ArchiveError.UNREACHABLE}
    assert all(r.archive is not None for r in results.values())
    warnings = [args for name, args in observer.events if name == "warning"]
    assert len(warnings) == 1
    assert "archive.example" in str(warnings[0]) and "verdicts are unchanged" in str(warnings[0])
    assert outcome.doubt is None


def test_an_archive_answering_429_forever_is_given_up_on_quickly(
    tmp_path: Path, web: SimWeb, archive: SimArchive
) -> None:
    web.host("news.example")
    gone = [web.url("news.example", f"/gone/{n}") for n in range(40)]
    article(tmp_path, "a.md", "2021-12-31", *gone)
    archive.fail_always(Fault(429, retry_after="0"))
    started = time.monotonic()
    outcome = audit(tmp_path, web, archive)
    assert time.monotonic() - started < 10
    assert len(archive.requests) <= 3
    errors = {r.archive.error for r in by_url(outcome).values() if r.archive is not None}
    assert errors == {ArchiveError.RATE_LIMITED}
    assert {r.judgement.verdict for r in by_url(outcome).values()} == {Verdict.DEAD}


def test_the_archive_is_asked_one_request_at_a_time_a_second_apart_by_default(
    tmp_path: Path, web: SimWeb, archive: SimArchive
) -> None:
    web.host("news.example")
    gone = [web.url("news.example", f"/gone/{n}") for n in range(3)]
    article(tmp_path, "a.md", "2021-12-31", *gone)
    for url in gone:
        archive.capture(url, "20211201000000")
    settings = ArchiveSettings.from_check(CheckSettings(), archive.archive_url)
    audit(tmp_path, web, archive, archive_settings=settings)
    assert len(archive.requests) == 3
    assert archive.max_in_flight == 1
    gap = archive.min_gap()
    assert gap is not None and gap >= 0.95
    assert {r.user_agent for r in archive.requests} == {CheckSettings().user_agent}


STORY = Article(
    "Harbour authority approves dredging plan",
    (
        "The port authority voted on Tuesday to approve a plan to deepen the main shipping channel, "
        "ending a review that began two years ago and drew more than four thousand public comments.",
        "The plan calls for removing roughly 1.2 million cubic metres of sediment from the approach to "
        "the container terminal, allowing larger vessels to enter at any tide.",
        "Environmental groups had asked the authority to postpone the vote until a study of the "
        "estuary's seagrass beds was complete. The final plan moves the disposal site further out.",
        "The work is expected to cost 180 million and to take three seasons, with the regional "
        "government covering a third of the cost and port fees the remainder over twenty years.",
    ),
)
OTHER = Article(
    "City library to stay open until midnight",
    (
        "The central library will extend its opening hours until midnight on weekdays during the exam "
        "season, the council announced, after students collected nine thousand signatures.",
        "The reading rooms on the second and third floors will remain open, along with the group study "
        "rooms, which can be booked online up to a week in advance.",
        "The council will review attendance figures in July and decide whether to repeat the trial in "
        "the winter, after a similar trial three years ago was cancelled for lack of use.",
    ),
)


def drift_web(web: SimWeb, archive: SimArchive) -> tuple[str, str, str]:
    """Three live pages captured in 2021: one replaced since, one lightly edited, one re-dressed only."""
    news = web.host("news.example")
    replaced, edited, redressed = (web.url("news.example", p) for p in ("/replaced", "/edited", "/redressed"))
    then = news_page(STORY, date="2021-12-30 09:15", ads=["Advertisement: winter tyres"])

    def now(shown: Article, *, cookie_banner: bool = False) -> Reply:
        page = news_page(
            shown,
            date="2024-03-18 17:42",
            ads=["Sponsored: a credit card"],
            headlines=["Other news"],
            seed=3,
            cookie_banner=cookie_banner,
        )
        return Reply.html(page.decode())

    news.route("/replaced", now(OTHER))
    news.route("/edited", now(light_edit(STORY, OTHER, random.Random(1), share=0.15)))
    news.route("/redressed", now(STORY, cookie_banner=True))
    for url in (replaced, edited, redressed):
        archive.capture(url, "20211230101500", body=then)
    return replaced, edited, redressed


def test_drift_against_the_archived_copy(tmp_path: Path, web: SimWeb, archive: SimArchive) -> None:
    replaced, edited, redressed = drift_web(web, archive)
    article(tmp_path, "a.md", "2021-12-31", replaced, edited, redressed)
    outcome = audit(tmp_path, web, archive, mode=ArchiveMode.ALL)
    results = by_url(outcome)
    gone = results[replaced]
    assert gone.judgement.verdict is Verdict.DEVIATED
    assert gone.judgement.reason == "content-drift"
    assert gone.drift is not None and gone.drift.similarity is not None
    assert gone.drift.similarity < DRIFT_THRESHOLD
    assert gone.drift.snapshot == f"{archive.archive_url}/web/20211230101500id_/{replaced}"
    for url in (edited, redressed):
        kept = results[url]
        assert kept.judgement.verdict is Verdict.LIVE, url
        assert kept.drift is not None and kept.drift.similarity is not None
        assert kept.drift.similarity >= DRIFT_THRESHOLD
    assert results[redressed].drift.similarity == 1.0  # type: ignore[union-attr]
    # The raw snapshot was read (id_), and each live page fetched with a GET.
    raw = [r.path for r in archive.requests if r.path.startswith("/web/")]
    assert sorted(raw) == sorted(f"/web/20211230101500id_/{u}" for u in (replaced, edited, redressed))
    assert any(r.method == "GET" for r in web.stats("news.example").log)
    document = as_json(outcome)
    assert_valid_report(document)
    entry = next(u for u in document["urls"] if u["url"] == replaced)
    assert entry["verdict"] == "deviated"
    assert entry["drift"]["similarity"] == gone.drift.similarity
    assert document["summary"]["by_verdict"]["deviated"] == 1
    back = {r.target.url: r for r in parse_report(document).results}
    assert back[replaced].drift == gone.drift


def test_no_drift_without_all(tmp_path: Path, web: SimWeb, archive: SimArchive) -> None:
    replaced, _, _ = drift_web(web, archive)
    article(tmp_path, "a.md", "2021-12-31", replaced)
    result = by_url(audit(tmp_path, web, archive))[replaced]
    assert (result.judgement.verdict, result.drift, result.archive) == (Verdict.LIVE, None, None)
    assert archive.requests == []


def test_a_second_run_within_max_age_does_not_ask_the_archive_again(
    tmp_path: Path, web: SimWeb, archive: SimArchive
) -> None:
    replaced, _, _ = drift_web(web, archive)
    web.host("gone.example")
    gone = web.url("gone.example", "/story")
    archive.capture(gone, "20211001000000")
    folder = tmp_path / "articles"
    folder.mkdir()
    article(folder, "a.md", "2021-12-31", replaced, gone)
    path = tmp_path / "store.sqlite"
    policy = HistoryPolicy(max_age=86_400)

    def run() -> dict[str, UrlResult]:
        with Store.open(path) as store:
            return by_url(
                audit(folder, web, archive, mode=ArchiveMode.ALL, history=RunHistory(store, FAST, policy))
            )

    first = run()
    asked = len(archive.requests)
    assert asked >= 3  # two lookups and a raw snapshot
    second = run()
    assert len(archive.requests) == asked
    for url in (replaced, gone):
        assert second[url].archive == dataclasses.replace(first[url].archive, requests=0)  # type: ignore[type-var]
        assert second[url].judgement == first[url].judgement
    assert second[replaced].drift == first[replaced].drift
    assert second[replaced].judgement.verdict is Verdict.DEVIATED
    with Store.open(path) as store:
        kept = store.connection.execute("SELECT archive FROM checks WHERE archive IS NOT NULL").fetchall()
    assert (f"{archive.archive_url}/web/20211001000000/{gone}",) in kept


def test_a_run_without_max_age_asks_again(tmp_path: Path, web: SimWeb, archive: SimArchive) -> None:
    web.host("gone.example")
    gone = web.url("gone.example", "/story")
    archive.capture(gone, "20211001000000")
    folder = tmp_path / "articles"
    folder.mkdir()
    article(folder, "a.md", "2021-12-31", gone)
    path = tmp_path / "store.sqlite"
    for _ in range(2):
        with Store.open(path) as store:
            audit(folder, web, archive, history=RunHistory(store, FAST, HistoryPolicy()))
    assert len(archive.requests) == 2


def test_archive_settings_take_the_runs_per_host_options() -> None:
    check = dataclasses.replace(
        FAST, host_overrides={"archive.example": HostPolicy(concurrency=2, interval=0.25)}
    )
    assert ArchiveSettings.from_check(check, "http://archive.example").policy == HostPolicy(2, 0.25)
    assert ArchiveSettings.from_check(FAST, "http://archive.example").policy == HostPolicy(1, 1.0)
