"""What every report format says about a citation, said once.

The machine formats (CSV rows, JUnit test cases, SARIF results) take one unit each: a citation, a URL
and one place it is cited, in reading order (`every_citation`). Whether it fails the run is the run's own
`--fail-on`, read back from its settings (`failing_verdicts`), less the failures the baseline knew or
`--confirm` has not confirmed yet (`fails_run`, `excuse`): reported, never failed. Hygiene findings are
listed alike in every format (`every_finding`, `finding_counts`, `finding_line`) and never fail a run. How
the evidence reads in one line (`evidence_summary`), which archived copy to offer (`archive_link`), what
the archive stage found in words (`archive_note`) and which URLs may become links at all (`web_url`: http
and https only, never `javascript:`) are decided here, so no two formats differ.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date

from linkaudit.classify.soft import explain
from linkaudit.models import ArchiveDirection, AuditReport, BaselineMark, Finding, UrlResult, Verdict
from linkaudit.report.digest import Citation, describe_reason

__all__ = [
    "FILE_ERROR",
    "archive_distance",
    "archive_link",
    "archive_note",
    "article_dates",
    "counted",
    "every_citation",
    "every_finding",
    "evidence_summary",
    "excuse",
    "failing_verdicts",
    "fails_on_file_errors",
    "fails_run",
    "finding_counts",
    "finding_line",
    "result_tags",
    "run_notes",
    "run_totals",
    "shown_target",
    "web_url",
]

FILE_ERROR = "file-error"
"""The `--fail-on` word for an article that could not be read."""
_WEB = re.compile(r"https?://[^\s]+", re.IGNORECASE)
_DEFAULT_FAIL_ON = frozenset({Verdict.DEAD, Verdict.SOFT_DEAD, Verdict.USURPED})


def failing_verdicts(report: AuditReport) -> frozenset[Verdict]:
    """The verdicts that fail the run (exit 1): its `--fail-on` as recorded in its settings, else the
    default (`dead`, `soft-dead`, `usurped`)."""
    recorded = report.settings.get("fail_on")
    if not isinstance(recorded, (list, tuple, set, frozenset)):
        return _DEFAULT_FAIL_ON
    verdicts = set()
    for value in recorded:
        try:
            verdicts.add(Verdict(value))
        except ValueError:
            continue  # a verdict a newer linkaudit knows: nothing of ours has it
    return frozenset(verdicts)


def fails_run(result: UrlResult, failing: frozenset[Verdict]) -> bool:
    """Whether this result makes the run exit 1: a `--fail-on` verdict, not excused (see `excuse`)."""
    return result.judgement.verdict in failing and not result.excused


def excuse(result: UrlResult, failing: frozenset[Verdict]) -> str | None:
    """Why a `--fail-on` verdict does not fail the run, in a few words (None: it fails, or is no failure):
    `known from the baseline`, `not confirmed yet (1 failure)`."""
    if result.judgement.verdict not in failing or not result.excused:
        return None
    if result.baseline is BaselineMark.KNOWN:
        return "known from the baseline"
    failures = result.history.failures if result.history is not None else 0
    return f"not confirmed yet ({counted(failures, 'failure')})"


def fails_on_file_errors(report: AuditReport) -> bool:
    """Whether an unreadable article fails the run (`--fail-on … file-error`, the default)."""
    recorded = report.settings.get("fail_on")
    if not isinstance(recorded, (list, tuple, set, frozenset)):
        return True
    return FILE_ERROR in recorded


def every_citation(report: AuditReport) -> Iterator[Citation]:
    """Each (URL, place cited) pair once, in reading order: by file, line, column, then URL."""
    pairs = [Citation(result, occ) for result in report.results for occ in result.occurrences]
    pairs.sort(key=lambda c: (c.occurrence.file, c.occurrence.line, c.occurrence.column, c.result.target.url))
    return iter(pairs)


def every_finding(report: AuditReport) -> Iterator[tuple[Citation, Finding]]:
    """Each hygiene finding with its citation, in reading order. A template link's (one in a shared
    layout, cited by every page) are left out: `finding_counts` counts them, the JSON report has them."""
    for citation in every_citation(report):
        if not citation.occurrence.template:
            for finding in citation.occurrence.findings:
                yield citation, finding


def finding_counts(report: AuditReport) -> list[tuple[str, int]]:
    """How many findings of each kind (slug) the report holds, most first, templates included."""
    counts = Counter(
        finding.kind.value for r in report.results for occ in r.occurrences for finding in occ.findings
    )
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def finding_line(finding: Finding) -> str:
    """A finding in one line: `kind: detail`, and the suggested URL with its own verdict when known."""
    line = f"{finding.kind.value}: {finding.detail}"
    if finding.suggestion is not None:
        line += f" → {finding.suggestion}"
        if finding.suggestion_check is not None:
            line += f" ({finding.suggestion_check.verdict.value})"
    return line


def web_url(url: str | None) -> str | None:
    """`url` when it is an absolute http(s) URL without spaces, safe to make a link of; else None."""
    if url is None or not _WEB.fullmatch(url):
        return None
    return url


def archive_link(result: UrlResult) -> str | None:
    """The URL of an archived copy of the target, when the archive stage found one (`archive.url`)."""
    lookup = result.archive
    if lookup is not None and lookup.archived is not None:
        return web_url(lookup.archived.url)
    return None


def _captured(timestamp: str | None) -> str:
    if timestamp is None or len(timestamp) < 8 or not timestamp[:8].isdigit():
        return ""
    return f" {timestamp[:4]}-{timestamp[4:6]}-{timestamp[6:8]}"


def _distance(days: int | None, direction: ArchiveDirection | None) -> str:
    if days is None or direction is None:
        return ""
    if days == 0:
        return "the day cited"
    return f"{counted(days, 'day')} {direction.value} cited"


def _day_of(timestamp: str | None) -> date | None:
    if timestamp is None or len(timestamp) < 8 or not timestamp[:8].isdigit():
        return None
    try:
        return date(int(timestamp[:4]), int(timestamp[4:6]), int(timestamp[6:8]))
    except ValueError:
        return None


def _from(timestamp: str | None, cited_at: date | None) -> tuple[int, ArchiveDirection] | None:
    captured = _day_of(timestamp)
    if captured is None or cited_at is None:
        return None
    direction = ArchiveDirection.BEFORE if captured <= cited_at else ArchiveDirection.AFTER
    return abs((captured - cited_at).days), direction


def archive_distance(result: UrlResult, cited_at: date | None = None) -> tuple[int, ArchiveDirection] | None:
    """How many whole days the archived copy was captured before or after `cited_at` (an article's date;
    None: the date the copy was chosen for), or None without a copy."""
    lookup = result.archive
    if lookup is None or lookup.archived is None:
        return None
    copy = lookup.archived
    return _from(copy.timestamp, cited_at) or (copy.distance_days, copy.direction)


def article_dates(report: AuditReport) -> dict[str, date]:
    """Each audited article's citation date, by the path its citations name."""
    return {a.path: a.cited.cited_at for a in report.articles if a.cited is not None}


def archive_note(result: UrlResult, cited_at: date | None = None) -> str | None:
    """What the archive stage says about a URL, in a few words, or None when it said nothing.

    `archived 2021-12-30, 1 day before cited`, `no archived copy (none-found)`, `cites a copy of http://…
    archived 2015-03-02, 2,465 days before cited`, with the drift of a live page: `main text 12% as
    archived`. The days count from `cited_at` (the date of
    the article at hand) when given, else from the date the copy was chosen for.
    """
    parts: list[str] = []
    lookup = result.archive
    if lookup is not None and lookup.archived is not None:
        copy = lookup.archived
        days, direction = _from(copy.timestamp, cited_at) or (copy.distance_days, copy.direction)
        distance = _distance(days, direction)
        parts.append(f"archived{_captured(copy.timestamp)}" + (f", {distance}" if distance else ""))
    elif lookup is not None and lookup.error is not None:
        why = lookup.error.value + (f": {lookup.detail}" if lookup.detail else "")
        parts.append(f"no archived copy ({why})")
    cited = result.cited_snapshot
    if cited is not None:
        days_, direction_ = _from(cited.timestamp, cited_at) or (cited.distance_days, cited.direction)
        distance = _distance(days_, direction_)
        parts.append(
            "cites a copy"
            + (f" of {cited.original}" if cited.original else "")
            + (f" archived{_captured(cited.timestamp)}" if cited.timestamp else "")
            + (f", {distance}" if distance else "")
        )
    drift = result.drift
    if drift is not None:
        same_copy = (
            lookup is not None
            and lookup.archived is not None
            and lookup.archived.timestamp == drift.timestamp
        )
        copy_said = "" if same_copy else f" (copy of{_captured(drift.timestamp)})"
        if drift.similarity is not None:
            parts.append(f"main text {drift.similarity:.0%} as archived{copy_said}")
        elif drift.error:
            parts.append(f"drift not measured ({drift.error})")
    return "; ".join(parts) or None


def shown_target(result: UrlResult, raw: str) -> str:
    """What a report shows as the target: a checked http(s) URL as normalized (with the fragment, for the
    entry of a fragment its page lacks), anything else as written."""
    target = result.target
    if not target.is_http:
        return raw or target.url
    return target.url if target.fragment is None else f"{target.url}#{target.fragment}"


def counted(number: int, noun: str) -> str:
    """`1 file`, `1,204 files`."""
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def run_totals(report: AuditReport) -> str:
    """`12 files · 140 links · 96 distinct URLs · 3.2 s`: what the run looked at."""
    totals = [
        counted(report.files, "file"),
        counted(report.links, "link"),
        counted(len(report.results), "distinct URL"),
    ]
    if report.elapsed_s:
        totals.append(f"{report.elapsed_s:,.1f} s")
    return " · ".join(totals)


def evidence_summary(result: UrlResult) -> str:
    """The evidence behind a verdict in one line: the status chain, where it ended, the requests made.

    E.g. `301 → 308 → 200 at https://new.example/home · 3 requests, 105 ms`, `timeout · 4 requests,
    80,012 ms · read timed out`. A target never requested gives its detail (why it was skipped).
    """
    evidence = result.evidence
    if evidence is None:
        return result.target.detail or describe_reason(result.judgement.reason)
    if evidence.short_circuited:
        return f"not requested: {evidence.detail or 'its host was given up on'}"
    parts: list[str] = []
    if evidence.status is not None:
        chain = [str(hop.status) for hop in evidence.redirects] + [str(evidence.status)]
        head = " → ".join(chain) if len(chain) > 1 else f"HTTP {evidence.status}"
        if evidence.redirects and evidence.final_url and evidence.final_url != evidence.url:
            head += f" at {evidence.final_url}"
        parts.append(head)
    elif evidence.error is not None:
        parts.append(evidence.error.value)
    if evidence.content_type:
        parts.append(evidence.content_type)
    if evidence.attempts:
        elapsed = sum(attempt.elapsed_ms for attempt in evidence.attempts)
        parts.append(f"{counted(len(evidence.attempts), 'request')}, {elapsed:,} ms")
    if evidence.detail:
        parts.append(evidence.detail)
    why = explain(evidence, result.judgement)
    if why:
        parts.append(why)
    return " · ".join(parts)


def result_tags(result: UrlResult) -> list[str]:
    """What the history store and the baseline add to a result, in a few words each: `known` (the baseline
    had it failing), `not confirmed (2 failures)` (`--confirm` not met yet), `reused` (from the store)."""
    tags: list[str] = []
    if result.baseline is BaselineMark.KNOWN:
        tags.append("known")
    note = result.history
    if note is not None and note.confirmed is False:
        tags.append(f"not confirmed ({counted(note.failures, 'failure')})")
    if note is not None and note.reused:
        tags.append("reused")
    return tags


def run_notes(report: AuditReport) -> list[str]:
    """What the counts alone do not say: failures the baseline knew, failures not confirmed yet, results
    reused from the history store (none: an empty list)."""
    failing = failing_verdicts(report)
    known = unconfirmed = reused = 0
    for result in report.results:
        note = result.history
        reused += note is not None and note.reused
        if result.judgement.verdict in failing:
            known += result.baseline is BaselineMark.KNOWN
            unconfirmed += note is not None and note.confirmed is False
    notes: list[str] = []
    if known:
        notes.append(f"{counted(known, 'failing URL')} known from the baseline (not failing the run)")
    known_files = sum(1 for error in report.errors if error.baseline is BaselineMark.KNOWN)
    if known_files and fails_on_file_errors(report):
        notes.append(
            f"{counted(known_files, 'unreadable article')} known from the baseline (not failing the run)"
        )
    if unconfirmed:
        confirm = report.settings.get("confirm")
        notes.append(
            f"{counted(unconfirmed, 'failing URL')} not confirmed yet"
            + (f" (--confirm {confirm})" if isinstance(confirm, str) else "")
            + " (not failing the run)"
        )
    if reused:
        notes.append(f"{counted(reused, 'result')} reused from the history store (--max-age)")
    return notes
