"""Hostile servers, measured: each case's verdict, time and peak RSS, one case per process.

Why a script and not a timed test: peak memory is only meaningful for a whole process, and the cases
at the scale the issue reproduced them (a slow redirect chain with `--timeout 5`, `--max-redirects
100000`, 5,000 URLs on a silent host beside 20,000 on a name that does not exist) take seconds to a
minute each. The tests (tests/check/test_faults.py) run the same catalogue at a small scale and assert
the verdicts; this prints what each costs:

    python benchmarks/fault_bench.py                 # every case (about 2 minutes)
    python benchmarks/fault_bench.py --only dead     # the cases whose name contains "dead"

Each case runs in a child process (`--case NAME`), which prints its result as JSON; the parent reads
the child's peak RSS from `wait4`. Every server is on loopback, every name resolved by linkaudit's own
resolver: nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

import trio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "check"))  # the fault servers and their catalogue

from fault_cases import CASES, LOOPBACK, run_case  # noqa: E402
from faults import FaultServer, Handler, RawRequest, reset, respond  # noqa: E402

from linkaudit.check import CheckItem, check_targets  # noqa: E402
from linkaudit.check.resolve import Resolver  # noqa: E402
from linkaudit.models import LinkKind, Occurrence, UrlResult  # noqa: E402
from linkaudit.report.serialize import url_result_dict  # noqa: E402
from linkaudit.settings import CheckSettings  # noqa: E402
from linkaudit.urls import normalize  # noqa: E402

Outcome = dict[str, object]


def _items(urls: list[str]) -> list[CheckItem]:
    items = []
    for url in urls:
        target = normalize(url)
        occ = Occurrence(
            file="a.md", line=1, column=1, start=0, end=1, kind=LinkKind.LINK, raw=url, target=target
        )
        items.append(CheckItem(target, (occ,)))
    return items


async def _check(
    urls: list[str], settings: CheckSettings, hosts: Mapping[str, str | None]
) -> list[UrlResult]:
    results: list[UrlResult] = []
    resolver = Resolver({**hosts, "*": None}, system=False)
    await check_targets(_items(urls), settings, on_result=results.append, resolver=resolver)
    return results


def _summary(results: list[UrlResult], elapsed: float, **extra: object) -> Outcome:
    verdicts = Counter(f"{r.judgement.verdict.value} {r.judgement.reason}" for r in results)
    report_bytes = sum(len(json.dumps(url_result_dict(r))) for r in results)
    return {"verdicts": dict(verdicts), "seconds": round(elapsed, 2), "report_bytes": report_bytes, **extra}


async def _serve_and_check(
    handler: Handler, urls: list[str], settings: CheckSettings, names: list[str] | None = None
) -> Outcome:
    """Check `urls` with their host names (or only `names`) resolved to one server answering `handler`."""
    names = names if names is not None else sorted({normalize(url).host for url in urls})
    with FaultServer(handler) as server:
        started = time.monotonic()
        results = await _check(urls, settings, dict.fromkeys(names, server.address))
        elapsed = time.monotonic() - started
        requests = len(server.requests)
    return _summary(results, elapsed, requests=requests)


async def slow_chain() -> Outcome:
    """The issue's case: 4 s per redirect hop, a reset at hop 10, --timeout 5 (took 329 s, 88 attempts)."""

    def answer(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
        hop = int(request.target.removeprefix("/hop"))
        if hop >= 10:
            reset(conn)
            return
        server.stopping.wait(4)
        respond(conn, 302, headers={"Location": f"/hop{hop + 1}"})

    return await _serve_and_check(
        answer, ["http://slow.example/hop0"], CheckSettings(timeout=5, allow_private_nets=LOOPBACK)
    )


async def endless_redirects() -> Outcome:
    """The issue's case: --max-redirects 100000, endless redirects (took 545 s, 634 MB, a 194 MB report)."""

    def answer(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
        hop = int(request.target.split("?")[0].removeprefix("/r"))
        respond(conn, 301, headers={"Location": f"/r{hop + 1}?pad={'p' * 60_000}"})

    settings = CheckSettings(timeout=5, max_redirects=100_000, allow_private_nets=LOOPBACK)
    return await _serve_and_check(answer, ["http://endless.example/r0"], settings)


async def many_hosts_long_locations() -> Outcome:
    """The issue's case: 300 hosts each redirecting 10 times with 60 KB Locations (the pools' KeyError)."""

    def answer(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
        hop = int(request.target.split("?")[0].removeprefix("/r"))
        if hop >= 10:
            respond(conn, 200, b"<p>end</p>", {"Content-Type": "text/html"})
        else:
            respond(conn, 302, headers={"Location": f"/r{hop + 1}?pad={'p' * 60_000}"})

    return await _serve_and_check(
        answer, [f"http://h{n}.example/r0" for n in range(300)], CheckSettings(allow_private_nets=LOOPBACK)
    )


async def dead_hosts() -> Outcome:
    """5,000 URLs on a host that accepts and never answers, 20,000 on a name that does not exist; defaults."""

    def swallow(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
        server.stopping.wait()

    urls = [f"http://silent.example/story/{n}" for n in range(5_000)]
    urls += [f"http://gone.example/story/{n}" for n in range(20_000)]
    return await _serve_and_check(
        swallow, urls, CheckSettings(allow_private_nets=LOOPBACK), names=["silent.example"]
    )


def _catalogue(case_name: str) -> Callable[[], Awaitable[Outcome]]:
    (case,) = [case for case in CASES if case.name == case_name]

    async def run() -> Outcome:
        result, elapsed = await run_case(case)
        return _summary([result], elapsed)

    return run


SCALED: dict[str, Callable[[], Awaitable[Outcome]]] = {
    "issue: 4 s per hop, reset at hop 10, --timeout 5": slow_chain,
    "issue: --max-redirects 100000, --timeout 5": endless_redirects,
    "issue: 300 hosts x 10 redirects, 60 KB Locations": many_hosts_long_locations,
    "dead hosts: 5,000 URLs silent + 20,000 NXDOMAIN, defaults": dead_hosts,
}


def all_cases() -> dict[str, Callable[[], Awaitable[Outcome]]]:
    cases = {f"fault: {case.name}": _catalogue(case.name) for case in CASES}
    return {**cases, **SCALED}


def child(name: str) -> None:
    outcome = trio.run(all_cases()[name])
    print(json.dumps(outcome))


def _run_child(name: str) -> tuple[int, bytes, str, int]:
    """Run one case in a process of its own: exit code, stdout, last stderr line, peak RSS in bytes."""
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--case", name], stdout=subprocess.PIPE, stderr=errors, cwd=ROOT
        )
        assert proc.stdout is not None
        stdout = proc.stdout.read()
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own peak, not the largest child's so far
        proc.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        last = (errors.read().decode(errors="replace").strip().splitlines() or [""])[-1]
    return proc.returncode, stdout, last, usage.ru_maxrss * 1024


def parent(only: str | None) -> None:
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    print("| case | verdicts | seconds | peak RSS | report |")
    print("|---|---|---:|---:|---:|")
    for name in all_cases():
        if only and only not in name:
            continue
        code, stdout, error, peak = _run_child(name)
        if code != 0:
            print(f"| {name} | FAILED (exit {code}): {error} | | | |", flush=True)
            continue
        outcome = json.loads(stdout)
        verdicts = ", ".join(f"{count:,} {verdict}" for verdict, count in outcome.pop("verdicts").items())
        seconds, report = outcome.pop("seconds"), outcome.pop("report_bytes")
        extra = "".join(f"; {key.replace('_', ' ')} {value:,}" for key, value in outcome.items())
        print(
            f"| {name} | {verdicts}{extra} | {seconds:.1f} | {peak / 2**20:.0f} MB | {report:,} B |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--case", help="run one case (in this process) and print its outcome as JSON")
    parser.add_argument("--only", help="run the cases whose name contains this")
    args = parser.parse_args()
    if args.case:
        child(args.case)
    else:
        parent(args.only)


if __name__ == "__main__":
    main()
