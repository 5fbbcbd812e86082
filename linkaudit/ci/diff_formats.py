"""`linkaudit diff` for CI tools: GitHub annotations, CSV, JUnit, SARIF and an HTML page.

Each speaks its tool's language with the report formats' own pieces (escaping, rules, fingerprints, style),
so a diff reads like a report:

- `github`: `::error` at each citation of a newly failing URL (the diff exits 1 for them), `::warning`
  for a changed verdict that is a problem, `::notice` for the rest; a URL no longer cited has no line to
  point at (its citations are OLD's), so its notice names none. At most `MAX_PER_FILE` per article.
- `csv`: one row per changed URL and citation (no citation: one row, its place empty).
- `junit`: a suite per kind of change, a case per citation; a newly failing one is a `<failure>`, so the
  failures are what makes `diff` exit 1.
- `sarif`: a result per citation with its `baselineState`, OLD being the baseline: `new` (newly failing),
  `updated` (another verdict), `absent` (fixed, or no longer cited). Fingerprints are those of `check
  --format sarif`. For SARIF viewers that read `baselineState`; upload `check`'s SARIF to GitHub code
  scanning, which ignores the state and would open `absent` results as alerts.
- `html`: one page, a table per kind of change, nothing run and nothing loaded.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any, TextIO

from linkaudit import __version__
from linkaudit.ci.diff import CHANGE_TITLES, Change, DiffEntry, ReportDiff
from linkaudit.classify.severity import is_problem
from linkaudit.jsontext import escape_invisible
from linkaudit.models import Occurrence, UrlResult, Verdict
from linkaudit.report.citations import counted, shown_target, web_url
from linkaudit.report.csv import safe_cell
from linkaudit.report.digest import describe_reason
from linkaudit.report.github import MAX_PER_FILE, annotation, escape_data
from linkaudit.report.html import escape_html, html_document_start
from linkaudit.report.junit import xml_attr, xml_text
from linkaudit.report.sarif import (
    FINGERPRINT_KEY,
    RULE_VERDICTS,
    SARIF_SCHEMA_URI,
    SOURCE_ROOT,
    artifact_uri,
    base_ids,
    fingerprint,
    verdict_rule,
)

__all__ = ["CSV_COLUMNS", "write_csv", "write_github", "write_html", "write_junit", "write_sarif"]

CSV_COLUMNS = (
    "change",
    "url",
    "fragment",
    "before_verdict",
    "before_reason",
    "after_verdict",
    "after_reason",
    "file",
    "line",
    "column",
)
"""The header row of `diff --format csv`; later versions add columns at the end."""

_SARIF_STATE = {
    Change.NEWLY_FAILING: "new",
    Change.CHANGED: "updated",
    Change.FIXED: "absent",
    Change.GONE: "absent",
}
_HTML_CITATIONS = 20
_HEAD = "<th>was → is</th><th>reason</th><th>URL</th><th>cited</th>"


def _verdict(result: UrlResult | None) -> str:
    return result.judgement.verdict.value if result is not None else "not cited"


def _was_is(entry: DiffEntry) -> str:
    return f"{_verdict(entry.before)} → {_verdict(entry.after)}"


def _target(entry: DiffEntry) -> str:
    result = entry.shown
    return shown_target(result, result.occurrences[0].raw if result.occurrences else "")


def _sentence(entry: DiffEntry) -> str:
    """`newly failing: live → dead (404 Not Found): https://…`"""
    reason = describe_reason(entry.shown.judgement.reason)
    return f"{entry.change.value}: {_was_is(entry)} ({reason}): {_target(entry)}"


def _summary(diff: ReportDiff) -> str:
    return ", ".join(f"{diff.count(change):,} {CHANGE_TITLES[change].lower()}" for change in Change)


def write_github(diff: ReportDiff, out: TextIO, *, max_per_file: int = MAX_PER_FILE) -> None:
    """An annotation per citation of each change (see the module docstring), then a summary line."""
    shown: Counter[str] = Counter()
    for entry in diff.entries:
        verdict = entry.shown.judgement.verdict
        title = f"linkaudit: {entry.change.value} ({verdict.value})"
        if entry.change is Change.NEWLY_FAILING:
            level = "error"
        elif entry.change is Change.CHANGED and is_problem(verdict):
            level = "warning"
        else:
            level = "notice"
        if entry.change is Change.GONE or not entry.citations:
            out.write(annotation(level, _sentence(entry), title=title))
            continue
        for occ in entry.citations:
            shown[occ.file] += 1
            if shown[occ.file] <= max_per_file:
                message = _sentence(entry)
                out.write(
                    annotation(level, message, file=occ.file, line=occ.line, col=occ.column, title=title)
                )
    for file, count in sorted(shown.items()):
        if count > max_per_file:
            more = counted(count - max_per_file, "more change")
            out.write(annotation("notice", f"{more} in this file: see the full diff", file=file))
    out.write(escape_data(f"linkaudit diff: {_summary(diff) if diff.entries else 'no change'}") + "\n")


def _places(entry: DiffEntry) -> Iterator[Occurrence | None]:
    """Each citation of the entry, or None once for an entry cited nowhere."""
    if not entry.citations:
        yield None
    yield from entry.citations


def write_csv(diff: ReportDiff, out: TextIO) -> None:
    """The header and one row per changed URL and citation (RFC 4180, CRLF, formula-safe cells)."""
    writer = csv.writer(out, dialect="excel", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in diff.entries:
        before, after = entry.before, entry.after
        for occ in _places(entry):
            writer.writerow(
                [
                    entry.change.value,
                    safe_cell(entry.url),
                    safe_cell(entry.fragment or ""),
                    before.judgement.verdict.value if before is not None else "",
                    safe_cell(before.judgement.reason) if before is not None else "",
                    after.judgement.verdict.value if after is not None else "",
                    safe_cell(after.judgement.reason) if after is not None else "",
                    safe_cell(occ.file) if occ is not None else "",
                    occ.line if occ is not None else "",
                    occ.column if occ is not None else "",
                ]
            )


def write_junit(diff: ReportDiff, out: TextIO) -> None:
    """`<testsuites>` with a suite per kind of change and a case per citation; newly failing ones fail."""
    by_change = {change: [e for e in diff.entries if e.change is change] for change in Change}

    def cases(entries: list[DiffEntry]) -> list[tuple[DiffEntry, Occurrence | None]]:
        return [(entry, occ) for entry in entries for occ in _places(entry)]

    every = cases(list(diff.entries))
    failures = sum(1 for entry, _ in every if entry.change is Change.NEWLY_FAILING)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(f'<testsuites name="linkaudit diff" tests="{len(every)}" failures="{failures}" errors="0">\n')
    for change, entries in by_change.items():
        listed = cases(entries)
        failed = len(listed) if change is Change.NEWLY_FAILING else 0
        out.write(
            f'  <testsuite name={xml_attr(change.value)} tests="{len(listed)}" failures="{failed}" '
            'errors="0" skipped="0" time="0">\n'
        )
        for entry, occ in listed:
            classname = occ.file if occ is not None else "(not cited)"
            name = f"{occ.line}:{occ.column} {_target(entry)}" if occ is not None else _target(entry)
            out.write(f'    <testcase classname={xml_attr(classname)} name={xml_attr(name)} time="0">\n')
            message = _sentence(entry)
            if change is Change.NEWLY_FAILING:
                verdict = entry.shown.judgement.verdict.value
                body = xml_text(
                    f"was: {_verdict(entry.before)}\nis: {verdict}\nreason: {entry.shown.judgement.reason}"
                )
                kind = xml_attr(change.value)
                out.write(f"      <failure type={kind} message={xml_attr(message)}>{body}</failure>\n")
            else:
                out.write(f"      <system-out>{xml_text(message)}</system-out>\n")
            out.write("    </testcase>\n")
        out.write("  </testsuite>\n")
    out.write("</testsuites>\n")


def _sarif_level(entry: DiffEntry) -> str:
    if entry.change is Change.NEWLY_FAILING:
        return "error"
    if entry.change is Change.CHANGED and is_problem(entry.shown.judgement.verdict):
        return "warning"
    return "note"


def write_sarif(diff: ReportDiff, out: TextIO) -> None:
    """One SARIF log, OLD as the baseline: a result per citation of each change (see the module docstring)."""
    rule_index = {verdict: i for i, verdict in enumerate(RULE_VERDICTS)}
    seen: Counter[tuple[str, str]] = Counter()
    results: list[dict[str, Any]] = []
    for entry in diff.entries:
        # The rule is the verdict the result is about: NEW's, or OLD's for what is absent now.
        result = entry.before if entry.change in (Change.FIXED, Change.GONE) else entry.after
        assert result is not None
        verdict: Verdict = result.judgement.verdict
        url = entry.url
        for occ in _places(entry):
            item: dict[str, Any] = {
                "ruleId": verdict.value,
                "ruleIndex": rule_index[verdict],
                "level": _sarif_level(entry),
                "baselineState": _SARIF_STATE[entry.change],
                "message": {"text": _sentence(entry)},
                "properties": {
                    "url": url,
                    "change": entry.change.value,
                    "before": _verdict(entry.before),
                    "after": _verdict(entry.after),
                },
            }
            if occ is not None:
                nth = seen[(occ.file, url)]
                seen[(occ.file, url)] += 1
                location = {"uri": artifact_uri(occ.file), "uriBaseId": SOURCE_ROOT}
                region = {"startLine": occ.line, "startColumn": occ.column}
                item["locations"] = [{"physicalLocation": {"artifactLocation": location, "region": region}}]
                item["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint(occ.file, url, nth)}
            results.append(item)
    log = {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "linkaudit",
                        "version": __version__,
                        "informationUri": "https://github.com/linkaudit/linkaudit",
                        "rules": [verdict_rule(verdict, diff.fail_on) for verdict in RULE_VERDICTS],
                    }
                },
                "columnKind": "unicodeCodePoints",
                **base_ids(diff.new),
                "results": results,
            }
        ],
    }
    out.write(escape_invisible(json.dumps(log, ensure_ascii=False, indent=1)) + "\n")


def _badge(result: UrlResult | None) -> str:
    if result is None:
        return '<span class="muted">not cited</span>'
    verdict = escape_html(result.judgement.verdict.value)
    return f'<span class="v v-{verdict}">{verdict}</span>'


def _html_row(entry: DiffEntry) -> str:
    shown = escape_html(_target(entry))
    href = web_url(entry.url)
    link = f'<a href="{escape_html(href)}" rel="noreferrer noopener nofollow">{shown}</a>' if href else shown
    places = [f"{occ.file}:{occ.line}" for occ in entry.citations[:_HTML_CITATIONS]]
    where = "<br>".join(f"<code>{escape_html(place)}</code>" for place in places)
    more = len(entry.citations) - _HTML_CITATIONS
    where += f'<br><span class="muted">and {more:,} more</span>' if more > 0 else ""
    reason = escape_html(describe_reason(entry.shown.judgement.reason))
    was_is = f"{_badge(entry.before)} → {_badge(entry.after)}"
    return f'<tr><td>{was_is}</td><td>{reason}</td><td>{link}</td><td class="loc">{where}</td></tr>'


def write_html(diff: ReportDiff, out: TextIO) -> None:
    """One page: the counts, then a table per kind of change (was → is, reason, URL, where cited)."""
    failing = diff.count(Change.NEWLY_FAILING)
    title = (
        f"linkaudit diff: {counted(failing, 'newly failing URL')}"
        if failing
        else "linkaudit diff: nothing newly failing"
    )
    out.write(html_document_start(title))
    out.write(f"<header><h1>{escape_html(title)}</h1>")
    out.write(
        f'<p class="muted">{escape_html(diff.old.generated_at)} ({counted(len(diff.old.results), "URL")}) → '
        f"{escape_html(diff.new.generated_at)} ({counted(len(diff.new.results), 'URL')}); failing: "
        f"{escape_html(', '.join(sorted(v.value for v in diff.fail_on)) or 'nothing')}.</p>"
    )
    out.write(f"<p>{escape_html(_summary(diff) if diff.entries else 'No change')}.</p></header>\n")
    for change in Change:
        entries = [entry for entry in diff.entries if entry.change is change]
        if not entries:
            continue
        heading = f"{CHANGE_TITLES[change]} ({len(entries):,})"
        out.write(f'<section id="{change.value}"><h2>{escape_html(heading)}</h2>\n')
        out.write(f"<table><thead><tr>{_HEAD}</tr></thead><tbody>\n")
        out.writelines(_html_row(entry) + "\n" for entry in entries)
        out.write("</tbody></table></section>\n")
    out.write("</body>\n</html>\n")
