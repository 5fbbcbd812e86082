"""Benchmark `linkaudit extract` against `lychee --dump` on an archive the size of the real one.

Why a script and not a timed test: the figures that matter (wall time, peak memory of the whole process
tree, linearity) need a 249 MB archive and several runs, and are only meaningful side by side with a
reference tool measured in the same run on the same machine. The goal (issue 2): no slower than lychee,
peak memory at most 300 MB, time linear in input size.

    python benchmarks/extract_bench.py [--scale 1.0] [--runs 3] [--keep] [--linearity]

Issue 8 adds the warm run: `linkaudit extract` a second time on the unchanged archive, served by the
history store's extraction cache (goal: at most half of lychee's time, output byte-identical to the cold
run's). `linkaudit (warm)` has its own store; its untimed first run fills it (timed apart, as the cost of
filling) and every timed run after is warm. The cold `linkaudit` runs with `--no-store`.

The archive is built under `benchmarks/work/` (git-ignored) by `corpus.py`: replicated from the real
sample in `../shared/corpus/archive-sample` when present, else synthetic. Each tool runs once untimed
(warming the page cache and counting the links it prints) and then `--runs` times with its output sent
to /dev/null. When `unshare -rn` works, every run happens in a network namespace without interfaces,
so neither tool can touch the network. Memory is sampled every 10 ms over the whole process tree
(linkaudit runs a process pool): the peak of the summed RSS, and of the summed PSS (shared pages split
between the processes sharing them); `getrusage` adds the largest single process exactly.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corpus import FULL_FILES, ArchiveInfo, build_archive
from proctree import PeakSampler
from tools import tool_path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
DEFAULT_SAMPLE = HERE.parent.parent / "shared" / "corpus" / "archive-sample"
MB = 1_000_000


@dataclass
class Run:
    wall: float
    cpu: float
    max_rss_single: int
    peak_rss_tree: int
    peak_pss_tree: int
    links: int | None = None
    digest: str | None = None


@dataclass
class ToolResult:
    name: str
    command: list[str]
    runs: list[Run] = field(default_factory=list)
    links: int = 0
    first: Run | None = None  # the untimed first run (for the warm tool: the one that fills the store)

    def median(self, attr: str) -> float:
        return statistics.median(float(getattr(run, attr)) for run in self.runs)


def run_once(command: Sequence[str], cwd: Path, *, count: bool) -> Run:
    """Run a command once under `_measured`; with `count`, count the lines it prints (else /dev/null)."""
    errors = WORK / "stderr.log"
    report = WORK / "rusage.json"
    runner = [sys.executable, str(Path(__file__).resolve()), "--measured", str(report), "--", *command]
    with open(errors, "wb") as err:
        proc = subprocess.Popen(
            runner, cwd=cwd, stdout=subprocess.PIPE if count else subprocess.DEVNULL, stderr=err
        )
        sampler = PeakSampler(proc.pid, include_root=False, pss_every=10)
        sampler.start()
        lines = 0
        digest = hashlib.sha256()
        if proc.stdout is not None:
            while chunk := proc.stdout.read(1 << 20):
                lines += chunk.count(b"\n")
                digest.update(chunk)
            proc.stdout.close()
        proc.wait()
        sampler.done.set()
        sampler.join()
    if proc.returncode != 0:
        tail = errors.read_text(errors="replace")[-2000:]
        raise SystemExit(f"{' '.join(command)} failed with exit code {proc.returncode}:\n{tail}")
    usage = json.loads(report.read_text())
    return Run(
        wall=usage["wall"],
        cpu=usage["cpu"],
        max_rss_single=usage["maxrss"],
        peak_rss_tree=sampler.peak_rss,
        peak_pss_tree=sampler.peak_pss,
        links=lines if count else None,
        digest=digest.hexdigest() if count else None,
    )


def _measured(report: Path, command: list[str]) -> int:
    """Run `command` as a child subreaper, so that every process it starts is waited for here.

    Orphans (the process pool's fork server outlives linkaudit's main process) are re-parented to us,
    so RUSAGE_CHILDREN holds the CPU time of the whole tree, and its ru_maxrss the largest process.
    Wall time ends when the command itself exits, as a shell would see it.
    """
    # Without it, the CPU time of orphans would be lost: figures too low, never too high.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    start = time.perf_counter()
    proc = subprocess.Popen(command)
    code = proc.wait()
    wall = time.perf_counter() - start
    while True:
        try:
            os.wait()
        except ChildProcessError:
            break
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    report.write_text(
        json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxrss": usage.ru_maxrss * 1024})
    )
    return code


def _no_network_prefix() -> list[str]:
    """`unshare -rn`: a user and network namespace with no interfaces, when the system allows it."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    try:
        ok = (
            subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=10, check=False).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [unshare, "-rn"] if ok else []


WARM_STORE = WORK / "warm-store.sqlite"


def commands(archive: str, *, warm: bool = True) -> dict[str, list[str]]:
    """Both tools on the same Markdown files, printing every link without checking any; with `warm`,
    linkaudit a second time, with a store whose extraction cache its first run fills."""
    linkaudit = [tool_path("linkaudit"), "extract", "--format", "jsonl", archive]
    return {
        "linkaudit": [*linkaudit, "--no-store"],
        **({"linkaudit (warm)": [*linkaudit, "--store", str(WARM_STORE)]} if warm else {}),
        # --dump: print the links instead of checking them; --no-ignore: the archive lives in a git-ignored
        # folder, which lychee would otherwise skip; --extensions md: the Markdown files linkaudit reads.
        "lychee": [
            tool_path("lychee"),
            "--dump",
            "--no-progress",
            "--no-ignore",
            "--extensions",
            "md",
            archive,
        ],
    }


def measure(info: ArchiveInfo, runs: int, prefix: list[str], *, warm: bool = True) -> list[ToolResult]:
    archive = Path(info.path)
    results = [ToolResult(name, command) for name, command in commands(archive.name, warm=warm).items()]
    for suffix in ("", "-wal", "-shm"):  # the warm tool's first run starts from an empty store
        Path(f"{WARM_STORE}{suffix}").unlink(missing_ok=True)
    for result in results:
        result.first = run_once(prefix + result.command, archive.parent, count=True)
        result.links = result.first.links or 0
    if warm and results[1].first is not None and results[0].first is not None:
        if results[1].first.digest != results[0].first.digest:
            raise SystemExit("the warm run's output differs from the cold run's")
        warm_output = run_once(prefix + results[1].command, archive.parent, count=True)
        if warm_output.digest != results[0].first.digest:
            raise SystemExit("the warm run's output (served by the cache) differs from the cold run's")
    # Interleaved, so that a load that comes and goes (a shared machine) weighs on both tools alike.
    for _ in range(runs):
        for result in results:
            result.runs.append(run_once(prefix + result.command, archive.parent, count=False))
    return results


def _check_same_inputs(info: ArchiveInfo, prefix: list[str]) -> int:
    """Both tools must read the same files: lychee's input list against the Markdown files on disk."""
    archive = Path(info.path)
    on_disk = 0
    for _, dirs, files in os.walk(archive):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        on_disk += sum(1 for name in files if name.endswith(".md") and not name.startswith("."))
    listed = subprocess.run(
        [
            *prefix,
            *commands(archive.name)["lychee"][:1],
            "--dump-inputs",
            "--no-ignore",
            "--extensions",
            "md",
            archive.name,
        ],
        cwd=archive.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if len(listed) != on_disk:
        raise SystemExit(f"lychee would read {len(listed)} files, the archive has {on_disk} Markdown files")
    return on_disk


def _load() -> str:
    """The machine's load average: on a shared machine, what the figures were measured against."""
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def _ratio(ours: float, theirs: float) -> str:
    """A ratio, or n/a when a run was too short to sample (a tiny --scale)."""
    return f"{ours / theirs:.2f}×" if theirs else "n/a"


def _mb(value: float) -> str:
    return f"{value / MB:.0f} MB"


def report(info: ArchiveInfo, results: list[ToolResult], runs: int) -> str:
    *ours_all, ref = results
    rows = [
        f"| | wall (median of {runs}) | CPU (user+sys) | peak RSS, process tree | peak PSS, process tree "
        "| largest process (rusage) | links |",
        "|---|---|---|---|---|---|---|",
    ]
    for res in results:
        walls = sorted(run.wall for run in res.runs)
        rows.append(
            f"| {res.name} | {res.median('wall'):.2f} s ({walls[0]:.2f}–{walls[-1]:.2f}) "
            f"| {res.median('cpu'):.2f} s "
            f"| {_mb(res.median('peak_rss_tree'))} | {_mb(res.median('peak_pss_tree'))} "
            f"| {_mb(res.median('max_rss_single'))} | {res.links:,} |"
        )
    for ours in ours_all:
        rows.append(
            f"| ratio {ours.name}/lychee | {_ratio(ours.median('wall'), ref.median('wall'))} "
            f"| {_ratio(ours.median('cpu'), ref.median('cpu'))} "
            f"| {_ratio(ours.median('peak_rss_tree'), ref.median('peak_rss_tree'))} "
            f"| {_ratio(ours.median('peak_pss_tree'), ref.median('peak_pss_tree'))} "
            f"| {_ratio(ours.median('max_rss_single'), ref.median('max_rss_single'))} "
            f"| {ours.links / max(1, ref.links):.2f}× |"
        )
    warm = next((res for res in ours_all if res.name.endswith("(warm)")), None)
    if warm is not None and warm.first is not None:
        size = WARM_STORE.stat().st_size if WARM_STORE.exists() else 0
        rows.append(
            f"\nfilling the store (the warm tool's first run, cold): {warm.first.wall:.2f} s wall, "
            f"{warm.first.cpu:.2f} s CPU, peak RSS {_mb(warm.first.peak_rss_tree)}; "
            f"store {_mb(size)}; warm output byte-identical to the cold run's (sha256 of the output)"
        )
    return "\n".join(rows)


def _archive_for(scale: float, sample: Path | None) -> ArchiveInfo:
    WORK.mkdir(exist_ok=True)
    kind = "sample" if sample is not None else "synthetic"
    started = time.perf_counter()
    info = build_archive(WORK / f"archive-{kind}-{scale:g}", scale, sample)
    print(
        f"archive: {info.path} ({info.source}): {info.files:,} files, {info.bytes / MB:.1f} MB"
        f" [{time.perf_counter() - started:.1f} s to build or reuse]",
        flush=True,
    )
    return info


def main(argv: Sequence[str] | None = None) -> None:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["--measured"]:
        raise SystemExit(_measured(Path(args_in[1]), args_in[3:]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="archive size relative to the real one (0.1: 4,629 files)"
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs per tool (median reported)")
    parser.add_argument(
        "--keep", action="store_true", help="keep (and reuse) the built archives in benchmarks/work/"
    )
    parser.add_argument(
        "--linearity", action="store_true", help="also time both tools at scale 0.25, 0.5 and 1.0"
    )
    parser.add_argument(
        "--sample", type=Path, default=None, help=f"real sample to replicate [default: {DEFAULT_SAMPLE}]"
    )
    parser.add_argument(
        "--synthetic", action="store_true", help="generate synthetic articles even if the sample exists"
    )
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 4 or args.runs < 1:
        parser.error("--scale must be in (0, 4] and --runs at least 1")

    sample: Path | None = None
    if not args.synthetic:
        sample = args.sample or (DEFAULT_SAMPLE if DEFAULT_SAMPLE.is_dir() else None)
        if sample is not None and not sample.is_dir():
            parser.error(f"no such folder: {sample}")
    prefix = _no_network_prefix()
    version = subprocess.run([tool_path("lychee"), "--version"], capture_output=True, text=True, check=False)
    print(f"python benchmarks/extract_bench.py {' '.join(args_in)}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{version.stdout.strip()}; load average {_load()}; "
        + (
            "network: none (every run in `unshare -rn`)"
            if prefix
            else "network: not isolated (no unshare -rn)"
        )
    )
    built: list[Path] = []
    try:
        info = _archive_for(args.scale, sample)
        built.append(Path(info.path))
        files = _check_same_inputs(info, prefix)
        print(
            f"both tools read the same {files:,} Markdown files; expected {round(FULL_FILES * args.scale):,}",
            flush=True,
        )
        results = measure(info, args.runs, prefix)
        print()
        print(report(info, results, args.runs))
        for res in results:
            print(f"  {res.name}: {' '.join(res.command[1:])}")
        if args.linearity:
            print("\nlinearity (median wall and CPU time; per 10,000 files in brackets):\n")
            print(
                "| scale | files | MB | linkaudit wall | linkaudit CPU | lychee wall | lychee CPU | ratio |"
            )
            print("|---|---|---|---|---|---|---|---|")
            for scale in (0.25, 0.5, 1.0):
                if scale == args.scale:
                    lin_info, lin_results = info, results
                else:
                    lin_info = _archive_for(scale, sample)
                    built.append(Path(lin_info.path))
                    lin_results = measure(lin_info, args.runs, prefix, warm=False)
                per = 10_000 / lin_info.files
                cold_and_lychee = [lin_results[0], lin_results[-1]]
                cells = [
                    f"{res.median(attr):.2f} s ({res.median(attr) * per:.2f})"
                    for res in cold_and_lychee
                    for attr in ("wall", "cpu")
                ]
                ratio = lin_results[0].median("wall") / lin_results[-1].median("wall")
                print(
                    f"| {scale:g} | {lin_info.files:,} | {lin_info.bytes / MB:.0f} | {' | '.join(cells)} "
                    f"| {ratio:.2f}× |",
                    flush=True,
                )
        print(f"\nload average after: {_load()}")
    finally:
        if not args.keep:
            for path in built:
                shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
