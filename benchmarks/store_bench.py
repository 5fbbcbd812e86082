"""What the history store saves and costs: a second run with `--max-age`, the store's size per 100k checks.

    python benchmarks/store_bench.py [--urls 3000] [--checks 100000] [--scale 1.0] [--days 7]

1. **Reuse.** `linkaudit check --max-age 1d` twice on the check benchmark's simulated web (`simulated_web.py`,
   `--urls` distinct URLs on 50 hosts with real latencies, loopback only): the second run should send no
   request at all and take a small share of the first's wall time (issue 8: at most 10%).
2. **Size.** The first run's evidence (real probes of that web, as the store keeps it) given to
   `--checks` distinct URLs of the benchmark archive (`corpus.py`, the real archive's shape, ~103,000
   distinct URLs at full scale), recorded as `check` records them (one transaction each); then the same
   URLs checked again with the same answers (a daily run on an archive that did not change). Each URL's
   evidence is made its own where it would be in reality (a body's fingerprint, a redirect's target), so
   only what is truly the same from URL to URL (a HEAD answered 200 by the same server) is kept once.
   Reported: the file's size per 100k first checks and per 100k repeated checks, and the CPU per record.
3. **Pruning.** The same URLs checked every night for `--days` nights, then `linkaudit store prune --keep
   3d` (what `linkaudit.store.prune` does): the checks and the file's size before and after.

Nothing is fetched; when `unshare -rn` works, part 1 runs with loopback as the only network.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from corpus import build_archive
from simulated_web import plan_web, start_web, write_articles
from tools import tool_path

from linkaudit.extract import collect_inputs, extract_files
from linkaudit.models import Evidence, Judgement, TargetStatus, Verdict
from linkaudit.store import CheckLog, Store
from linkaudit.store.prune import prune

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "store"
DEFAULT_SAMPLE = HERE.parent.parent / "shared" / "corpus" / "archive-sample"
MB = 1_000_000


def check_twice(urls: int) -> tuple[list[float], list[int], Path]:
    """Wall time and requests sent of two `check --max-age 1d` runs on one simulated web; the store."""
    plan = plan_web(urls)
    store = WORK / "reuse.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    web, addresses = start_web(plan)
    walls: list[float] = []
    sent: list[int] = []
    try:
        articles = WORK / "articles"
        write_articles(plan, addresses, articles)
        command = [
            tool_path("linkaudit"),
            "check",
            str(articles),
            "--quiet",
            "--format",
            "json",
            "--output",
            str(WORK / "report.json"),
            "--resolve",
            "*:nxdomain",
            "--allow-private-net",
            "127.0.0.0/8",
            "--host-interval",
            "0.05",
            "--store",
            str(store),
            "--max-age",
            "1d",
        ]
        for _ in range(2):
            before = sum(web.stats(host.name).requests for host in plan.hosts if not host.refuses)
            started = time.perf_counter()
            subprocess.run(command, check=False, stdout=subprocess.DEVNULL)
            walls.append(time.perf_counter() - started)
            sent.append(
                sum(web.stats(host.name).requests for host in plan.hosts if not host.refuses) - before
            )
    finally:
        web.stop()
    return walls, sent, store


def archive_urls(scale: float, sample: Path | None, wanted: int) -> list[str]:
    """Distinct http(s) URLs of the benchmark archive, in citation order."""
    info = build_archive(
        HERE / "work" / f"archive-{'sample' if sample else 'synthetic'}-{scale:g}", scale, sample
    )
    files, _ = collect_inputs([info.path], extensions=["md"])
    seen: dict[str, None] = {}
    for occ in extract_files(files).occurrences:
        if occ.target.status is TargetStatus.OK and occ.target.is_http:
            seen[occ.target.url] = None
    urls = list(seen)
    while len(urls) < wanted:  # a smaller archive: more URLs of the same shape
        urls += [f"{url}?copy={len(urls) // len(seen)}" for url in seen][: wanted - len(urls)]
    return urls[:wanted]


def own(evidence: Evidence, url: str) -> Evidence:
    """The sample's evidence as it would be for `url`: its body's fingerprint and redirect target its own."""
    fingerprint = hashlib.sha256(f"{evidence.fingerprint}{url}".encode()).hexdigest()[:16]
    final = evidence.final_url
    moved = final is not None and final != evidence.url
    return dataclasses.replace(
        evidence,
        url=url,
        fingerprint=fingerprint if evidence.fingerprint else None,
        final_url=f"{url.rstrip('/')}/moved" if moved else url if final is not None else None,
    )


def record_all(
    store_path: Path, urls: list[str], samples: list[tuple[Evidence, Judgement]], at: int
) -> float:
    """Record one check of every URL (a run), as `check` does; the CPU seconds it took."""
    started = time.process_time()
    with Store.open(store_path) as store:
        run = store.begin_run(at)
        log = CheckLog(store)
        for n, url in enumerate(urls):
            evidence, judgement = samples[n % len(samples)]
            log.record(
                run_id=run, checked_at=at, judgement=judgement, evidence=own(evidence, url), wants_image=False
            )
        store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return time.process_time() - started


def _no_network() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare is None or os.environ.get("STORE_BENCH_NETNS"):
        return []
    script = 'ip link set lo up && exec "$@"'
    ok = subprocess.run([unshare, "-rn", "sh", "-c", script, "sh", "true"], capture_output=True, check=False)
    return [unshare, "-rn", "sh", "-c", script, "sh"] if ok.returncode == 0 else []


def main(argv: Sequence[str] | None = None) -> None:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--urls", type=int, default=3000, help="distinct URLs of the simulated web (part 1)")
    parser.add_argument("--checks", type=int, default=100_000, help="checks recorded per run (part 2)")
    parser.add_argument("--scale", type=float, default=1.0, help="size of the archive the URLs come from")
    parser.add_argument("--sample", type=Path, default=None, help=f"real sample [default: {DEFAULT_SAMPLE}]")
    parser.add_argument("--days", type=int, default=7, help="nightly runs recorded before pruning (part 3)")
    args = parser.parse_args(args_list)
    prefix = _no_network()
    if prefix:  # part 1 talks to loopback only: run everything inside a namespace without other networks
        env = {**os.environ, "STORE_BENCH_NETNS": "1"}
        command = [*prefix, sys.executable, str(Path(__file__).resolve()), *args_list]
        raise SystemExit(subprocess.run(command, env=env, check=False).returncode)
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"python benchmarks/store_bench.py {' '.join(args_list)}")
    isolated = "loopback only (unshare -rn)" if os.environ.get("STORE_BENCH_NETNS") else "not isolated"
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}; network: {isolated}")

    walls, sent, reuse_store = check_twice(args.urls)
    print(f"\n1. check --max-age 1d twice on a simulated web of {args.urls:,} URLs:")
    print(f"   first run {walls[0]:.2f} s, {sent[0]:,} requests;", end=" ")
    print(f"second run {walls[1]:.2f} s, {sent[1]:,} requests")
    print(f"   second / first: {walls[1] / walls[0]:.1%} of the wall time")

    with Store.open(reuse_store) as store:
        rows = store.connection.execute(
            "SELECT u.url, c.verdict, c.reason, e.body FROM checks c JOIN urls u ON u.id = c.url_id "
            "JOIN evidence e ON e.id = c.evidence_id ORDER BY c.id"
        ).fetchall()
    from linkaudit.store.evidence import decode_evidence  # noqa: PLC0415 - the store's own reading

    samples = [
        (decode_evidence(url, body, "")[0], Judgement(Verdict(verdict), reason))
        for url, verdict, reason, body in rows
    ]
    sample = args.sample or (DEFAULT_SAMPLE if DEFAULT_SAMPLE.is_dir() else None)
    urls = archive_urls(args.scale, sample, args.checks)
    path = WORK / "size.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    Store.open(path).close()
    empty = path.stat().st_size
    first_cpu = record_all(path, urls, samples, 1_740_787_200)
    first = path.stat().st_size
    again_cpu = record_all(path, urls, samples, 1_740_787_200 + 86_400)
    again = path.stat().st_size
    per = 100_000 / len(urls)
    average = sum(len(url) for url in urls) / len(urls)
    print(f"\n2. store size, {len(urls):,} distinct archive URLs (average {average:.0f} characters),")
    print(f"   evidence from the {len(samples):,} checks of part 1:")
    for name, grown, cpu in (
        ("first checks", first - empty, first_cpu),
        ("repeated checks", again - first, again_cpu),
    ):
        print(
            f"   {name}: {grown * per / MB:.1f} MB per 100k ({grown / len(urls):.0f} B each); "
            f"recording {cpu / len(urls) * 1e6:.0f} µs CPU each (one transaction per check)"
        )

    # 3. A week of nightly runs, then `linkaudit store prune --keep 3d`: the checks of the last three days
    # and each URL's latest stay.
    day = 86_400
    start = 1_740_787_200
    for night in range(2, args.days):
        record_all(path, urls, samples, start + night * day)
    with Store.open(path) as store:
        store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        kept_before = store.connection.execute("SELECT COUNT(*) FROM checks").fetchone()[0]
        before = path.stat().st_size
        started = time.perf_counter()
        done = prune(store, older_than=start + (args.days - 1) * day - 3 * day)
        took = time.perf_counter() - started
        kept_after = store.connection.execute("SELECT COUNT(*) FROM checks").fetchone()[0]
    print(f"\n3. {args.days} nightly runs of those URLs, then store prune --keep 3d:")
    print(
        f"   {kept_before:,} checks, {before / MB:.1f} MB -> {kept_after:,} checks, "
        f"{done.bytes_after / MB:.1f} MB ({done.checks:,} checks and {done.evidence:,} evidence bodies "
        f"removed) in {took:.1f} s"
    )


if __name__ == "__main__":
    main()
