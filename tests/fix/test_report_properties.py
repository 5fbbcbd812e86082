"""The rewrite properties through the path `linkaudit fix` takes: a real JSON report of real articles.

The articles are extracted, every http(s) target is judged dead and given an archived copy, and the
real JSON reporter writes the report (with its `root` and `files` list, sha256 and all); the fix is then
planned from that report alone (`plan_from_report`, listed files only) and written. After the fix:
every citation of the report is rewritten, every byte outside the rewritten spans is unchanged, and a
fresh extraction finds each new destination exactly at its new span, meaning the archived URL
(`support.check_rewrite`). Over the real articles in `tests/data/archive` (always present) and over the
whole real sample in `../shared/corpus` (skipped only when that folder is absent).
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from linkaudit.articles import list_articles
from linkaudit.check import group_occurrences
from linkaudit.extract import collect_inputs, extract_files
from linkaudit.fix import apply_fixes, plan_from_report
from linkaudit.models import AuditReport, Evidence, Judgement, LinkKind, UrlResult, Verdict
from linkaudit.report import ReportFormat, write_report

from .support import check_rewrite
from .test_properties import CORPUS

DATA = Path(__file__).resolve().parent.parent / "data" / "archive"


def _archived(url: str) -> str:
    return "https://web.archive.org/web/20200101000000/" + url


def _copy(source: Path, folder: Path) -> None:
    for path in sorted(source.rglob("*.md")):
        copy = folder / path.relative_to(source)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)


def _report_of(folder: Path) -> tuple[dict[str, Any], int]:
    """The JSON report of `folder` (paths relative to it, as a run there makes them), every http(s) URL
    dead with an archived copy; and how many citations it asks to fix."""
    files, errors = collect_inputs(["."])
    assert not errors
    occurrences = extract_files(files, jobs=1).occurrences
    results = tuple(
        UrlResult(
            item.target, Judgement(Verdict.DEAD, "http-404"), Evidence(item.target.url, 404), item.occurrences
        )
        for item in group_occurrences(occurrences)
        if item.target.is_http
    )
    audit = AuditReport(
        "2026-05-01T12:00:00Z",
        len(files),
        len(occurrences),
        results,
        (),
        root=str(folder),
        articles=list_articles(files, use_git=False),
    )
    out = io.StringIO()
    write_report(audit, ReportFormat.JSON, out, color=False, verbose=False)
    report: dict[str, Any] = json.loads(out.getvalue())
    for entry in report["urls"]:
        entry["archive"] = {
            "url": _archived(entry["url"]),
            "timestamp": "20200101000000",
            "distance_days": 0,
            "direction": "before",
        }
    wanted = sum(1 for result in results for occ in result.occurrences if occ.kind is not LinkKind.TEXT_URL)
    return report, wanted


def _fix_from_report(source: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    _copy(source, folder)
    monkeypatch.chdir(folder)
    before = {path: path.read_bytes() for path in folder.rglob("*.md")}
    report, wanted = _report_of(folder)
    plan = plan_from_report(json.loads(json.dumps(report)), roots=[folder], base=folder, listed_only=True)
    assert not plan.skipped and not plan.refused, (plan.skipped[:3], plan.refused[:3])
    outcome = apply_fixes(plan, write=True)
    assert not outcome.skipped
    assert sum(fix.citations for fix in outcome.files) == wanted
    for file_plan in plan.files:
        check_rewrite(before[file_plan.path], file_plan.path.read_bytes(), file_plan)
    untouched = set(before) - {file_plan.path for file_plan in plan.files}
    assert all(path.read_bytes() == before[path] for path in untouched)
    return wanted


def test_the_archive_fixtures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _fix_from_report(DATA, tmp_path, monkeypatch) >= 19


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the real archive sample (../shared/corpus) is not present")
def test_the_real_archive_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _fix_from_report(CORPUS, tmp_path, monkeypatch) > 800
