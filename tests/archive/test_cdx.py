"""The CDX client against a real archive server on loopback (linkaudit.archive.simarchive).

The archive's name is mapped by linkaudit's own resolver to 127.0.0.1 (or to "name not found", or to a
port that refuses); nothing else resolves, so no request can leave the machine. The server records when
each request began and ended: politeness is asserted where the archive sees it.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import date

import httpx
import pytest
import trio

from linkaudit.archive.cdx import ArchiveSettings, CdxClient, parse_cdx_json
from linkaudit.archive.choose import Capture
from linkaudit.archive.simarchive import Fault, SimArchive
from linkaudit.check import build_client
from linkaudit.check.resolve import Resolver
from linkaudit.demo.simweb import SimWeb
from linkaudit.models import ArchivedCopy, ArchiveDirection, ArchiveError, ArchiveLookup
from linkaudit.report.progress import RecordingObserver
from linkaudit.settings import CheckSettings, HostPolicy

STORY = "http://news.example/2021/12/story.html"
CITED = date(2021, 12, 31)
FAST = HostPolicy(concurrency=1, interval=0.0)


@pytest.fixture
def archive() -> Iterator[SimArchive]:
    with SimArchive() as simulated:
        yield simulated
        assert simulated.errors == []


def settings_for(archive_url: str, **changes: object) -> ArchiveSettings:
    base: dict[str, object] = {"policy": FAST, "backoff_base": 0.05, "timeout": 5.0}
    return ArchiveSettings(archive_url=archive_url, **{**base, **changes})  # type: ignore[arg-type]


@asynccontextmanager
async def client_for(
    archive_url: str,
    resolve: dict[str, str | None],
    settings: ArchiveSettings,
    observer: RecordingObserver | None = None,
) -> AsyncIterator[CdxClient]:
    resolver = Resolver({**resolve, "*": None}, system=False)
    async with build_client(CheckSettings(timeout=settings.timeout, deny_private=False), resolver) as http:
        yield CdxClient(http, settings, observer=observer)


async def lookup(
    archive: SimArchive, url: str = STORY, cited: date = CITED, **changes: object
) -> ArchiveLookup:
    async with client_for(
        archive.archive_url, archive.resolve, settings_for(archive.archive_url, **changes)
    ) as client:
        return await client.lookup(url, cited)


# ---- the CDX JSON format ----


def test_parse_cdx_json() -> None:
    body = (
        b'[["timestamp","original","statuscode","mimetype"],'
        b'["20211220101010","http://news.example/a","200","text/html"],'
        b'["20211221101010","http://news.example/a","-","warc/revisit"],'
        b'["20211222101010","http://news.example/a","301","text/html"],'
        b'[],["com%2Cexample%29%2F+20211222101010%21"]]'
    )
    assert parse_cdx_json(body) == [
        Capture("20211220101010", "http://news.example/a", 200, "text/html"),
        Capture("20211221101010", "http://news.example/a", None, "warc/revisit"),
        Capture("20211222101010", "http://news.example/a", 301, "text/html"),
    ]
    assert parse_cdx_json(b"[]") == []
    assert parse_cdx_json(b"  \n") == []
    assert parse_cdx_json(b'[["timestamp","original"]]') == []
    assert parse_cdx_json(b"<html>Portal</html>") is None
    assert parse_cdx_json(b'{"captures": []}') is None
    assert parse_cdx_json(b'[["urlkey","digest"],["a","b"]]') is None


async def test_the_server_speaks_cdx(archive: SimArchive) -> None:
    for stamp, status in (("20200101000000", 200), ("20210101000000", 301), ("20210601000000", 404),
                          ("20211201000000", 200), ("20220101000000", 200)):  # fmt: skip
        archive.capture(STORY, stamp, status, location="http://news.example/" if status == 301 else None)
    archive.capture("http://news.example/other", "20211215000000")
    async with client_for(archive.archive_url, archive.resolve, settings_for(archive.archive_url)) as client:

        async def stamps(**params: str) -> list[tuple[str, int | None]]:
            result = await client.query({"url": STORY, "output": "json", **params})
            assert result.error is None
            return [(c.timestamp, c.status) for c in result.captures]

        everything = await stamps()
        assert everything == [("20200101000000", 200), ("20210101000000", 301), ("20210601000000", 404),
                              ("20211201000000", 200), ("20220101000000", 200)]  # fmt: skip
        assert await stamps(limit="-2") == everything[-2:]
        assert await stamps(limit="2") == everything[:2]
        assert await stamps(to="2021") == everything[:4]
        assert await stamps(**{"from": "202106", "to": "20211231"}) == everything[2:4]
        assert await stamps(filter="statuscode:200|203|206", to="20211130", limit="-1") == [everything[0]]
        assert await stamps(filter="!statuscode:200") == [everything[1], everything[2]]
        assert await stamps(**{"from": "2023"}) == []
        # The scheme and www. do not matter, as in the archive's SURT keys.
        result = await client.query({"url": "https://www.news.example/2021/12/story.html", "output": "json"})
        assert len(result.captures) == 5
    first = archive.requests[0]
    assert first.path == "/cdx/search/cdx"
    assert first.user_agent.startswith("linkaudit/")


# ---- choosing through the archive ----


async def test_latest_good_capture_before_the_date_in_one_request(archive: SimArchive) -> None:
    archive.capture(STORY, "20211101000000")
    archive.capture(STORY, "20211215083000")
    archive.capture(STORY, "20211230000000", 301, location="http://news.example/")
    archive.capture(STORY, "20211231120000", 404)
    archive.capture(STORY, "20220102000000")
    found = await lookup(archive)
    assert found == ArchiveLookup(
        STORY,
        CITED,
        ArchivedCopy(
            f"{archive.archive_url}/web/20211215083000/{STORY}", "20211215083000", 16, ArchiveDirection.BEFORE
        ),
        requests=1,
    )
    (request,) = archive.requests
    assert (request.param("to"), request.param("limit")) == ("20211231", "-1")


async def test_only_after_the_date_takes_a_second_request(archive: SimArchive) -> None:
    archive.capture(STORY, "20211230000000", 302, location="http://news.example/login")
    archive.capture(STORY, "20220105000000", 404)
    archive.capture(STORY, "20220110000000")
    archive.capture(STORY, "20230101000000")
    found = await lookup(archive)
    assert found.archived is not None
    assert (found.archived.timestamp, found.archived.direction, found.archived.distance_days) == (
        "20220110000000",
        ArchiveDirection.AFTER,
        10,
    )
    assert found.requests == 2
    assert [(r.param("to"), r.param("from"), r.param("limit")) for r in archive.requests] == [
        ("20211231", None, "-1"),
        (None, "20220101", "1"),
    ]


@pytest.mark.parametrize("empty_body", [False, True])
async def test_none_found(empty_body: bool) -> None:
    with SimArchive(empty_body=empty_body) as archive:
        archive.capture(STORY, "20211230000000", 301, location="http://news.example/")
        archive.capture(STORY, "20220101000000", 404)
        found = await lookup(archive)
        assert (found.archived, found.error, found.requests) == (None, ArchiveError.NONE_FOUND, 2)


async def test_raw_snapshot_bytes(archive: SimArchive) -> None:
    page = "<html><body><p>The council voted.</p></body></html>"
    archive.capture(STORY, "20211215083000", body=page)
    async with client_for(archive.archive_url, archive.resolve, settings_for(archive.archive_url)) as client:
        found = await client.lookup(STORY, CITED)
        assert found.archived is not None
        raw = await client.fetch_raw(found.archived, STORY)
        assert (raw.status, raw.body, raw.error) == (200, page.encode(), None)
        # A timestamp the archive does not hold exactly: it redirects to the nearest capture.
        near = ArchivedCopy(found.archived.url, "20211215", 0, ArchiveDirection.BEFORE)
        raw = await client.fetch_raw(near, STORY)
        assert (raw.status, raw.body) == (200, page.encode())
        assert raw.url.endswith(f"/web/20211215083000id_/{STORY}")
        # Only the bytes asked for are read.
        archive.capture("http://news.example/long", "20211215083000", body="x" * 100_000)
        long = ArchivedCopy(found.archived.url, "20211215083000", 0, ArchiveDirection.BEFORE)
        raw = await client.fetch_raw(long, "http://news.example/long", max_bytes=1000)
        assert (raw.status, raw.body) == (200, b"x" * 1000)


# ---- politeness ----


async def test_one_request_in_flight_spaced_by_the_interval(archive: SimArchive) -> None:
    archive.latency = 0.05
    urls = [f"http://news.example/{n}" for n in range(6)]
    for url in urls:
        archive.capture(url, "20211201000000")
    settings = settings_for(archive.archive_url, policy=HostPolicy(concurrency=1, interval=0.25))
    async with (
        client_for(archive.archive_url, archive.resolve, settings) as client,
        trio.open_nursery() as nursery,
    ):
        for url in urls:  # all at once: the client's gate must hold them back
            nursery.start_soon(client.lookup, url, CITED)
    assert len(archive.requests) == 6
    assert archive.max_in_flight == 1
    gap = archive.min_gap()
    assert gap is not None
    # Measured at the server: a few milliseconds of scheduling blur; without spacing it would be ~0.05.
    assert gap >= 0.2


async def test_retry_after_is_honoured(archive: SimArchive) -> None:
    archive.capture(STORY, "20211201000000")
    archive.fail_next(Fault(429, retry_after="1"), Fault(503, retry_after="1"))
    observer = RecordingObserver()
    settings = settings_for(archive.archive_url)
    async with client_for(archive.archive_url, archive.resolve, settings, observer) as client:
        found = await client.lookup(STORY, CITED)
    assert found.archived is not None
    assert found.requests == 3
    assert [r.status for r in archive.requests] == [429, 503, 200]
    starts = [r.start for r in archive.requests]
    assert starts[1] - starts[0] >= 0.95 and starts[2] - starts[1] >= 0.95
    assert [host for host, _ in observer.backoffs] == ["archive.example", "archive.example"]


async def test_a_503_without_retry_after_is_retried_after_a_pause(archive: SimArchive) -> None:
    archive.capture(STORY, "20211201000000")
    archive.fail_next(Fault(503), Fault(502))
    found = await lookup(archive, backoff_base=0.2)
    assert found.archived is not None
    assert [r.status for r in archive.requests] == [503, 502, 200]
    starts = [r.start for r in archive.requests]
    assert starts[1] - starts[0] >= 0.15  # backoff_base, then doubled
    assert starts[2] - starts[1] >= 0.35


# ---- giving up ----


async def test_an_archive_that_keeps_rate_limiting_is_given_up_on(archive: SimArchive) -> None:
    archive.capture(STORY, "20211201000000")
    archive.fail_always(Fault(429, retry_after="0"))
    observer = RecordingObserver()
    settings = settings_for(archive.archive_url, give_up_after=3, retries=2)
    async with client_for(archive.archive_url, archive.resolve, settings, observer) as client:
        first = await client.lookup(STORY, CITED)
        later = [await client.lookup(f"http://news.example/{n}", CITED) for n in range(20)]
    assert (first.error, first.requests) == (ArchiveError.RATE_LIMITED, 3)
    assert {(r.error, r.requests) for r in later} == {(ArchiveError.RATE_LIMITED, 0)}
    assert len(archive.requests) == 3
    assert len(observer.dead_hosts) == 1
    assert observer.dead_hosts[0][0] == "archive.example"


async def test_lookups_waiting_their_turn_are_not_sent_once_given_up(archive: SimArchive) -> None:
    archive.latency = 0.05
    archive.fail_always(Fault(502))
    settings = settings_for(
        archive.archive_url, policy=HostPolicy(concurrency=2, interval=0.0), give_up_after=3
    )
    found: list[ArchiveLookup] = []
    async with client_for(archive.archive_url, archive.resolve, settings) as client:

        async def one(n: int) -> None:
            found.append(await client.lookup(f"http://news.example/{n}", CITED))

        async with trio.open_nursery() as nursery:
            for n in range(10):
                nursery.start_soon(one, n)
    assert {r.error for r in found} == {ArchiveError.UNREACHABLE}
    assert len(archive.requests) <= 3 + 1  # the third failure gives up; one more may already be under way
    assert sum(r.requests for r in found) == len(archive.requests)


async def test_a_retry_after_too_long_gives_up_at_once(archive: SimArchive) -> None:
    archive.fail_always(Fault(429, retry_after="3600"))
    started = time.monotonic()
    async with client_for(
        archive.archive_url, archive.resolve, settings_for(archive.archive_url, max_retry_wait=30.0)
    ) as client:
        first = await client.lookup(STORY, CITED)
        second = await client.lookup("http://news.example/b", CITED)
    assert time.monotonic() - started < 3
    assert (first.error, first.requests, second.requests) == (ArchiveError.RATE_LIMITED, 1, 0)
    assert first.detail is not None and "3600" in first.detail


async def test_failures_between_answers_do_not_add_up(archive: SimArchive) -> None:
    # Two failures, an answer, two failures...: never three in a row, never given up.
    archive.capture(STORY, "20211201000000")
    for _ in range(4):
        archive.fail_next(Fault(502), Fault(500))
        found = await lookup(archive, give_up_after=3)
        assert found.archived is not None


async def test_unreachable_archive() -> None:
    with SimWeb() as web:
        web.dead_host("archive.example")  # refuses connections
        started = time.monotonic()
        settings = settings_for("http://archive.example", give_up_after=3)
        async with client_for("http://archive.example", web.resolve, settings) as client:
            results = [await client.lookup(f"http://news.example/{n}", CITED) for n in range(50)]
        assert time.monotonic() - started < 5
    assert {r.error for r in results} == {ArchiveError.UNREACHABLE}
    # Refused: nothing listens there, asking again is only waiting. Given up on after the first request.
    assert sum(r.requests for r in results) == 1
    assert results[-1].detail is not None and "connection refused" in results[-1].detail


async def test_archive_name_not_found() -> None:
    settings = settings_for("http://archive.example")
    async with client_for("http://archive.example", {"archive.example": None}, settings) as client:
        found = await client.lookup(STORY, CITED)
    assert found.error is ArchiveError.UNREACHABLE
    assert found.detail is not None and "name not found" in found.detail


async def test_hanging_and_closing_archive(archive: SimArchive) -> None:
    archive.capture(STORY, "20211201000000")
    archive.fail_next(Fault(200, delay=1.0), Fault(0))  # no answer in time, then a dropped connection
    found = await lookup(archive, timeout=0.3)
    assert found.archived is not None
    assert found.requests == 3


async def test_an_answer_that_is_not_cdx(archive: SimArchive) -> None:
    archive.fail_always(Fault(200, body=b"<html><title>Hotel Wi-Fi</title></html>"))
    async with client_for(
        archive.archive_url, archive.resolve, settings_for(archive.archive_url, give_up_after=2)
    ) as client:
        results = [await client.lookup(f"http://news.example/{n}", CITED) for n in range(4)]
    assert [r.error for r in results] == [ArchiveError.BAD_ANSWER] * 4
    assert [r.requests for r in results] == [1, 1, 0, 0]


async def test_a_refused_query_is_an_answer_not_an_outage(archive: SimArchive) -> None:
    archive.capture(STORY, "20211201000000")
    archive.fail_next(Fault(403), Fault(403), Fault(403))
    async with client_for(
        archive.archive_url, archive.resolve, settings_for(archive.archive_url, give_up_after=2)
    ) as client:
        refused = [await client.lookup(f"http://blocked.example/{n}", CITED) for n in range(3)]
        found = await client.lookup(STORY, CITED)
    assert [(r.error, r.detail) for r in refused] == [(ArchiveError.BAD_ANSWER, "HTTP 403")] * 3
    assert found.archived is not None


# ---- exact timing, on trio's clock (an in-memory transport: no sockets) ----


async def test_spacing_and_retry_after_on_trios_clock(autojump_clock: trio.abc.Clock) -> None:
    seen: list[tuple[float, str]] = []
    answers = iter([httpx.Response(429, headers={"Retry-After": "30"})])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((trio.current_time(), request.url.params["url"]))
        reply = next(answers, None)
        if reply is not None:
            return reply
        row = ["20211201000000", request.url.params["url"], "200", "text/html"]
        return httpx.Response(200, json=[["timestamp", "original", "statuscode", "mimetype"], row])

    settings = ArchiveSettings(archive_url="http://archive.example", policy=HostPolicy(1, 1.0))
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = CdxClient(http, settings)
        start = trio.current_time()
        async with trio.open_nursery() as nursery:
            for n in range(4):
                nursery.start_soon(client.lookup, f"http://news.example/{n}", CITED)
    times = [when - start for when, _ in seen]
    assert len(times) == 5  # one 429, then four answers
    assert times[1] - times[0] == pytest.approx(30.0, abs=0.01)  # Retry-After, not the interval
    assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(times[1:]))
