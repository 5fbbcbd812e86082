"""The Markdown report: a GitHub job summary or pull-request comment people read.

Counts first, then the to-do list per article (line, verdict, reason, link text, URL, an archived copy
when one is known), then what the digest folds (unreachable hosts, template links), the files that
could not be read and the first hygiene findings (counted by kind). It is drawn from `ReportDigest`,
as the terminal report is.

GitHub refuses a job summary over 1 MiB, so however large the run the output stays under `MAX_BYTES`:
the folded sections are bounded, the per-article list stops where the budget ends, and a closing line
says how many problems it left out (the JSON report has them all). The `pr-comment` format is the same
report within `COMMENT_MAX_BYTES`, GitHub's limit for a pull-request comment.

Nothing from an article or a server is taken as Markdown or HTML: text is backslash-escaped, URLs are
shown in code spans, and only http(s) archive URLs become links.
"""

from __future__ import annotations

import re
from typing import TextIO

from linkaudit.classify.severity import is_problem
from linkaudit.classify.soft import explain
from linkaudit.models import AuditReport, BaselineMark
from linkaudit.report.citations import (
    archive_link,
    archive_note,
    article_dates,
    counted,
    every_finding,
    failing_verdicts,
    fails_on_file_errors,
    fails_run,
    finding_counts,
    result_tags,
    run_notes,
    run_totals,
    shown_target,
)
from linkaudit.report.digest import FOLD_HOST_AT, Citation, ReportDigest, describe_reason, digest_report

__all__ = ["COMMENT_MAX_BYTES", "MAX_BYTES", "write_markdown_report"]

MAX_BYTES = 1_000_000
"""The most the Markdown report ever writes (UTF-8 bytes); GitHub's job summary limit is 1 MiB."""
COMMENT_MAX_BYTES = 65_536
"""The most the `pr-comment` format writes: GitHub refuses a comment over 65,536 characters (no character
is less than a byte, so bytes bound them)."""
_MAX_FOLDED = 50
_TEXT_CHARS = 120
_URL_CHARS = 400
_TAIL_RESERVE = 1_000

# Line breaks, other controls and bidi overrides would break a list item or reorder what it shows.
_SPACE_OUT = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
# What can start Markdown, HTML, an entity, a GFM table cell, strikethrough or math within a line.
_MARKUP = re.compile(r"([\\`*_\[\]<>&!~|$:])")


def _clean(value: str, limit: int) -> str:
    value = _LONE_SURROGATE.sub("\ufffd", _SPACE_OUT.sub(" ", value)).strip()
    return value if len(value) <= limit else value[: limit - 1] + "…"


def md_text(value: str, limit: int = _TEXT_CHARS) -> str:
    """Plain text as Markdown shows it verbatim (within a line): every mark that could start markup
    backslash-escaped."""
    return _MARKUP.sub(r"\\\1", _clean(value, limit))


def md_code(value: str, limit: int = _URL_CHARS) -> str:
    """A code span holding `value` exactly (fenced with more backticks than it contains)."""
    value = _clean(value, limit)
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith(("`", " ")) or value.endswith(("`", " ")) or not value else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def md_link(label: str, url: str) -> str:
    """A link to an http(s) URL (the caller checked the scheme); `<`, `>` and `\\` percent-encoded."""
    destination = _clean(url, len(url)).replace("\\", "%5C").replace("<", "%3C").replace(">", "%3E")
    return f"[{md_text(label)}](<{destination}>)"


def _size(line: str) -> int:
    return len(line.encode("utf-8")) + 1


class _Writer:
    def __init__(self, report: AuditReport, digest: ReportDigest, budget: int) -> None:
        self.report = report
        self.digest = digest
        self.budget = budget
        self.failing = failing_verdicts(report)
        self.dates = article_dates(report)
        #: Entries listed per folded section (hosts, templates, findings, files): fewer on a small budget.
        self.max_folded = _MAX_FOLDED

    def headline(self) -> list[str]:
        report = self.report
        failing_results = [r for r in report.results if fails_run(r, self.failing)]
        citations = sum(len(r.occurrences) for r in failing_results)
        files = len({occ.file for r in failing_results for occ in r.occurrences})
        problems = sum(row.citations for row in self.digest.verdicts if is_problem(row.verdict))
        known = sum(1 for error in report.errors if error.baseline is BaselineMark.KNOWN)
        unreadable = len(report.errors) - known if fails_on_file_errors(report) else 0
        if citations:
            title = f"## linkaudit: {counted(citations, 'failing citation')} in {counted(files, 'article')}"
            if unreadable:
                title += f", {counted(unreadable, 'unreadable article')}"
        elif unreadable:
            title = f"## linkaudit: {counted(unreadable, 'unreadable article')}"
        elif problems:
            title = f"## linkaudit: no failing links ({counted(problems, 'other problem')})"
        else:
            title = "## linkaudit: no problems found" if report.results else "## linkaudit: no links found"
        lines = [title, ""]
        if report.partial:
            lines += [
                f"> **Interrupted:** only the {len(report.results):,} URLs checked before the stop.",
                "",
            ]
        lines += ["| verdict | URLs | citations |", "|:--|--:|--:|"]
        for row in self.digest.verdicts:
            name = f"**{row.verdict.value}**" if row.verdict in self.failing else row.verdict.value
            lines.append(f"| {name} | {row.urls:,} | {row.citations:,} |")
        total_citations = sum(row.citations for row in self.digest.verdicts)
        lines.append(f"| total | {len(report.results):,} | {total_citations:,} |")
        fails = ", ".join(sorted(v.value for v in self.failing)) or "nothing"
        lines += ["", f"{run_totals(report)} · failing: {md_text(fails)}", ""]
        notes = run_notes(report)
        if notes:
            lines += [*(f"- {md_text(note)}" for note in notes), ""]
        return lines

    def _entry(self, citation: Citation) -> str:
        result, occ = citation.result, citation.occurrence
        verdict = result.judgement.verdict
        name = f"**{verdict.value}**" if verdict in self.failing else verdict.value
        line = f"- `{occ.line}:{occ.column}` {name} {md_text(describe_reason(result.judgement.reason))}"
        target = shown_target(result, occ.raw)
        text = " ".join(occ.text.split())
        line += (
            f" — {md_text(text)} → {md_code(target)}" if text and text != target else f" — {md_code(target)}"
        )
        why = explain(result.evidence, result.judgement) if result.evidence is not None else None
        if why:
            line += f" · {md_text(why)}"
        archived = archive_link(result)
        note = archive_note(result, self.dates.get(occ.file))
        if archived is not None:
            line += f" · {md_link('archived copy', archived)}"
        if note is not None:
            line += f" ({md_text(note)})"
        tags = result_tags(result)
        if tags:
            line += f" · *{md_text(', '.join(tags))}*"
        return line

    def articles(self, budget: int) -> tuple[list[str], int, int]:
        """The per-article list within `budget` bytes; also how many listed links and articles it left out."""
        by_file = self.digest.by_file
        if not by_file:
            return [], 0, 0
        lines = ["### Problems by article", ""]
        used = sum(_size(line) for line in lines)
        shown = complete = 0
        for file, citations in by_file:
            problems = sum(1 for c in citations if is_problem(c.result.judgement.verdict))
            label = counted(problems, "problem")
            if len(citations) != problems:
                label += f", {counted(len(citations), 'link')}"
            heading = f"**{md_code(file)}** ({label})"
            if used + _size(heading) + 1 > budget:
                break
            lines.append(heading)
            used += _size(heading) + 1
            entries = 0
            for citation in citations:
                entry = self._entry(citation)
                if used + _size(entry) > budget:
                    break
                lines.append(entry)
                used += _size(entry)
                entries += 1
            lines.append("")
            shown += entries
            if entries < len(citations):
                break
            complete += 1
        listed = sum(len(citations) for _, citations in by_file)
        return lines, listed - shown, len(by_file) - complete

    def hosts(self) -> list[str]:
        hosts = self.digest.hosts
        if not hosts:
            return []
        lines = ["### Unreachable hosts", "", "Their URLs are not listed per article.", ""]
        for host in hosts[: self.max_folded]:
            line = (
                f"- **{md_text(host.host)}** — {host.verdict.value}, {md_text(describe_reason(host.reason))}"
                f" — {counted(host.urls, 'URL')} in {counted(host.files, 'file')}"
            )
            if host.other_reasons:
                others = ", ".join(f"{describe_reason(r)} ({n:,})" for r, n in host.other_reasons)
                line += f" (also {md_text(others)})"
            lines.append(line)
        lines += self._more(len(hosts) - self.max_folded, "host")
        return [*lines, ""]

    def templates(self) -> list[str]:
        templates = self.digest.templates
        if not templates:
            return []
        lines = ["### Template links", "", "Cited from a shared layout: one fix each.", ""]
        for folded in templates[: self.max_folded]:
            result = folded.result
            line = (
                f"- {result.judgement.verdict.value} {md_text(describe_reason(result.judgement.reason))}"
                f" — {md_code(result.target.url)} — in {counted(folded.files, 'file')}"
            )
            archived = archive_link(result)
            if archived is not None:
                line += f" · {md_link('archived copy', archived)}"
            lines.append(line)
        lines += self._more(len(templates) - self.max_folded, "template link")
        return [*lines, ""]

    def errors(self) -> list[str]:
        errors = sorted(self.report.errors, key=lambda e: (e.file, e.message))
        if not errors:
            return []
        lines = ["### Files that could not be read", ""]
        lines += [
            f"- {md_code(e.file)}: {md_text(e.message)}"
            + (" · *known*" if e.baseline is BaselineMark.KNOWN else "")
            for e in errors[: self.max_folded]
        ]
        lines += self._more(len(errors) - self.max_folded, "file")
        return [*lines, ""]

    def findings(self) -> list[str]:
        counts = finding_counts(self.report)
        if not counts:
            return []
        kinds = ", ".join(f"{md_text(kind)} {count:,}" for kind, count in counts)
        lines = [
            "### Hygiene findings",
            "",
            f"How citations are written; they never fail the run: {kinds}.",
            "",
        ]
        shown = 0
        for citation, finding in every_finding(self.report):
            if shown == self.max_folded:
                break
            shown += 1
            occ = citation.occurrence
            line = (
                f"- {md_code(occ.file)} `{occ.line}:{occ.column}` **{finding.kind.value}** "
                f"{md_code(citation.result.target.url or occ.raw)} — {md_text(finding.detail)}"
            )
            if finding.suggestion is not None:
                line += f" → {md_code(finding.suggestion)}"
                if finding.suggestion_check is not None:
                    line += f" ({finding.suggestion_check.verdict.value})"
            lines.append(line)
        lines += self._more(sum(count for _, count in counts) - shown, "finding")
        return [*lines, ""]

    @staticmethod
    def _more(count: int, noun: str) -> list[str]:
        return [f"- … and {counted(count, 'more ' + noun)}"] if count > 0 else []


def write_markdown_report(
    report: AuditReport,
    out: TextIO,
    *,
    verbose: bool = False,
    max_bytes: int = MAX_BYTES,
    fold_host_at: int = FOLD_HOST_AT,
) -> None:
    """Write the Markdown summary, at most `max_bytes` UTF-8 bytes. `verbose` lists working links too."""
    digest = digest_report(report, verbose=verbose, fold_host_at=fold_host_at)
    writer = _Writer(report, digest, max_bytes)
    head = writer.headline()
    # The folded sections list fewer entries each until they fit (a PR comment's budget is small).
    for limit in (_MAX_FOLDED, 10, 3, 0):
        writer.max_folded = limit
        rest = writer.hosts() + writer.templates() + writer.findings() + writer.errors()
        fixed = sum(_size(line) for line in head + rest) + _TAIL_RESERVE
        if fixed <= max_bytes:
            break
    articles, left_problems, left_files = writer.articles(max(0, max_bytes - fixed))
    lines = head + articles + rest
    if left_problems:
        lines += [
            "---",
            "",
            f"*… and {counted(left_problems, 'more listed link')} in {counted(left_files, 'article')} "
            f"not shown: this summary stays under {max_bytes:,} bytes. The JSON report has every one.*",
        ]
    while lines and not lines[-1]:
        lines.pop()
    out.write("\n".join(lines) + "\n")
