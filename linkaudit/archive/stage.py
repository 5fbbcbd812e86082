"""The archive stage of a check run: after the check, the archived copy nearest each citation date.

`ArchiveStage.run(results)` (inside the run's trio loop, after every URL has its verdict) notes the
citations that already are archived copies, looks up the URLs `--archives` asks for (kept lookups first,
when the history store has them within `--max-age`), and with `--archives all` measures how far each live
page has drifted from its copy. What it finds accumulates in `found` as it arrives, so an interrupted
run keeps it; `attach(results)` then puts it on the results, with the drift verdict. It never raises for
the archive's failures and never changes a verdict for them: an archive that cannot be used is said once
(`observer.warning`) and its lookups carry `archive_error`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import trio

from linkaudit.archive.cdx import DEFAULT_ARCHIVE_URL, ArchiveSettings, CdxClient
from linkaudit.archive.dates import url_citation_dates
from linkaudit.archive.drift import similarity
from linkaudit.archive.recognize import ArchiveCitation, recognize
from linkaudit.archive.select import ArchiveMode, archive_wanted
from linkaudit.check import build_client
from linkaudit.check.pages import Page, fetch_pages
from linkaudit.check.resolve import Resolver
from linkaudit.classify.drift import JUDGED_FOR_DRIFT, judge_drift
from linkaudit.models import (
    ArchiveDirection,
    ArchiveLookup,
    CitationDate,
    CitedAtSource,
    CitedSnapshot,
    Drift,
    FileError,
    UrlResult,
)
from linkaudit.observer import Observer
from linkaudit.settings import CheckSettings
from linkaudit.store.archive import ArchiveMemory

__all__ = ["ArchiveOptions", "ArchiveStage", "attach_archive"]

#: The most of a live page or a snapshot read to measure drift: a news article is far smaller.
MAX_DRIFT_PAGE = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ArchiveOptions:
    """`--archives`, `--archive-url`, `--cited-at`; `settings` overrides the archive's politeness (tests)."""

    mode: ArchiveMode = ArchiveMode.FAILING
    archive_url: str = DEFAULT_ARCHIVE_URL
    cited_at: date | None = None
    settings: ArchiveSettings | None = None

    def archive_settings(self, check: CheckSettings) -> ArchiveSettings:
        if self.settings is not None:
            return self.settings
        return ArchiveSettings.from_check(check, self.archive_url)

    def as_dict(self) -> dict[str, object]:
        """What the JSON report's settings add."""
        return {
            "archives": self.mode.value,
            "archive_url": self.archive_url,
            "cited_at": self.cited_at.isoformat() if self.cited_at is not None else None,
        }


@dataclass(slots=True)
class Found:
    """What the stage learnt about one URL."""

    lookup: ArchiveLookup | None = None
    snapshot: CitedSnapshot | None = None
    drift: Drift | None = None


@dataclass(slots=True)
class ArchiveStage:
    """One run's archive stage (see the module docstring)."""

    options: ArchiveOptions
    check: CheckSettings
    resolver: Resolver
    observer: Observer
    by_file: Mapping[str, CitationDate]
    memory: ArchiveMemory | None = None
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    found: dict[str, Found] = field(default_factory=dict)
    requests: int = 0

    def _dates(self, results: Sequence[UrlResult]) -> dict[str, CitationDate]:
        """Every occurrence's file dated: articles by their own date, anything else (a URL list, a web
        page) by `--cited-at`, else today, so that its latest copy is offered."""
        fallback = CitationDate(self.options.cited_at or self.today, CitedAtSource.OVERRIDE, "no date known")
        dated = dict(self.by_file)
        for result in results:
            for occ in result.occurrences:
                dated.setdefault(occ.file, fallback)
        return dated

    async def run(self, results: Sequence[UrlResult]) -> None:
        if self.options.mode is ArchiveMode.NONE:
            return
        page_results = [r for r in results if r.target.fragment is None]
        dates = self._dates(page_results)
        by_url = url_citation_dates((occ for r in page_results for occ in r.occurrences), dates)
        for result in page_results:
            cited = recognize(result.target.url) if result.target.is_http else None
            if cited is not None:
                self.found[result.target.url] = Found(
                    snapshot=_cited_snapshot(cited, by_url.get(result.target.url))
                )
        wanted = archive_wanted(page_results, dates, self.options.mode)
        if not wanted:
            return
        remembered = self.memory.recall(wanted) if self.memory is not None else {}
        for url, memo in remembered.items():
            self.found[url] = Found(lookup=memo.lookup, drift=memo.drift)
        to_ask = {url: day for url, day in wanted.items() if url not in remembered}
        settings = self.options.archive_settings(self.check)
        drifting = (
            [r for r in page_results if r.judgement.verdict in JUDGED_FOR_DRIFT and r.target.url in wanted]
            if self.options.mode is ArchiveMode.ALL
            else []
        )
        if remembered:
            self.observer.note(
                f"{len(remembered):,} archive lookups reused from the history store (--max-age)"
            )
        if to_ask:
            self.observer.note(f"looking up {len(to_ask):,} URLs in the archive at {settings.archive_url}")
        # The archive is the user's choice (--archive-url), as a proxy is: a mirror on the intranet or on
        # loopback is theirs, so the private-network guard (for what articles cite) stays out of it.
        client_settings = dataclasses.replace(self.check, deny_private=False)
        async with build_client(client_settings, self.resolver) as http:
            client = CdxClient(http, settings, observer=_QuietDead(self.observer))
            await self._look_up(client, to_ask, settings.policy.concurrency)
            if drifting:
                await self._measure(client, drifting)
            self.requests = client.requests
            if client.given_up is not None:
                missing = sum(1 for f in self.found.values() if f.lookup is not None and f.lookup.error)
                self.observer.warning(
                    f"the archive at {settings.archive_url} was given up on ({client.given_up_detail}): "
                    f"{missing:,} URL{'' if missing == 1 else 's'} without an archived copy this run "
                    "(archive_error); verdicts are unchanged"
                )
        if self.memory is not None:
            kept = [
                (f.lookup, f.drift)
                for url, f in self.found.items()
                if f.lookup is not None and (url in to_ask or (f.drift is not None and url not in remembered))
            ]
            self.memory.keep(kept)

    async def _look_up(self, client: CdxClient, wanted: Mapping[str, date], workers: int) -> None:
        queue = iter(list(wanted.items()))

        async def worker() -> None:
            for url, cited_at in queue:  # shared: each URL goes to whichever worker is free
                self.found[url] = Found(lookup=await client.lookup(url, cited_at))

        async with trio.open_nursery() as nursery:
            for _ in range(max(1, min(workers, len(wanted)))):
                nursery.start_soon(worker)

    async def _measure(self, client: CdxClient, results: Sequence[UrlResult]) -> None:
        """Drift of each live page from its copy: the live page (GET, bounded, politely per host) and the
        raw snapshot, compared in a worker thread (main-text extraction takes a few milliseconds a page)."""
        pending: list[tuple[UrlResult, Found]] = []
        for result in results:
            found = self.found.get(result.target.url)
            if found is None or found.lookup is None or found.lookup.archived is None:
                continue
            if found.drift is not None and found.drift.timestamp == found.lookup.archived.timestamp:
                continue  # kept from a run within --max-age
            pending.append((result, found))
        if not pending:
            return
        self.observer.note(f"comparing {len(pending):,} live pages with their archived copies")
        pages = await fetch_pages(
            [r.target.url for r, _ in pending], self.check, self.resolver, max_size=MAX_DRIFT_PAGE
        )
        for (result, found), page in zip(pending, pages, strict=True):
            copy = found.lookup.archived if found.lookup is not None else None
            if copy is None:
                continue
            raw = copy.raw_url
            if isinstance(page, FileError):
                found.drift = Drift(raw, copy.timestamp, None, f"the live page: {page.message}")
                continue
            snapshot = await client.fetch_raw(copy, result.target.url, MAX_DRIFT_PAGE)
            if snapshot.error is not None or snapshot.status != 200:
                why = snapshot.detail or (
                    snapshot.error.value if snapshot.error else f"HTTP {snapshot.status}"
                )
                found.drift = Drift(raw, copy.timestamp, None, f"the archived copy: {why}")
                continue
            found.drift = await trio.to_thread.run_sync(
                _compare, raw, copy.timestamp, snapshot.body, snapshot.content_type, page
            )

    def attach(self, results: Sequence[UrlResult]) -> list[UrlResult]:
        return attach_archive(results, self.found)


def _compare(raw: str, timestamp: str, snapshot: bytes, snapshot_type: str | None, page: Page) -> Drift:
    measured, why = similarity(snapshot, page.body, snapshot_type=snapshot_type, live_type=page.content_type)
    return Drift(raw, timestamp, measured, why)


def _cited_snapshot(cited: ArchiveCitation, dated: CitationDate | None) -> CitedSnapshot:
    distance: int | None = None
    direction: ArchiveDirection | None = None
    stamp = cited.timestamp
    if stamp is not None and len(stamp) >= 8 and dated is not None:
        try:
            day = date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8]))
        except ValueError:
            day = None
        if day is not None:
            distance = abs((day - dated.cited_at).days)
            direction = ArchiveDirection.BEFORE if day <= dated.cited_at else ArchiveDirection.AFTER
    return CitedSnapshot(cited.service, cited.original, stamp, distance, direction)


def attach_archive(results: Sequence[UrlResult], found: Mapping[str, Found]) -> list[UrlResult]:
    """The results with what the archive stage found about their URLs; a live page's entry judged for drift
    (a missing `#fragment`'s entry of the same URL gets the copy, not the drift)."""
    attached: list[UrlResult] = []
    for result in results:
        learnt = found.get(result.target.url)
        if learnt is None:
            attached.append(result)
            continue
        drift = learnt.drift if result.target.fragment is None else None
        attached.append(
            dataclasses.replace(
                result,
                archive=learnt.lookup,
                cited_snapshot=learnt.snapshot,
                drift=drift,
                judgement=judge_drift(result.judgement, drift),
            )
        )
    return attached


class _QuietDead:
    """The run's observer, except that the client giving up on the archive is said by the stage, once."""

    def __init__(self, observer: Observer) -> None:
        self.observer = observer

    def extracted(self, files: int, links: int, urls: int) -> None:
        self.observer.extracted(files, links, urls)

    def url_done(self, result: UrlResult) -> None:
        self.observer.url_done(result)

    def host_backoff(self, host: str, seconds: float) -> None:
        self.observer.host_backoff(host, seconds)

    def host_dead(self, host: str, reason: str) -> None:
        pass

    def note(self, message: str) -> None:
        self.observer.note(message)

    def warning(self, message: str) -> None:
        self.observer.warning(message)
