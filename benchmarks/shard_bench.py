"""Why every shard extracts every file (`check --shard I/N`), measured on an archive the size of the real one.

    python benchmarks/shard_bench.py [--scale 1.0] [--shards 3]

A shard must know every citation of its hosts, and a host's URLs are cited all over the archive: the
only way to keep files apart would be a first job that extracts everything and hands each shard its
links (an artifact of ~333,000 citations), which costs a job, an upload and a download per shard. This
script measures what the simple way costs instead, and what splitting the files would break:

1. `linkaudit extract` of the whole archive, cold (`--no-store`) and warm (the store's extraction cache,
   as a shard finds it restored from the Actions cache): the time every shard spends before checking.
2. How the shards split the work: citations, distinct URLs and hosts per shard (host hash), and the
   largest host's share (one host's URLs cannot be split without breaking politeness).
3. Template links (cited from a share of all files, folded in reports): found from all files, and from a
   third of the files each, as shards that split the files would find them.

The archive is `corpus.py`'s (replicated from `../shared/corpus/archive-sample`, 46,292 files at full
scale), built under `benchmarks/work/`. Nothing touches the network.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import subprocess
import time
from collections import Counter
from pathlib import Path

from corpus import build_archive
from tools import tool_path

from linkaudit.ci.shard import shard_index
from linkaudit.extract import collect_inputs, extract_files, mark_templates
from linkaudit.models import TargetStatus

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "shard"
# Beside the checkout: /work/shared next to /work/main, or next to the worktrees' folder.
DEFAULT_SAMPLE = next(
    (
        folder / "shared" / "corpus" / "archive-sample"
        for folder in (HERE.parent.parent, HERE.parent.parent.parent)
        if (folder / "shared" / "corpus" / "archive-sample").is_dir()
    ),
    HERE.parent.parent / "shared" / "corpus" / "archive-sample",
)


def timed_extract(archive: Path, *store: str) -> float:
    """Wall seconds of one `linkaudit extract ARCHIVE -f jsonl` (output to a file: read and discarded)."""
    out = WORK / "links.jsonl"
    started = time.perf_counter()
    with out.open("wb") as sink:
        subprocess.run(
            [tool_path("linkaudit"), "extract", str(archive), "-f", "jsonl", *store], stdout=sink, check=True
        )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=1.0, help="archive size relative to the real one")
    parser.add_argument("--shards", type=int, default=3)
    parser.add_argument("--sample", type=Path, default=None, help=f"real sample [default: {DEFAULT_SAMPLE}]")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    sample = args.sample or (DEFAULT_SAMPLE if DEFAULT_SAMPLE.is_dir() else None)
    info = build_archive(
        HERE / "work" / f"archive-{'sample' if sample else 'synthetic'}-{args.scale:g}", args.scale, sample
    )
    archive = Path(info.path)
    print(f"python benchmarks/shard_bench.py --scale {args.scale:g} --shards {args.shards}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"archive: {info.files:,} files, {info.bytes / 1e6:,.1f} MB ({info.source})")

    store = WORK / "store.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    cold = min(timed_extract(archive, "--no-store") for _ in range(2))
    timed_extract(archive, "--store", str(store))  # fills the cache, as the first night does
    warm = min(timed_extract(archive, "--store", str(store)) for _ in range(2))
    print("\n1. every shard extracts every file (wall, best of 2):")
    print(f"   cold {cold:.1f} s (--no-store); warm {warm:.1f} s (the store's cache, restored)")

    files, _ = collect_inputs([str(archive)], extensions=["md"])
    extracted = extract_files(files)
    occurrences = extracted.occurrences
    citations: Counter[int] = Counter()
    urls: dict[int, set[str]] = {n: set() for n in range(1, args.shards + 1)}
    hosts: dict[int, set[str]] = {n: set() for n in range(1, args.shards + 1)}
    per_host: Counter[str] = Counter()
    for occ in occurrences:
        index = shard_index(occ.target, args.shards)
        citations[index] += 1
        urls[index].add(occ.target.url)
        if occ.target.is_http:
            hosts[index].add(occ.target.host)
    for url in {occ.target.url: occ.target for occ in occurrences if occ.target.is_http}.values():
        per_host[url.host] += 1
    total_urls = sum(len(found) for found in urls.values())
    print(f"\n2. the work per shard ({len(occurrences):,} citations, {total_urls:,} distinct targets):")
    for index in range(1, args.shards + 1):
        print(
            f"   shard {index}/{args.shards}: {citations[index]:,} citations, {len(urls[index]):,} targets "
            f"({len(urls[index]) / total_urls:.0%}), {len(hosts[index]):,} hosts"
        )
    biggest, count = per_host.most_common(1)[0]
    print(
        f"   largest host: {biggest} with {count:,} distinct URLs "
        f"({count / sum(per_host.values()):.0%} of http URLs)"
    )

    whole = {occ.target.url for occ in occurrences if occ.template}
    split: set[str] = set()
    part_of = {item.display: number % args.shards for number, item in enumerate(files)}
    for part in range(args.shards):
        mine = [
            dataclasses.replace(occ, template=False)
            for occ in occurrences
            if part_of.get(occ.file) == part and occ.target.status is TargetStatus.OK
        ]
        marked = mark_templates(mine, sum(1 for value in part_of.values() if value == part))
        split |= {occ.target.url for occ in marked if occ.template}
    print(
        f"\n3. template links: {len(whole):,} from all files; "
        f"{len(split):,} if each shard saw 1/{args.shards} of them"
    )
    print(f"   ({len(whole ^ split):,} URLs folded differently than in a single run)")


if __name__ == "__main__":
    main()
