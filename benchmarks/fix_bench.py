"""Benchmark the fix stage (`linkaudit.fix`) on an archive of the real one's shape: every http(s) citation
pointed at a Wayback copy, the worst case (every file rewritten).

    python benchmarks/fix_bench.py [--scale 0.1] [--sample ../shared/corpus/archive-sample] [--keep]
    python benchmarks/fix_bench.py --archive /tmp/arch46k      # an archive already there (copied first)

The archive is built by `corpus.py` under `benchmarks/work/` (git-ignored), or taken from `--archive`,
and copied afresh before the run, since the run rewrites it. The fix goes the way `linkaudit fix` goes:
a `linkaudit.report/1` JSON report is written by the real reporter (every http(s) URL dead, with an
archived copy; its `root` and `files` list with each file's sha256), read back from disk, and planned
from alone (listed files only). Reported: files and edits; seconds to extract and to write the report
(context: what the audit cost), to read the report, to plan (which reads each file and extracts it
twice more: before, and rewritten to check every edit reads back), to render the dry run's diff (the
readable view and the patch), and to write; the peak RSS of this process; then, on a fresh copy, the
wall time of the command itself (`linkaudit fix report.json --write`, a real process). A timed test
cannot say this (it needs the archive and a quiet machine), so this script does.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from corpus import build_archive

from linkaudit.articles import list_articles
from linkaudit.check import group_occurrences
from linkaudit.extract import collect_inputs, extract_files
from linkaudit.fix import apply_fixes, fixes_from_report, plan_from_fixes
from linkaudit.models import AuditReport, Evidence, Judgement, UrlResult, Verdict
from linkaudit.report import ReportFormat, write_report

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
DEFAULT_SAMPLE = HERE.parent.parent / "shared" / "corpus" / "archive-sample"


def _archived(url: str) -> str:
    return "https://web.archive.org/web/20200101000000/" + url


def _write_report(run: Path, report_path: Path) -> tuple[int, int]:
    """Extract `run` (from inside it, as `linkaudit check .` does) and write its JSON report, every http(s)
    URL dead with an archived copy. Returns the citations and the distinct URLs."""
    files, _ = collect_inputs(["."])
    occurrences = extract_files(files).occurrences
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
        root=os.fspath(run),
        articles=list_articles(files, use_git=False),
    )
    out = io.StringIO()
    write_report(audit, ReportFormat.JSON, out, color=False, verbose=False)
    report = json.loads(out.getvalue())
    for entry in report["urls"]:
        entry["archive"] = {
            "url": _archived(entry["url"]),
            "timestamp": "20200101000000",
            "distance_days": 0,
            "direction": "before",
        }
    report_path.write_text(json.dumps(report), encoding="utf-8")
    return len(occurrences), len(results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.1, help="archive size relative to the real one")
    parser.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE, help="the real sample to replicate")
    parser.add_argument("--archive", type=Path, help="an archive folder to use instead of building one")
    parser.add_argument("--keep", action="store_true", help="keep the rewritten copy for a look")
    parser.add_argument("--no-command", action="store_true", help="skip timing `linkaudit fix --write`")
    args = parser.parse_args(argv)
    if args.archive is not None:
        source, label = args.archive, os.fspath(args.archive)
    else:
        sample = args.sample if args.sample.is_dir() else None
        built = build_archive(WORK / f"fix-archive-{args.scale}", args.scale, sample)
        source, label = Path(built.path), built.source
    WORK.mkdir(exist_ok=True)
    run = WORK / "fix-run"
    report_path = WORK / "fix-report.json"
    for leftover in (run, WORK / "fix-command"):
        if leftover.exists():
            shutil.rmtree(leftover)
    shutil.copytree(source, run)
    size = sum(path.stat().st_size for path in run.rglob("*") if path.is_file())
    cwd = os.getcwd()
    os.chdir(run)
    try:
        began = time.perf_counter()
        citations, urls = _write_report(run, report_path)
        reported = time.perf_counter()
        with open(report_path, "rb") as handle:
            fixes = fixes_from_report(json.load(handle))
        read = time.perf_counter()
        plan = plan_from_fixes(fixes, roots=[run], base=run, listed_only=True)
        planned = time.perf_counter()
        dry = apply_fixes(plan)
        diffed = time.perf_counter()
        written = apply_fixes(plan, write=True)
        wrote = time.perf_counter()
    finally:
        os.chdir(cwd)
        if not args.keep:
            shutil.rmtree(run, ignore_errors=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"archive: {label}, {len(fixes.expected_sha256):,} files, {size / 1e6:.1f} MB")
    print(
        f"citations: {citations:,}; URLs replaced: {urls:,}; report {report_path.stat().st_size / 1e6:.0f} MB"
    )
    print(
        f"plan: {len(plan.files):,} files, {plan.edits:,} edits; skipped {len(plan.skipped)}, "
        f"refused {len(plan.refused)}; written {sum(fix.written for fix in written.files):,} files"
    )
    binary = dry.patch.count(b"\nGIT binary patch\n")
    print(
        f"diff: {len(dry.diff.encode()) / 1e6:.1f} MB as UTF-8 text; the patch {len(dry.patch) / 1e6:.1f} MB "
        f"({binary:,} files as git binary patches)"
    )
    print(
        f"seconds: extract + report {reported - began:.2f}, read report {read - reported:.2f}, "
        f"plan {planned - read:.2f}, diff {diffed - planned:.2f}, write {wrote - diffed:.2f}"
    )
    print(f"peak RSS (this process): {rss:.0f} MB")
    if not args.no_command:
        command = WORK / "fix-command"
        shutil.copytree(source, command)
        report = json.loads(report_path.read_text(encoding="utf-8"))
        report["root"] = os.fspath(command)
        report_path.write_text(json.dumps(report), encoding="utf-8")
        try:
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "linkaudit", "fix", os.fspath(report_path), "--write"],
                capture_output=True,
                text=True,
                check=False,
            )
            elapsed = time.perf_counter() - start
        finally:
            shutil.rmtree(command, ignore_errors=True)
        said = done.stderr.strip().splitlines()[-1:]
        print(f"linkaudit fix REPORT --write: {elapsed:.2f} s wall, exit {done.returncode}: {said}")
    report_path.unlink(missing_ok=True)
    return 1 if plan.skipped or plan.refused or written.skipped else 0


if __name__ == "__main__":
    sys.exit(main())
