"""The archive stage's face: which URLs are looked up, and `find_archived` against an archive on loopback."""

from __future__ import annotations

from datetime import date

import linkaudit.archive
from linkaudit.archive import ArchiveMode, ArchiveSettings, archive_wanted, find_archived
from linkaudit.archive.simarchive import SimArchive
from linkaudit.check.resolve import Resolver
from linkaudit.models import (
    ArchiveDirection,
    ArchiveError,
    ArchiveLookup,
    CitationDate,
    CitedAtSource,
    ErrorKind,
    Evidence,
    Judgement,
    LinkKind,
    Occurrence,
    UrlResult,
    Verdict,
)
from linkaudit.report.progress import RecordingObserver
from linkaudit.settings import CheckSettings, HostPolicy, HostRule
from linkaudit.urls import normalize


def test_public_surface() -> None:
    intended = """DEFAULT_ARCHIVE_URL ArchiveCitation ArchiveMode ArchiveSettings Capture CdxClient
    RawSnapshot archive_wanted choose_capture citation_dates earliest find_archived parse_cited_at recognize
    url_citation_dates"""
    assert set(linkaudit.archive.__all__) == set(intended.split())
    assert all(hasattr(linkaudit.archive, name) for name in linkaudit.archive.__all__)


def result(url: str, verdict: Verdict, *files: str) -> UrlResult:
    target = normalize(url)
    occurrences = tuple(Occurrence(file, 1, 1, 0, len(url), LinkKind.LINK, url, target) for file in files)
    evidence = Evidence(url=target.url, error=ErrorKind.DNS_NOT_FOUND if verdict is Verdict.DEAD else None)
    return UrlResult(target, Judgement(verdict, "test"), evidence, occurrences)


def test_archive_wanted() -> None:
    by_file = {
        "2021.md": CitationDate(date(2021, 12, 31), CitedAtSource.DATELINE),
        "2019.md": CitationDate(date(2019, 5, 1), CitedAtSource.GIT),
    }
    results = [
        result("http://dead.example/a", Verdict.DEAD, "2021.md", "2019.md"),
        result("http://live.example/a", Verdict.LIVE, "2021.md"),
        result("http://soft.example/a", Verdict.SOFT_DEAD, "2021.md"),
        result("http://parked.example/a", Verdict.USURPED, "2021.md"),
        result("http://gone.example/a", Verdict.UNREACHABLE, "2019.md"),
        result("http://blocked.example/a", Verdict.BLOCKED, "2021.md"),
        result("https://web.archive.org/web/2015/http://old.example/", Verdict.DEAD, "2021.md"),
        result("http://undated.example/a", Verdict.DEAD, "elsewhere.md"),
        result("./local.md", Verdict.DEAD, "2021.md"),
    ]
    assert archive_wanted(results, by_file, ArchiveMode.FAILING) == {
        "http://dead.example/a": date(2019, 5, 1),  # the earliest of the articles citing it
        "http://soft.example/a": date(2021, 12, 31),
        "http://parked.example/a": date(2021, 12, 31),
        "http://gone.example/a": date(2019, 5, 1),
    }
    everything = archive_wanted(results, by_file, ArchiveMode.ALL)
    assert set(everything) == {
        "http://dead.example/a",
        "http://live.example/a",
        "http://soft.example/a",
        "http://parked.example/a",
        "http://gone.example/a",
        "http://blocked.example/a",
    }
    assert archive_wanted(results, by_file, ArchiveMode.NONE) == {}


def test_settings_from_a_check_run() -> None:
    plain = ArchiveSettings.from_check(CheckSettings(user_agent="ua/1"))
    assert (plain.archive_url, plain.policy, plain.user_agent) == (
        "https://web.archive.org",
        HostPolicy(concurrency=1, interval=1.0),
        "ua/1",
    )
    told = CheckSettings(host_overrides={"web.archive.org": HostPolicy(concurrency=2, interval=3.0)})
    assert ArchiveSettings.from_check(told).policy == HostPolicy(concurrency=2, interval=3.0)
    other = ArchiveSettings.from_check(told, "http://archive.example:8080")
    assert (other.host, other.policy) == ("archive.example:8080", HostPolicy(concurrency=1, interval=1.0))
    # A gentler run is gentler with the archive too; a configuration table for its host decides.
    slow = CheckSettings(host=HostPolicy(concurrency=1, interval=3.0))
    assert ArchiveSettings.from_check(slow).policy == HostPolicy(concurrency=1, interval=3.0)
    ruled = CheckSettings(host_rules={"archive.org": HostRule(concurrency=2)})
    assert ArchiveSettings.from_check(ruled).policy == HostPolicy(concurrency=2, interval=1.0)


async def test_find_archived() -> None:
    with SimArchive("web.archive.org", latency=0.05) as archive:
        wanted = {f"http://news.example/{n}": date(2021, 12, 31) for n in range(8)}
        for n, url in enumerate(wanted):
            if n % 4 == 0:
                continue  # never captured
            archive.capture(url, "20211230000000" if n % 2 else "20220102000000")
        check = CheckSettings(host_overrides={"web.archive.org": HostPolicy(concurrency=2, interval=0.0)})
        settings = ArchiveSettings.from_check(check, archive.archive_url)
        seen: list[ArchiveLookup] = []
        observer = RecordingObserver()
        found = await find_archived(
            wanted,
            settings,
            check=check,
            resolver=Resolver({**archive.resolve, "*": None}, system=False),
            observer=observer,
            on_result=seen.append,
        )
        assert archive.max_in_flight == 2  # the per-host option for the archive's host applies
        assert archive.errors == []
    assert list(found) == list(wanted)
    assert sorted(seen, key=lambda lookup: lookup.url) == sorted(
        found.values(), key=lambda lookup: lookup.url
    )
    for n, (url, lookup) in enumerate(found.items()):
        if n % 4 == 0:
            assert (lookup.error, lookup.archived) == (ArchiveError.NONE_FOUND, None)
            continue
        assert lookup.archived is not None
        assert lookup.archived.url == f"http://web.archive.org/web/{lookup.archived.timestamp}/{url}"
        expected = (ArchiveDirection.BEFORE, 1) if n % 2 else (ArchiveDirection.AFTER, 2)
        assert (lookup.archived.direction, lookup.archived.distance_days) == expected
    assert observer.dead_hosts == []


async def test_find_archived_with_nothing_to_find() -> None:
    assert await find_archived({}, check=CheckSettings(resolve={"*": None})) == {}
