"""From a `linkaudit.report/1` report to a fix: which URL entries are repaired with what, the file hashes
of its `files` list, and reports that cannot be used. The report is written by the real JSON reporter
from a real extraction, then given the fields issue 7 adds (`archive`, `root`, `files`)."""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from linkaudit.extract import collect_inputs, extract_files
from linkaudit.fix import ReportError, apply_fixes, fixes_from_report, plan_from_report
from linkaudit.models import AuditReport, Evidence, Judgement, Target, UrlResult, Verdict
from linkaudit.report import ReportFormat, write_report

DEAD = "http://dead.example/a"
SOFT = "http://soft.example/b"
NO_COPY = "http://gone.example/c"
MOVED = "http://moved.example/d"
TEMPORARY = "http://temporary.example/e"
ARTICLE = (
    f"# 標題\n\n[a]({DEAD}) [b]({SOFT}) [c]({NO_COPY})\n\n<{MOVED}> {TEMPORARY}\n\n"
    f"[r]: {DEAD}\n\n[again][r] and [r]\n"
)


def _archive(url: str) -> dict[str, Any]:
    return {
        "url": f"https://web.archive.org/web/20200101000000/{url}",
        "timestamp": "20200101000000",
        "distance_days": 3,
        "direction": "before",
    }


def _report(root: Path) -> dict[str, Any]:
    files, _ = collect_inputs([os.fspath(root)])
    occurrences = extract_files(files, jobs=1).occurrences
    verdicts = {
        DEAD: Judgement(Verdict.DEAD, "http-404"),
        SOFT: Judgement(Verdict.SOFT_DEAD, "soft-404"),
        NO_COPY: Judgement(Verdict.DEAD, "http-410"),
        MOVED: Judgement(Verdict.REDIRECTED, "redirect-301", permanent=True),
        TEMPORARY: Judgement(Verdict.REDIRECTED, "redirect-302", permanent=False),
    }
    results = tuple(
        UrlResult(
            Target(url),
            judgement,
            Evidence(url, status=200, final_url=url.replace("http://", "https://new.")),
            tuple(occ for occ in occurrences if occ.target.url == url),
        )
        for url, judgement in verdicts.items()
    )
    out = io.StringIO()
    audit = AuditReport("2026-05-01T12:00:00Z", 1, 6, results, ())
    write_report(audit, ReportFormat.JSON, out, color=False, verbose=False)
    report: dict[str, Any] = json.loads(out.getvalue())
    for entry in report["urls"]:
        entry["archive"] = _archive(entry["url"]) if entry["url"] in (DEAD, SOFT) else None
    report["root"] = os.fspath(root)
    report["files"] = [{"path": "a.md", "sha256": hashlib.sha256((root / "a.md").read_bytes()).hexdigest()}]
    return report


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "a.md").write_text(ARTICLE, encoding="utf-8")
    return tmp_path


def test_failing_citations_with_an_archived_copy_are_fixed(root: Path) -> None:
    outcome = apply_fixes(plan_from_report(_report(root), roots=[root]), write=True)
    assert outcome.skipped == () and outcome.refused == ()
    dead, soft = _archive(DEAD)["url"], _archive(SOFT)["url"]
    expected = ARTICLE.replace(f"({DEAD})", f"({dead})").replace(f"({SOFT})", f"({soft})")
    assert (root / "a.md").read_text(encoding="utf-8") == expected.replace(f"[r]: {DEAD}", f"[r]: {dead}")
    [fix] = outcome.files
    assert (fix.edits, fix.citations) == (3, 4)  # the definition serves two citations


def test_permanent_redirects_only_when_asked(root: Path) -> None:
    fixes = fixes_from_report(_report(root), redirects=True)
    assert fixes.replacements[MOVED] == "https://new.moved.example/d"
    assert TEMPORARY not in fixes.replacements and NO_COPY not in fixes.replacements
    assert MOVED not in fixes_from_report(_report(root)).replacements
    apply_fixes(plan_from_report(_report(root), roots=[root], redirects=True), write=True)
    assert "<https://new.moved.example/d>" in (root / "a.md").read_text(encoding="utf-8")


def test_only_the_verdicts_asked_for(root: Path) -> None:
    fixes = fixes_from_report(_report(root), verdicts={"soft-dead"})
    assert set(fixes.replacements) == {SOFT}
    assert {occ.target.url for occ in fixes.occurrences} == {SOFT}


def test_the_files_list_gives_the_hash_each_file_had(root: Path) -> None:
    report = _report(root)
    (root / "a.md").write_text(ARTICLE + "\n", encoding="utf-8")  # an edit that moves no span
    plan = plan_from_report(report, roots=[root])
    assert plan.files == ()
    assert [message.message for message in plan.skipped] == [
        "changed since the report (its sha256 differs): left alone"
    ]


def test_a_malformed_citation_is_reported_and_the_rest_fixed(root: Path) -> None:
    report = _report(root)
    dead = next(entry for entry in report["urls"] if entry["url"] == DEAD)
    dead["occurrences"][0]["start"] = "twelve"
    plan = plan_from_report(report, roots=[root])
    assert [message.message for message in plan.refused] == [f"a malformed citation of {DEAD}: ignored"]
    assert plan.edits == 2  # the soft-dead link and the definition, through the citation left


@pytest.mark.parametrize(
    ("report", "message"),
    [
        ({"schema": "linkaudit.extract/1"}, "not a linkaudit.report/1 report"),
        ({"schema": "linkaudit.report/1"}, "the report has no list of urls"),
        ([], "not a linkaudit.report/1 report"),
    ],
)
def test_what_is_not_a_report(report: Any, message: str) -> None:
    with pytest.raises(ReportError, match=message):
        fixes_from_report(report)


def test_the_same_report_applied_twice_changes_nothing_the_second_time(root: Path) -> None:
    report = _report(root)
    apply_fixes(plan_from_report(report, roots=[root]), write=True)
    fixed = (root / "a.md").read_bytes()
    again = apply_fixes(plan_from_report(report, roots=[root]), write=True)
    assert again.files == () and [message.message for message in again.skipped] == [
        "changed since the report (its sha256 differs): left alone"
    ]
    report["files"] = []  # without the hashes, the spans that no longer read `raw` say the same
    again = apply_fixes(plan_from_report(report, roots=[root]), write=True)
    assert again.files == () and "changed since the report" in again.skipped[0].message
    assert (root / "a.md").read_bytes() == fixed
