"""`linkaudit merge`: the reports of the N shards of one run (`check --shard I/N`) as that run's report.

The merged report is the one a single run with the same settings would have written, timestamps and
timings aside: every shard counted every file (so `files` is theirs, and must agree), each its own links
(added up) and URLs (disjoint by construction: one host, one shard). Unreadable files and warnings, seen by
every shard, are listed once. Refused (`MergeError`, one line): a report that is not a shard, shards of
different runs (settings that differ beyond the shard and the store's path), a shard twice or one missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from linkaudit.classify.severity import severity
from linkaudit.models import AuditReport, FileError, FileWarning, UrlResult

__all__ = ["SHARD_SETTING", "MergeError", "merge_reports"]

#: The key of a shard report's settings that names its shard (`"2/3"`).
SHARD_SETTING = "shard"
# Settings that may differ between the shards of one run: which shard it is, where its store was (each
# machine of a CI matrix has its own).
_PER_SHARD = frozenset({SHARD_SETTING, "store"})


_P = TypeVar("_P", FileError, FileWarning)


class MergeError(Exception):
    """The reports cannot be merged into one run's; the message says which and why."""


def _shard_of(report: AuditReport, name: str) -> tuple[int, int]:
    value = report.settings.get(SHARD_SETTING)
    index, _, count = str(value).partition("/") if isinstance(value, str) else ("", "", "")
    if not (index.isdigit() and count.isdigit()):
        raise MergeError(f"{name}: not a shard's report (made without --shard I/N)")
    return int(index), int(count)


def _shared_settings(report: AuditReport) -> dict[str, object]:
    return {key: value for key, value in report.settings.items() if key not in _PER_SHARD}


def merge_reports(reports: Sequence[tuple[str, AuditReport]]) -> AuditReport:
    """The named shard reports as one report. Raises MergeError when they are not one run's full set."""
    if not reports:
        raise MergeError("no reports to merge")
    shards: dict[int, str] = {}
    first_name, first = reports[0]
    _, count = _shard_of(first, first_name)
    settings = _shared_settings(first)
    for name, report in reports:
        index, total = _shard_of(report, name)
        if total != count:
            raise MergeError(f"{name}: shard {index}/{total}, but {first_name} is one of {count}")
        if index in shards:
            raise MergeError(f"{name}: shard {index}/{count} again (also {shards[index]})")
        if report.files != first.files:
            raise MergeError(
                f"{name}: {report.files:,} files, {first_name} {first.files:,}: shards of different runs"
            )
        differing = sorted(
            key
            for key in _shared_settings(report).keys() | settings.keys()
            if _shared_settings(report).get(key) != settings.get(key)
        )
        if differing:
            raise MergeError(f"{name}: made with other settings than {first_name} ({', '.join(differing)})")
        shards[index] = name
    missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in shards]
    if missing:
        raise MergeError(f"incomplete set of shards: missing {', '.join(missing)}")
    results = _results(reports)
    return AuditReport(
        generated_at=max(report.generated_at for _, report in reports),
        files=first.files,
        links=sum(report.links for _, report in reports),
        results=results,
        errors=_once(error for _, report in reports for error in report.errors),
        # Where the first shard kept its store: as good as any (and one run has one).
        settings={
            **settings,
            **{key: first.settings[key] for key in _PER_SHARD - {SHARD_SETTING} & first.settings.keys()},
        },
        partial=any(report.partial for _, report in reports),
        # The shards ran side by side: the run took as long as the slowest.
        elapsed_s=max(report.elapsed_s for _, report in reports),
        warnings=_once(warning for _, report in reports for warning in report.warnings),
        pending=tuple(sorted({url for _, report in reports for url in report.pending})),
        extra_fields=first.extra_fields,
        # Every shard read every article: where its checkout was and what it read are the same run's.
        root=first.root,
        articles=first.articles,
    )


def _results(reports: Sequence[tuple[str, AuditReport]]) -> tuple[UrlResult, ...]:
    seen: dict[tuple[str, str | None], str] = {}
    results: list[UrlResult] = []
    for name, report in reports:
        for result in report.results:
            key = (result.target.url, result.target.fragment)
            if key in seen:
                raise MergeError(f"{name}: {result.target.url} is also in {seen[key]}: not shards of one run")
            seen[key] = name
            results.append(result)
    # As `audit` orders them.
    results.sort(key=lambda r: (severity(r.judgement.verdict), r.target.url, r.target.fragment or ""))
    return tuple(results)


def _once(problems: Iterable[_P]) -> tuple[_P, ...]:
    """Each file problem once, in the order first seen (every shard read every file)."""
    return tuple(dict.fromkeys(problems))
