"""The formats of `linkaudit diff`: `terminal` (plain lines), `json` (`linkaudit.diff/1`), `markdown`; and,
written by `linkaudit.ci.diff_formats`, `github`, `csv`, `junit`, `sarif`, `html`.

The JSON shape (published as `linkaudit/schemas/diff-1.json`)::

    {"schema": "linkaudit.diff/1",
     "old": {"generated_at", "urls"}, "new": {"generated_at", "urls"}, "fail_on": ["dead", …],
     "summary": {"newly-failing": 1, "fixed": 0, "gone": 0, "changed": 2},
     "changes": [{"change", "url", "fragment",
                  "before": {"verdict", "reason"} | null, "after": {"verdict", "reason"} | null,
                  "citations": [{"file", "line", "column"}]}]}

The Markdown stays under GitHub's comment limit (65,536 characters) however many URLs changed, so it can
be posted as a pull-request comment as it is; the JSON lists every change.
"""

from __future__ import annotations

import json
from typing import Any, TextIO, assert_never

from linkaudit.ci import diff_formats
from linkaudit.ci.diff import CHANGE_TITLES, Change, DiffEntry, ReportDiff
from linkaudit.jsontext import escape_invisible
from linkaudit.models import UrlResult
from linkaudit.report import DiffFormat
from linkaudit.report.citations import counted, shown_target
from linkaudit.report.digest import describe_reason
from linkaudit.report.markdown import md_code, md_text
from linkaudit.report.text import printable

__all__ = ["DIFF_SCHEMA", "DiffFormat", "write_diff"]

DIFF_SCHEMA = "linkaudit.diff/1"
#: GitHub refuses a comment longer than 65,536 characters; the Markdown stays under it with room to spare.
MAX_MARKDOWN_CHARS = 65_000
_MAX_CITATIONS = 3


def write_diff(diff: ReportDiff, fmt: DiffFormat, out: TextIO) -> None:
    if fmt is DiffFormat.TERMINAL:
        _terminal(diff, out)
    elif fmt is DiffFormat.JSON:
        out.write(escape_invisible(json.dumps(diff_dict(diff), ensure_ascii=False, indent=1)) + "\n")
    elif fmt is DiffFormat.MARKDOWN:
        _markdown(diff, out)
    elif fmt is DiffFormat.GITHUB:
        diff_formats.write_github(diff, out)
    elif fmt is DiffFormat.CSV:
        diff_formats.write_csv(diff, out)
    elif fmt is DiffFormat.JUNIT:
        diff_formats.write_junit(diff, out)
    elif fmt is DiffFormat.SARIF:
        diff_formats.write_sarif(diff, out)
    elif fmt is DiffFormat.HTML:
        diff_formats.write_html(diff, out)
    else:
        assert_never(fmt)


def _verdict(result: UrlResult | None) -> dict[str, str] | None:
    if result is None:
        return None
    return {"verdict": result.judgement.verdict.value, "reason": result.judgement.reason}


def diff_dict(diff: ReportDiff) -> dict[str, Any]:
    return {
        "schema": DIFF_SCHEMA,
        "old": {"generated_at": diff.old.generated_at, "urls": len(diff.old.results)},
        "new": {"generated_at": diff.new.generated_at, "urls": len(diff.new.results)},
        "fail_on": sorted(v.value for v in diff.fail_on),
        "summary": {change.value: diff.count(change) for change in Change},
        "changes": [
            {
                "change": entry.change.value,
                "url": entry.url,
                "fragment": entry.fragment,
                "before": _verdict(entry.before),
                "after": _verdict(entry.after),
                "citations": [
                    {"file": occ.file, "line": occ.line, "column": occ.column} for occ in entry.citations
                ],
            }
            for entry in diff.entries
        ],
    }


def _was_is(entry: DiffEntry) -> str:
    before = entry.before.judgement.verdict.value if entry.before is not None else "not cited"
    after = entry.after.judgement.verdict.value if entry.after is not None else "not cited"
    return f"{before} -> {after}"


def _summary(diff: ReportDiff) -> str:
    return ", ".join(f"{diff.count(change):,} {CHANGE_TITLES[change].lower()}" for change in Change)


def _terminal(diff: ReportDiff, out: TextIO) -> None:
    for change in Change:
        entries = [entry for entry in diff.entries if entry.change is change]
        if not entries:
            continue
        out.write(f"{CHANGE_TITLES[change]} ({len(entries):,})\n")
        for entry in entries:
            result = entry.shown
            reason = describe_reason(result.judgement.reason)
            target = printable(shown_target(result, result.occurrences[0].raw if result.occurrences else ""))
            out.write(f"  {_was_is(entry)}  {reason}  {target}\n")
            for occ in entry.citations[:_MAX_CITATIONS]:
                out.write(f"      {printable(occ.file)}:{occ.line}:{occ.column}\n")
            if len(entry.citations) > _MAX_CITATIONS:
                out.write(
                    f"      ... and {counted(len(entry.citations) - _MAX_CITATIONS, 'more citation')}\n"
                )
        out.write("\n")
    out.write(f"{_summary(diff) if diff.entries else 'No change'}.\n")


def _markdown(diff: ReportDiff, out: TextIO) -> None:
    failing = diff.count(Change.NEWLY_FAILING)
    title = (
        f"## linkaudit: {counted(failing, 'newly failing URL')}"
        if failing
        else "## linkaudit: nothing newly failing"
    )
    head = [title, "", f"{_summary(diff)}.", ""]
    tail_reserve = 300
    used = sum(len(line) + 1 for line in head) + tail_reserve
    body: list[str] = []
    left = 0
    for change in Change:
        entries = [entry for entry in diff.entries if entry.change is change]
        if not entries:
            continue
        section = [f"### {CHANGE_TITLES[change]} ({len(entries):,})", ""]
        for entry in entries:
            result = entry.shown
            where = ", ".join(md_code(f"{occ.file}:{occ.line}") for occ in entry.citations[:_MAX_CITATIONS])
            more = len(entry.citations) - _MAX_CITATIONS
            if more > 0:
                where += f" and {more:,} more"
            target = shown_target(result, result.occurrences[0].raw if result.occurrences else "")
            line = (
                f"- {md_text(_was_is(entry).replace('->', '→'))} "
                f"{md_text(describe_reason(result.judgement.reason))} — {md_code(target)}"
                + (f" — {where}" if where else "")
            )
            if used + sum(len(s) + 1 for s in section) + len(line) + 1 > MAX_MARKDOWN_CHARS:
                left += 1
                continue
            section.append(line)
        if len(section) > 2:
            body += [*section, ""]
            used += sum(len(s) + 1 for s in section) + 1
    lines = head + body
    if left:
        lines += [f"*… and {counted(left, 'more change')} not shown: the JSON diff has every one.*"]
    while lines and not lines[-1]:
        lines.pop()
    out.write("\n".join(lines) + "\n")
