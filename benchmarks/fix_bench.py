"""Benchmark the fix stage (`linkaudit.fix`) on an archive of the real one's shape: every http(s) citation
pointed at a Wayback copy, the worst case (every file rewritten).

    python benchmarks/fix_bench.py [--scale 0.1] [--sample ../shared/corpus/archive-sample] [--keep]

The archive is built by `corpus.py` under `benchmarks/work/` (git-ignored) and copied afresh before the
run, since the run rewrites it. Reported: files and edits; seconds to extract (context: what the report
cost), to plan (which reads each file and extracts it twice more: before, and rewritten to check every
edit reads back), to render the dry run's diff, and to write; the peak RSS of this process. A timed
test cannot say this (it needs the archive and a quiet machine), so this script does.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path

from corpus import build_archive

from linkaudit.extract import collect_inputs, extract_files
from linkaudit.fix import apply_fixes, plan_fixes

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
DEFAULT_SAMPLE = HERE.parent.parent / "shared" / "corpus" / "archive-sample"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.1, help="archive size relative to the real one")
    parser.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE, help="the real sample to replicate")
    parser.add_argument("--keep", action="store_true", help="keep the built archive for the next run")
    args = parser.parse_args(argv)
    sample = args.sample if args.sample.is_dir() else None
    archive = build_archive(WORK / f"fix-archive-{args.scale}", args.scale, sample)
    run = WORK / "fix-run"
    if run.exists():
        shutil.rmtree(run)
    shutil.copytree(archive.path, run)
    try:
        began = time.perf_counter()
        files, errors = collect_inputs([os.fspath(run)])
        occurrences = extract_files(files).occurrences
        extracted = time.perf_counter()
        replacements = {
            occ.target.url: "https://web.archive.org/web/20200101000000/" + occ.target.url
            for occ in occurrences
            if occ.target.is_http
        }
        plan = plan_fixes(occurrences, replacements, roots=[run])
        planned = time.perf_counter()
        dry = apply_fixes(plan)
        diffed = time.perf_counter()
        written = apply_fixes(plan, write=True)
        wrote = time.perf_counter()
    finally:
        if not args.keep:
            shutil.rmtree(run, ignore_errors=True)
    print(f"archive: {archive.source}, {archive.files:,} files, {archive.bytes / 1e6:.1f} MB")
    print(f"citations: {len(occurrences):,}; targets replaced: {len(replacements):,}")
    print(
        f"plan: {len(plan.files):,} files, {plan.edits:,} edits; skipped {len(plan.skipped)}, "
        f"refused {len(plan.refused)}; written {sum(fix.written for fix in written.files):,} files"
    )
    print(f"diff: {len(dry.diff) / 1e6:.1f} MB of text")
    print(
        f"seconds: extract {extracted - began:.2f}, plan {planned - extracted:.2f}, "
        f"diff {diffed - planned:.2f}, write {wrote - diffed:.2f}"
    )
    print(f"peak RSS (this process): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 1 if errors or plan.skipped or plan.refused or written.skipped else 0


if __name__ == "__main__":
    sys.exit(main())
