"""The orchestrator: extract → group → check → report data. It never prints; an Observer sees progress.

`audit` is the library entry point the CLI calls; an interrupted run (Ctrl-C, or whatever the caller
turns into a KeyboardInterrupt) still returns what was checked, marked partial, with the URLs it did not
reach, because results are collected as they arrive. Hygiene findings are attached to the citations
before the check, and the URLs they suggest are checked with the cited ones. A `RunHistory` (the history
store) puts fresh stored results in place of probes, keeps each new result as it arrives, and notes on
every result whether it was reused and how long a failure has lasted.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import trio

from linkaudit.archive.select import ArchiveMode
from linkaudit.archive.stage import ArchiveOptions, ArchiveStage
from linkaudit.check import CheckItem, Timeline, check_targets, group_occurrences
from linkaudit.check.fragments import split_by_fragment
from linkaudit.check.gate import HostGate
from linkaudit.check.hygiene import HttpsProbes, https_probes, probe_settings, with_network_findings
from linkaudit.check.pages import Page, fetch_pages
from linkaudit.check.proxy import require_reachable_proxies
from linkaudit.check.resolve import Resolver
from linkaudit.check.suggestions import suggestion_items, with_suggestion_checks
from linkaudit.classify.run import RunDoubt, reconsider
from linkaudit.classify.severity import severity
from linkaudit.extract import ExtractResult
from linkaudit.extract.document import DEFAULT_MAX_FILE_SIZE
from linkaudit.extract.findings import add_findings
from linkaudit.extract.sources import page_occurrences
from linkaudit.models import (
    ArticleFile,
    AuditReport,
    FileError,
    FileWarning,
    Occurrence,
    TargetStatus,
    UrlResult,
)
from linkaudit.observer import NullObserver, Observer
from linkaudit.settings import CheckSettings
from linkaudit.store.archive import ArchiveMemory
from linkaudit.store.run import RunHistory

__all__ = ["AuditOutcome", "audit_extracted", "severity"]


def _archive_stage(
    options: ArchiveOptions | None,
    settings: CheckSettings,
    *,
    resolver: Resolver,
    observer: Observer,
    history: RunHistory,
    articles: Sequence[ArticleFile],
) -> ArchiveStage | None:
    """The run's archive stage, with the store's kept lookups when there is a store."""
    if options is None or options.mode is ArchiveMode.NONE:
        return None
    memory = None
    if history.store is not None:
        memory = ArchiveMemory(
            history.store,
            options.archive_url,
            now=history.started,
            max_age=history.policy.max_age,
            run_id=history.run_id,
        )
    dates = {article.path: article.cited for article in articles if article.cited is not None}
    return ArchiveStage(options, settings, resolver, observer, dates, memory)


@dataclass(slots=True)
class _Found:
    """What the run found to check: the extracted files', then the fetched pages' links."""

    files: int
    occurrences: Sequence[Occurrence]
    errors: list[FileError]

    def add_pages(self, fetched: Sequence[Page | FileError]) -> None:
        links = list(self.occurrences)
        for page in fetched:
            self.files += 1
            if isinstance(page, FileError):
                self.errors.append(page)
                continue
            occurrences, error = page_occurrences(
                page.address, page.final_address, page.body, page.content_type
            )
            links += occurrences
            if error is not None:
                self.errors.append(error)
        self.occurrences = links


@dataclass(frozen=True, slots=True)
class AuditOutcome:
    report: AuditReport
    interrupted: bool
    #: The run as a whole suggests the network failed, not the links (the CLI exits 2).
    doubt: RunDoubt | None = None


def audit_extracted(
    extracted: ExtractResult,
    settings: CheckSettings,
    *,
    observer: Observer | None = None,
    resolver: Resolver | None = None,
    extra_errors: Sequence[FileError] = (),
    pages: Sequence[str] = (),
    max_page_size: int = DEFAULT_MAX_FILE_SIZE,
    history: RunHistory | None = None,
    keep: Callable[[Occurrence], bool] | None = None,
    articles: Sequence[ArticleFile] = (),
    archive: ArchiveOptions | None = None,
    timeline: Timeline | None = None,
) -> AuditOutcome:
    """Check what extraction found, and the links of the web `pages` (fetched first, one level).

    `keep`: the citations this run checks and reports (`--shard`, `lint`); the others are left out, and not
    counted among the run's links.

    `articles` (see `linkaudit.articles.list_articles`) are listed in the report as they are given, with the
    working directory as its `root`, which their paths and the occurrences' files are relative to; their
    citation dates choose the archived copies `archive` asks for (None: no archive stage).
    KeyboardInterrupt stops the run and returns a partial report. A proxy that cannot be reached raises
    `ProxyUnreachableError` before any URL is checked.
    """
    observer = observer or NullObserver()
    resolver = resolver or Resolver(settings.resolve)
    history = history or RunHistory(None, settings)
    found = _Found(extracted.files, extracted.occurrences, [*extra_errors, *extracted.errors])
    results: list[UrlResult] = []
    items: list[CheckItem] = []
    # Hygiene: one https:// request per host cited over http://, after the check, through its gates.
    probes = HttpsProbes({}, ())
    probed: list[UrlResult] = []
    gates: dict[str, HostGate] = {}
    started = time.monotonic()
    interrupted = False
    stage = _archive_stage(
        archive, settings, resolver=resolver, observer=observer, history=history, articles=articles
    )

    async def run() -> None:
        nonlocal probes
        if pages:
            await require_reachable_proxies(settings, resolver, pages)
            found.add_pages(await fetch_pages(pages, settings, resolver, max_size=max_page_size))
        if keep is not None:
            found.occurrences = [occ for occ in found.occurrences if keep(occ)]
        items.extend(group_occurrences(add_findings(found.occurrences)))
        items.extend(suggestion_items(items))
        observer.extracted(found.files, len(found.occurrences), len(items))
        to_probe, reused = history.reuse(items)
        if reused:
            observer.note(f"{len(reused):,} URLs reused from the history store (--max-age)")
        for result in reused:
            parts = split_by_fragment(result)
            results.extend(parts)
            observer.url_done(parts[0])
        checked = (
            item.target.url
            for item in to_probe
            if item.target.is_http and not settings.is_excluded(item.target.url)
        )
        await require_reachable_proxies(settings, resolver, checked)
        await check_targets(
            to_probe,
            settings,
            on_result=lambda result: results.append(history.record(result)),
            observer=observer,
            resolver=resolver,
            gates=gates,
            timeline=timeline,
        )
        probes = https_probes(results)
        if probes.items:
            await check_targets(
                probes.items,
                probe_settings(settings),
                on_result=probed.append,
                resolver=resolver,
                gates=gates,
            )
        # A run whose network failed has nothing to look up: the archive is behind the same network.
        if stage is not None and reconsider(results)[1] is None:
            await stage.run(results)

    try:
        trio.run(run, strict_exception_groups=True)
    except KeyboardInterrupt:
        interrupted = True
    except BaseExceptionGroup as group:
        if not group.subgroup(KeyboardInterrupt):
            raise
        interrupted = True
    done = {result.target.url for result in results}
    # What an interrupted run did not reach: the cited targets that needed a check (not skipped or invalid
    # ones, nor the URLs findings suggest).
    wanted = {item.target.url for item in items if item.occurrences and item.target.status is TargetStatus.OK}
    pending = sorted(wanted - done) if interrupted else []
    # Only the whole run can tell a dead network from dead links: judged once every result is in.
    revised, doubt = reconsider(results)
    if doubt is not None:
        observer.warning(doubt.message)
        history.discard(doubt.doubt.value)
    if stage is not None:
        revised = stage.attach(revised)
    found_too = with_network_findings(revised, probes, probed)
    cited = history.annotate(with_suggestion_checks([*found_too, *probed]))
    ordered = sorted(
        cited, key=lambda r: (severity(r.judgement.verdict), r.target.url, r.target.fragment or "")
    )
    report = AuditReport(
        generated_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        files=found.files,
        links=len(found.occurrences),
        results=tuple(ordered),
        errors=tuple(p for p in found.errors if not isinstance(p, FileWarning)),
        settings=settings.as_dict()
        | history.settings_dict()
        | (archive.as_dict() if archive is not None else {"archives": "none"}),
        partial=interrupted,
        elapsed_s=round(time.monotonic() - started, 3),
        warnings=tuple(p for p in found.errors if isinstance(p, FileWarning)),
        pending=tuple(pending),
        root=os.getcwd(),
        articles=tuple(articles),
    )
    return AuditOutcome(report, interrupted, doubt)
