"""What the report's file list (sha256 and citation date per article) costs a check run, cold and warm.

A check extracts through the store's cache, then lists the articles (`list_articles`): the sha256 of each
file's bytes and the date it states (front matter, dateline), with git and mtime for the rest. Measured
as the CLI does it, in one process per step so that nothing is warm that a real run would not have:

- cold: a new store: every file parsed (on all cores), the list made;
- warm: the same store again, nothing changed: the cache serves every file, the list made.

    .venv/bin/python benchmarks/articles_bench.py /tmp/arch46k [--jobs N]

(`/tmp/arch46k`: `benchmarks.corpus.build_archive(Path('/tmp/arch46k'), 1.0, Path('/work/shared/corpus/
archive-sample'))`, the real archive's 46,292 files.)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

_STEP = """
import json, os, sys, time
from linkaudit.extract import collect_inputs
from linkaudit.extract.cache import extract_cached
from linkaudit.store import Store
from linkaudit.store.files import StoreFileCache
from linkaudit.articles import list_articles
folder, store_path, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
files, _ = collect_inputs([folder])
started = time.perf_counter()
with Store.open(store_path) as store:
    result = extract_cached(files, StoreFileCache(store), jobs=jobs)
extracted = time.perf_counter()
known = getattr(result, "file_facts", None)
articles = list_articles(files, known=known) if known is not None else list_articles(files)
listed = time.perf_counter()
dated = sum(1 for a in articles if a.cited is not None)
print(json.dumps({"files": len(files), "extract_s": extracted - started, "list_s": listed - extracted,
                  "dated": dated, "sources": sorted({a.cited.source.value for a in articles if a.cited})}))
"""


def step(folder: Path, store: Path, jobs: int) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _STEP, str(folder), str(store), str(jobs)],
        check=True,
        capture_output=True,
        text=True,
        cwd=folder.parent,
    )
    figures: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        store = Path(scratch) / "store.sqlite"
        for name in ("cold", "warm", "warm"):
            figures = step(args.folder.resolve(), store, args.jobs)
            print(
                f"{name}: {figures['files']:,} files · extract {figures['extract_s']:.2f} s · "
                f"file list {figures['list_s']:.2f} s · {figures['dated']:,} dated {figures['sources']}"
            )


if __name__ == "__main__":
    main()
