"""What a `linkaudit.report/1` JSON report asks to fix: occurrences, replacement URLs, file hashes.

A URL entry is fixed when its `verdict` is one of `verdicts` and it has an archived copy
(`archive.url`), or, with `redirects`, when it is `redirected` with `permanent: true` (its `final_url`),
or, for the hygiene finding kinds in `findings` (`tracking-params`, `https-available`, …), when a
citation of it has such a finding whose suggested URL is known to work (see `_trusted`; its citations
with that finding then point at the suggestion).
Its `occurrences` (file, byte span, raw, kind) become `Occurrence`s. The report's `files` list
(`{"path", "sha256"}`, paths relative to its `root`) gives the hash each file had when audited.
Malformed entries are reported, one line each, and left out; the rest goes on.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linkaudit.extract.document import DEFAULT_MAX_FILE_SIZE
from linkaudit.fix.model import FixMessage, FixPlan
from linkaudit.fix.plan import plan_fixes
from linkaudit.models import LinkKind, Occurrence, Target
from linkaudit.report.json import REPORT_SCHEMA

__all__ = [
    "DEFAULT_VERDICTS",
    "ReportError",
    "ReportFixes",
    "fixes_from_report",
    "plan_from_fixes",
    "plan_from_report",
]

#: The verdicts `linkaudit fix` repairs unless told otherwise (issue 7's default `--fail-on`).
DEFAULT_VERDICTS: frozenset[str] = frozenset({"dead", "soft-dead", "usurped"})


class ReportError(Exception):
    """A report that cannot be used at all (not JSON of our schema); the message is one line."""


@dataclass(frozen=True, slots=True)
class ReportFixes:
    """What a report asks to fix: the citations, target URL -> replacement, sha256 per file path.

    `root` is the report's `root` (the folder its paths are relative to), None in a report without one;
    `without_copy` the URLs with a verdict asked for but nothing to point them at (no archived copy).
    """

    occurrences: tuple[Occurrence, ...]
    replacements: Mapping[str, str]
    expected_sha256: Mapping[Path, str]
    problems: tuple[FixMessage, ...]
    root: Path | None = None
    without_copy: tuple[str, ...] = ()


def _replacement(entry: Mapping[str, Any], verdicts: Collection[str], redirects: bool) -> str | None:
    verdict = entry.get("verdict")
    archive = entry.get("archive")
    if verdict in verdicts and isinstance(archive, Mapping) and isinstance(archive.get("url"), str):
        url: str = archive["url"]
        return url
    final = entry.get("final_url")
    if redirects and verdict == "redirected" and entry.get("permanent") is True and isinstance(final, str):
        return final
    return None


def _trusted(entry: Mapping[str, Any], finding: Mapping[str, Any]) -> bool:
    """Whether a suggestion is known to work: checked live; for `https-available` not checked itself but
    its host answered a cited path over https (one probe per host); for `shortener` the destination the
    check itself reached (the shortener's own verdict: redirected)."""
    verdict = finding.get("suggestion_verdict")
    if verdict == "live":
        return True
    if finding.get("kind") == "https-available":
        return verdict is None
    return finding.get("kind") == "shortener" and verdict is None and entry.get("verdict") == "redirected"


def _suggested(entry: Mapping[str, Any], findings: Collection[str]) -> tuple[str, list[Any]] | None:
    """The live suggestion (without its fragment: each citation keeps its own) of the first finding of a
    kind in `findings`, and the citations that have it."""
    if not findings:
        return None
    chosen: str | None = None
    cited: list[Any] = []
    for item in entry.get("occurrences") or ():
        listed = item.get("findings") if isinstance(item, Mapping) else None
        for finding in listed if isinstance(listed, list) else ():
            if not isinstance(finding, Mapping) or finding.get("kind") not in findings:
                continue
            suggestion = finding.get("suggestion")
            if not isinstance(suggestion, str) or not _trusted(entry, finding):
                continue
            url = suggestion.partition("#")[0]
            if chosen is None:
                chosen = url
            if url == chosen:
                cited.append(item)
                break
    return (chosen, cited) if chosen is not None else None


def _occurrence(item: Mapping[str, Any], target: Target) -> Occurrence:
    """An occurrence from its report form; KeyError, TypeError or ValueError when it is malformed."""
    fields = (item["file"], item["raw"], item["kind"])
    numbers = (item["line"], item["column"], item["start"], item["end"])
    if not all(isinstance(value, str) for value in fields) or not all(
        isinstance(value, int) and not isinstance(value, bool) for value in numbers
    ):
        raise TypeError("wrong field types")
    fragment = item.get("fragment")
    return Occurrence(
        file=item["file"],
        line=item["line"],
        column=item["column"],
        start=item["start"],
        end=item["end"],
        kind=LinkKind(item["kind"]),
        raw=item["raw"],
        target=Target(target.url, fragment=fragment if isinstance(fragment, str) else None),
        text=item.get("text") or "",
        title=item.get("title") or "",
    )


def fixes_from_report(
    report: Mapping[str, Any],
    *,
    verdicts: Collection[str] = DEFAULT_VERDICTS,
    redirects: bool = False,
    findings: Collection[str] = (),
) -> ReportFixes:
    """Read what `report` (a parsed `linkaudit.report/1`) asks to fix. Raises `ReportError` if it is none."""
    if not isinstance(report, Mapping) or report.get("schema") != REPORT_SCHEMA:
        raise ReportError(f"not a {REPORT_SCHEMA} report (see `linkaudit check --format json`)")
    urls = report.get("urls")
    if not isinstance(urls, list):
        raise ReportError("the report has no list of urls")
    occurrences: list[Occurrence] = []
    replacements: dict[str, str] = {}
    problems: list[FixMessage] = []
    without_copy: list[str] = []
    for entry in urls:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("url"), str):
            problems.append(FixMessage("report", "a url entry without a url: ignored"))
            continue
        new = _replacement(entry, verdicts, redirects)
        cited = entry.get("occurrences") or ()
        if new is None:
            if entry.get("verdict") in verdicts and entry.get("occurrences"):
                without_copy.append(entry["url"])
            suggested = _suggested(entry, findings)
            if suggested is None:
                continue
            new, cited = suggested
        target = Target(entry["url"])
        replacements[target.url] = new
        for item in cited:
            try:
                occurrences.append(_occurrence(item, target))
            except (KeyError, TypeError, ValueError):
                where = item.get("file", "report") if isinstance(item, Mapping) else "report"
                problems.append(FixMessage(str(where), f"a malformed citation of {target.url}: ignored"))
    expected: dict[Path, str] = {}
    root = report.get("root")
    for item in report.get("files") or ():
        if (
            isinstance(item, Mapping)
            and isinstance(item.get("path"), str)
            and isinstance(item.get("sha256"), str)
        ):
            path = Path(item["path"])
            expected[Path(root) / path if isinstance(root, str) else path] = item["sha256"]
    return ReportFixes(
        tuple(occurrences),
        replacements,
        expected,
        tuple(problems),
        Path(root) if isinstance(root, str) and root else None,
        tuple(without_copy),
    )


def plan_from_report(
    report: Mapping[str, Any],
    *,
    roots: Sequence[Path],
    base: Path | None = None,
    verdicts: Collection[str] = DEFAULT_VERDICTS,
    redirects: bool = False,
    max_size: int = DEFAULT_MAX_FILE_SIZE,
    listed_only: bool = False,
    findings: Collection[str] = (),
) -> FixPlan:
    """`plan_fixes` for what `report` asks; the report's problems are among the plan's refusals.

    Relative `files` paths (when the report has no `root`) and occurrence files resolve against `base`
    (default: the working directory), as they did when the report was made. With `listed_only`, a file
    the report's `files` list does not name is left alone.
    """
    fixes = fixes_from_report(report, verdicts=verdicts, redirects=redirects, findings=findings)
    return plan_from_fixes(fixes, roots=roots, base=base, max_size=max_size, listed_only=listed_only)


def plan_from_fixes(
    fixes: ReportFixes,
    *,
    roots: Sequence[Path],
    base: Path | None = None,
    max_size: int = DEFAULT_MAX_FILE_SIZE,
    listed_only: bool = False,
) -> FixPlan:
    """`plan_from_report` for a report already read with `fixes_from_report`."""
    folder = base if base is not None else Path.cwd()
    expected = {folder / path: digest for path, digest in fixes.expected_sha256.items()}
    plan = plan_fixes(
        fixes.occurrences,
        fixes.replacements,
        roots=roots,
        base=folder,
        expected_sha256={Path(os.path.abspath(path)): digest for path, digest in expected.items()},
        max_size=max_size,
        only_expected=listed_only,
    )
    return FixPlan(plan.files, plan.skipped, fixes.problems + plan.refused)
