"""Benchmark `linkaudit check` side by side with lychee on a simulated web on loopback.

Why a script and not a timed test: what matters (wall time against the physical limit of a polite
checker, politeness as the servers saw it, every verdict against the truth, peak memory of the whole
process tree, growth with size) takes a web of thousands of URLs and is only meaningful beside a
reference tool run on the same machine in the same run. The goals (issue 3): wall time at most 1.2x the
lower bound and below lychee's, no politeness violation, every verdict right, 100,000 distinct URLs
within 400 MB, time growing linearly.

    python benchmarks/check_bench.py                  # 3,000 URLs, both tools once (about a minute)
    python benchmarks/check_bench.py --runs 3         # each tool 3 times, interleaved; medians
    python benchmarks/check_bench.py --scaling 10000,30000,100000 --tools linkaudit   # about 8 minutes
    python benchmarks/check_bench.py --web varied     # issue 12's web: varied latencies, strict hosts
    python benchmarks/check_bench.py --tools linkaudit,linkaudit-headtrust,lychee   # one lever out
    python benchmarks/check_bench.py --timeline work/timeline   # each linkaudit run's timeline

Timings are only worth as much as the machine is quiet: each run prints the load average it started
at, and `--runs` interleaves the tools so that a busy minute hurts both alike.

The web (`simulated_web.py`): 50 hosts, 3,000 distinct URLs cited 5,000 times in 500 Markdown articles
under `benchmarks/work/check/` (git-ignored), 20-200 ms latency per host, live pages and images, 404,
410, 403, 301/302/308 redirects, a trailing-slash redirect, redirect loops, image URLs answering HTML,
429 then 200, 503 then 200, slow pages, a URL rate-limited for good and a host refusing connections;
every fifth host answers 429 to a fifth request in flight, every fifth (offset) to a 21st request within
a second. Soft rot (issue 7): a section answering 200 "Page not found" for the pages it lacks,
deep links redirected to `/`, two parked domains; linkaudit runs with soft rot on (`linkaudit`) and off
(`linkaudit-plain`, `--no-soft`) in the same run, so the time and requests it costs are measured.
Each tool gets a fresh server, so counters and scripted sequences start over. The articles cite
the hosts as IP literals (`http://127.0.0.N:PORT/...`), so neither tool needs DNS (lychee cannot use
linkaudit's resolver); linkaudit also gets `--resolve '*:nxdomain'`, so no name could reach the system
resolver. When `unshare -rn` works, the whole benchmark re-runs itself in a network namespace whose only
interface is loopback: nothing can leave the machine.

The varied web (`--web varied`, issue 12): latencies 20-500 ms, every host strict (4 in flight, 20 a
second, 429 beyond), a sixth answering HEAD 405, timeouts, 3-hop chains, shared redirect targets, 503
with and without Retry-After; both tools get `--timeout 5` and 2 retries there.

A tool named `linkaudit-LEVER[+LEVER]` is linkaudit without those levers of issue 12 (`ablate.py`), run
beside the whole checker, so that what each lever is worth is measured in the same run.

With `--timeline DIR`, each linkaudit run also writes its timeline (`--timeline`, every request's times
and waits per host) to DIR/RUN.json, and the benchmark prints a summary of its critical path
(`timeline_summary.py`).

Both tools run with the web's limits and the same retry policy:

    linkaudit check --host-concurrency 4 --host-interval 0.05 --concurrency 64 --retries 3 --timeout 20
    lychee --host-concurrency 4 --host-request-interval 50ms --max-concurrency 64 --max-retries 3
           --retry-wait-time 1 --timeout 20

The global limit is linkaudit's default, 64, for both: all the web's work divided by 64 (1.7 s at 256,
6.6 s at 64) stays far below what the busiest host needs, so per-host limits set the bound.
`--concurrency` changes it for both.
lychee has no equivalent of linkaudit's separate patience with 429 (linkaudit retries a slow-down answer
up to 8 times, honouring Retry-After, then says `rate-limited`); `--max-retries 3` is the closest.

The lower bound (`lower_bound.py`, fed by `simulated_web.needs`): per host, with K requests in flight,
R starts per second, n minimal requests (one per redirect hop, repeats of the 429/503 URLs, every attempt
of a timeout) whose times sum to W:

    T_host = max(W / K,  (n - 1) / R + min latency,  longest chain of forced waits of one URL)

where a chain is e.g. L + Retry-After + L for a 429 then 200, or 3 x the timeout for a URL that never
answers. The bound is max over hosts of T_host (and of total work / global limit). It ignores connection
set-up, CPU, extraction and start-up, so a real run can approach it but never beat it. Each run is shown
as wall / bound, requests per URL (the bound's own figure beside it) and CPU per request.

Politeness is judged by the servers: the most requests in flight at one host (goal <= 4), starts closer
than the interval minus `--gap-tolerance` (the server stamps a request when its loop reads it, and a busy
loop delays one stamp and not the next: under load that alone makes gaps of 30-45 ms), of those the ones
"bunched" closer than a fifth of the interval (which jitter does not explain) and the ones whose later
request followed a redirect (lychee follows redirects inside its HTTP client, past its per-host limiter),
and 429s the hosts' limits provoked (scripted 429s excluded). Memory is
sampled every 20 ms over the whole process tree (linkaudit extracts in a process pool): the peak of the
summed PSS (shared pages split between processes) and RSS; `wait4` adds the largest single process.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ablate import LEVERS
from lower_bound import Bound
from proctree import PeakSampler
from simulated_web import Behaviour, WebPlan, lower_bound, plan_web, start_web, write_articles
from timeline_summary import summarize
from tools import tool_path

from linkaudit.demo.simweb import SimWeb

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "check"
MB = 1_000_000
_NETNS_MARK = "LINKAUDIT_BENCH_NETNS"
VERDICTS = ("live", "redirected", "dead", "soft-dead", "usurped", "blocked", "rate-limited", "unreachable")
#: The tools: linkaudit as it runs by default (soft rot on), linkaudit --no-soft, and lychee.
TOOLS = ("linkaudit", "linkaudit-plain", "lychee")


@dataclass(frozen=True, slots=True)
class Limits:
    """The politeness and retry settings both tools get."""

    host_concurrency: int = 4
    interval: float = 0.05
    concurrency: int = 64
    retries: int = 3
    retry_wait: float = 1.0
    timeout: float = 20.0


@dataclass(slots=True)
class Politeness:
    """What the servers saw of one tool."""

    requests: int = 0
    connections: int = 0
    max_in_flight: int = 0
    hosts_over_limit: list[str] = field(default_factory=list)
    close_starts: int = 0  # closer than the interval minus the tolerance
    bunched: int = 0  # of those, closer than a fifth of the interval: no scheduling jitter explains that
    close_after_hop: int = 0  # of those, the later request followed a redirect (not a cited URL)
    min_gap: float | None = None
    provoked_429: int = 0
    provoked_by: dict[str, int] = field(default_factory=dict)  # host (its limit) -> 429s
    own_spacing: float = 0.0  # (requests - 1) x interval at the host it asked most: its own protocol's floor

    @property
    def violations(self) -> int:
        return len(self.hosts_over_limit) + self.close_starts + self.provoked_429


@dataclass(slots=True)
class ToolRun:
    tool: str
    command: list[str]
    urls: list[str]  # as this run's articles cite them, in plan order
    timeline: str | None = None  # the summary of its critical path, when recorded
    load: float = 0.0  # the machine's 1-minute load average as the run began
    wall: float = 0.0
    cpu: float = 0.0
    reported: float | None = None  # the tool's own figure for its check stage, when it gives one
    peak_pss: int = 0
    peak_rss: int = 0
    max_rss_single: int = 0
    exit_code: int = 0
    links: int = 0
    verdicts: list[str] = field(default_factory=list)  # in plan order
    politeness: Politeness = field(default_factory=Politeness)


# The tools.


def _seconds(value: float) -> str:
    return f"{value:g}"


def linkaudit_command(articles: Path, report: Path, limits: Limits, without: str = "") -> list[str]:
    """`without`: levers taken out (`ablate.py`), '+'-separated."""
    start = [tool_path("linkaudit")]
    if without:
        start = [sys.executable, str(HERE / "ablate.py"), without.replace("+", ","), "--"]
    return [
        *start,
        "check",
        str(articles),
        "--format",
        "json",
        "--output",
        str(report),
        "--quiet",
        "--host-concurrency",
        str(limits.host_concurrency),
        "--host-interval",
        _seconds(limits.interval),
        "--concurrency",
        str(limits.concurrency),
        "--retries",
        str(limits.retries),
        "--timeout",
        _seconds(limits.timeout),
        "--max-redirects",
        "10",
        # Every name is "not found": the articles cite IP literals, and no query may reach the system DNS.
        "--resolve",
        "*:nxdomain",
        # The simulated web is on loopback, which the private-network guard refuses unless allowed.
        "--allow-private-net",
        "127.0.0.0/8",
        # The checker alone, as before the history store (its cost and savings: store_bench.py).
        "--no-store",
    ]


def lychee_command(articles: Path, report: Path, limits: Limits) -> list[str]:
    return [
        tool_path("lychee"),
        str(articles),
        "--format",
        "json",
        "--output",
        str(report),
        "--no-progress",
        # The articles live in a git-ignored folder, which lychee would otherwise skip.
        "--no-ignore",
        "--host-concurrency",
        str(limits.host_concurrency),
        "--host-request-interval",
        f"{round(limits.interval * 1_000_000)}us",
        "--max-concurrency",
        str(limits.concurrency),
        "--max-retries",
        str(limits.retries),
        "--retry-wait-time",
        str(max(1, round(limits.retry_wait))),  # whole seconds only
        "--timeout",
        str(max(1, round(limits.timeout))),
        "--max-redirects",
        "10",
    ]


def _run(command: list[str], log: Path) -> tuple[float, float, int, int, int, int]:
    """(wall, cpu, peak tree RSS, peak tree PSS, largest process RSS, exit code) of one command."""
    with open(log, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=log.parent, stdout=subprocess.DEVNULL, stderr=err)
        sampler = PeakSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.done.set()
        sampler.join()
    return (
        wall,
        usage.ru_utime + usage.ru_stime,
        sampler.peak_rss,
        sampler.peak_pss,
        usage.ru_maxrss * 1024,
        proc.returncode,
    )


def _politeness(web: SimWeb, plan: WebPlan, limits: Limits, tolerance: float) -> Politeness:
    seen = Politeness()
    gaps: list[float] = []
    cited: dict[int, set[str]] = {}
    for planned in plan.urls:
        cited.setdefault(planned.host, set()).add(planned.path)
    for k, host in enumerate(plan.hosts):
        if host.refuses:
            continue
        stats = web.stats(host.name)
        seen.requests += stats.requests
        seen.connections += stats.connections
        seen.max_in_flight = max(seen.max_in_flight, stats.max_in_flight)
        if stats.max_in_flight > limits.host_concurrency:
            seen.hosts_over_limit.append(f"{host.name} ({stats.max_in_flight})")
        log = sorted(stats.log, key=lambda record: record.time)
        for first, second in itertools.pairwise(log):
            gap = second.time - first.time
            gaps.append(gap)
            if gap < limits.interval - tolerance:
                seen.close_starts += 1
                seen.bunched += gap < limits.interval / 5
                seen.close_after_hop += second.path not in cited.get(k, set())
        seen.provoked_429 += stats.rejected
        seen.own_spacing = max(seen.own_spacing, (stats.requests - 1) * limits.interval)
        if stats.rejected:
            limit = f"{host.max_inflight} in flight" if host.max_inflight else f"{host.max_per_second}/s"
            seen.provoked_by[f"{host.name} ({limit})"] = stats.rejected
    seen.min_gap = min(gaps, default=None)
    return seen


def _linkaudit_verdicts(report: Path, urls: list[str]) -> tuple[list[str], int, float | None]:
    data = json.loads(report.read_text(encoding="utf-8"))
    found = {entry["url"]: entry["verdict"] for entry in data["urls"]}
    # A URL missing from the report is a failure of its own.
    verdicts = [found.get(url, "missing") for url in urls]
    return verdicts, int(data["summary"]["links"]), float(data["elapsed_s"])


def _lychee_verdicts(report: Path, urls: list[str]) -> tuple[list[str], int, float | None]:
    """lychee lists failures only (per file); every other URL it found is a success."""
    data = json.loads(report.read_text(encoding="utf-8"))
    failed: dict[str, str] = {}
    for key in ("error_map", "timeout_map"):
        for entries in (data.get(key) or {}).values():
            for entry in entries:
                status = entry.get("status") or {}
                text = str(status.get("text", "error"))
                if "cached" not in text.lower() or entry["url"] not in failed:
                    failed[entry["url"]] = text
    verdicts = [("failed: " + failed[url]) if url in failed else "ok" for url in urls]
    duration = data.get("duration")
    reported = (
        float(duration["secs"]) + duration.get("nanos", 0) / 1e9 if isinstance(duration, dict) else None
    )
    return verdicts, int(data.get("total", 0)), reported


def _is_linkaudit(tool: str) -> bool:
    return tool == "linkaudit" or tool.startswith("linkaudit-")


def run_tool(
    tool: str, plan: WebPlan, limits: Limits, tolerance: float, timeline: Path | None = None
) -> ToolRun:
    """One tool against a fresh server: timed, sampled, and judged by what the hosts saw."""
    folder = WORK / tool
    folder.mkdir(parents=True, exist_ok=True)
    report = folder / "report.json"
    report.unlink(missing_ok=True)
    web, addresses = start_web(plan)
    try:
        articles = folder / "articles"
        write_articles(plan, addresses, articles)
        if tool == "linkaudit-plain":  # plain checking: no page read, no random sibling
            command = [*linkaudit_command(articles, report, limits), "--no-soft"]
        elif _is_linkaudit(tool):
            command = linkaudit_command(articles, report, limits, tool.removeprefix("linkaudit").lstrip("-"))
        else:
            command = lychee_command(articles, report, limits)
        if _is_linkaudit(tool) and timeline is not None:
            command += ["--timeline", str(timeline)]
        run = ToolRun(tool, command, [plan.url(k, addresses) for k in range(len(plan.urls))])
        run.load = os.getloadavg()[0]
        # The server stamps each request as its loop reads it: a collection pausing that loop would make
        # two requests that arrived 50 ms apart look closer. Its garbage is freed by reference counting.
        gc.freeze()
        gc.disable()
        try:
            run.wall, run.cpu, run.peak_rss, run.peak_pss, run.max_rss_single, run.exit_code = _run(
                command, folder / "stderr.log"
            )
        finally:
            gc.enable()
            gc.unfreeze()
        run.politeness = _politeness(web, plan, limits, tolerance)
        if web.errors:
            print(
                f"warning: the simulated web itself failed {len(web.errors)} times:\n{web.errors[0]}",
                file=sys.stderr,
            )
    finally:
        web.stop()
    if not report.exists():
        tail = (folder / "stderr.log").read_text(errors="replace")[-2000:]
        raise SystemExit(f"{tool} wrote no report (exit {run.exit_code}):\n{tail}")
    parse = _linkaudit_verdicts if _is_linkaudit(tool) else _lychee_verdicts
    run.verdicts, run.links, run.reported = parse(report, run.urls)
    run.command = [Path(command[0]).name, *command[1:]]
    if timeline is not None and timeline.exists():
        names = {
            address.split(":")[0]: host.name for address, host in zip(addresses, plan.hosts, strict=True)
        }
        run.timeline = summarize(json.loads(timeline.read_text()), names=names)
    return run


# The report.


def _mb(value: float) -> str:
    return f"{value / MB:,.0f} MB"


def summary_table(runs: list[ToolRun], bound: Bound) -> str:
    rows = [
        "| | load | wall | own check time | × bound | CPU | peak PSS (tree) | peak RSS (tree) "
        "| largest process "
        "| requests | per URL | CPU per request | connections | max in flight "
        "| starts too close: all, bunched, after a redirect (min gap) "
        "| 429 provoked |",
        "|---" * 16 + "|",
    ]
    for run in runs:
        p = run.politeness
        gap = f"{p.min_gap * 1000:.1f} ms" if p.min_gap is not None else "-"
        reported = f"{run.reported:.2f} s" if run.reported is not None else "-"
        ratio = run.wall / bound.seconds
        per_url = p.requests / max(1, len(run.urls))
        per_request = run.cpu / max(1, p.requests) * 1000
        rows.append(
            f"| {run.tool} | {run.load:.1f} | {run.wall:.2f} s | {reported} | {ratio:.2f}× | {run.cpu:.1f} s "
            f"| {_mb(run.peak_pss)} | {_mb(run.peak_rss)} | {_mb(run.max_rss_single)} | {p.requests:,} "
            f"| {per_url:.3f} | {per_request:.2f} ms | {p.connections:,} | {p.max_in_flight} "
            f"| {p.close_starts}, {p.bunched}, {p.close_after_hop} ({gap}) | {p.provoked_429} |"
        )
    rows.append(
        f"| bound | | {bound.seconds:.2f} s | | 1.00× | | | | | {bound.requests:,} "
        f"| {bound.requests / max(1, bound.urls):.3f} | | | | | |"
    )
    return "\n".join(rows)


def _truth(run: ToolRun, behaviour: Behaviour) -> str:
    """What a correct linkaudit says: with soft rot, or (`--no-soft`) from the answer alone."""
    return behaviour.plain_verdict if run.tool == "linkaudit-plain" else behaviour.verdict


def confusion_table(run: ToolRun, truth: list[Behaviour]) -> tuple[str, int]:
    """Truth in rows, linkaudit's verdict in columns; returns the table and the number of wrong verdicts."""
    counts: Counter[tuple[str, str]] = Counter(
        (_truth(run, behaviour), got) for behaviour, got in zip(truth, run.verdicts, strict=True)
    )
    columns = list(VERDICTS) + sorted({got for _, got in counts} - set(VERDICTS))
    rows = ["| truth \\ linkaudit | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for want in VERDICTS:
        cells = [str(counts[(want, got)]) if counts[(want, got)] else "·" for got in columns]
        rows.append(f"| **{want}** | " + " | ".join(cells) + " |")
    wrong = sum(n for (want, got), n in counts.items() if want != got)
    return "\n".join(rows), wrong


def _lychee_expected(behaviour: Behaviour) -> str | None:
    """What lychee should say where its yes/no is comparable: `ok` for live and redirected, `failed` for
    dead and unreachable. lychee has no blocked or rate-limited, and does not look at image content."""
    verdict = behaviour.verdict
    if verdict in ("live", "redirected"):
        return "ok"
    if verdict in ("dead", "unreachable"):
        return "failed"
    return None


def _right(run: ToolRun, behaviour: Behaviour, got: str) -> bool | None:
    if _is_linkaudit(run.tool):
        return got == _truth(run, behaviour)
    expected = _lychee_expected(behaviour)
    return None if expected is None else got.startswith(expected)


def behaviour_table(runs: list[ToolRun], truth: list[Behaviour]) -> str:
    """Per behaviour: how many each tool got right, and what lychee said most often."""
    names = [run.tool for run in runs]
    rows = [
        "| behaviour | URLs | truth | " + " | ".join(f"{name} right" for name in names) + " | lychee said |",
        "|---" * (4 + len(names)) + "|",
    ]
    lychee = next((run for run in runs if run.tool == "lychee"), None)
    for behaviour in Behaviour:
        indexes = [k for k, b in enumerate(truth) if b is behaviour]
        if not indexes:
            continue
        cells: list[str] = []
        for run in runs:
            judged = [_right(run, behaviour, run.verdicts[k]) for k in indexes]
            cells.append("n/a" if judged[0] is None else f"{sum(1 for j in judged if j)}/{len(indexes)}")
        said = "-"
        if lychee is not None:
            kinds = Counter(lychee.verdicts[k].removeprefix("failed: ")[:48] for k in indexes)
            said = "; ".join(f"{text} ×{n}" for text, n in kinds.most_common(2))
        rows.append(
            f"| {behaviour.value} | {len(indexes)} | {behaviour.verdict} | "
            + " | ".join(cells)
            + f" | {said} |"
        )
    return "\n".join(rows)


def _wrong_examples(run: ToolRun, truth: list[Behaviour], limit: int = 8) -> list[str]:
    return [
        f"  {run.urls[k]}: {behaviour.value}, expected {_truth(run, behaviour)}, got {run.verdicts[k]}"
        for k, behaviour in enumerate(truth)
        if run.verdicts[k] != _truth(run, behaviour)
    ][:limit]


def describe_web(plan: WebPlan, bound: Bound, limits: Limits) -> str:
    hosts = len(plan.hosts)
    return (
        f"web: {'varied' if plan.varied else 'project'}, {hosts} hosts, {len(plan.urls):,} distinct URLs "
        f"cited {plan.citations:,} times in {len(plan.articles):,} articles; latency "
        f"{min(h.latency for h in plan.hosts) * 1000:.1f}-"
        f"{max(h.latency for h in plan.hosts) * 1000:.0f} ms; "
        f"limits {limits.host_concurrency} in flight, {limits.interval * 1000:g} ms apart; "
        f"timeout {limits.timeout:g} s, {limits.retries} retries\n{bound.describe()}"
    )


def compare(
    plan: WebPlan,
    limits: Limits,
    tools: list[str],
    tolerance: float,
    repeat: int,
    *,
    timelines: Path | None = None,
) -> dict[str, Any]:
    """Each tool `repeat` times, interleaved (so a busy minute on the machine hurts both alike)."""
    bound = lower_bound(
        plan,
        host_concurrency=limits.host_concurrency,
        interval=limits.interval,
        concurrency=limits.concurrency,
        retries=limits.retries,
        retry_wait=limits.retry_wait,
        timeout=limits.timeout,
    )
    print(describe_web(plan, bound, limits), flush=True)
    runs: list[ToolRun] = []
    for n in range(repeat):
        for tool in tools:
            timeline = None
            if timelines is not None and _is_linkaudit(tool):
                timelines.mkdir(parents=True, exist_ok=True)
                timeline = (timelines / f"{tool}-{n + 1}.json").resolve()
            run = run_tool(tool, plan, limits, tolerance, timeline)
            runs.append(run)
            print(
                f"{tool}: {run.wall:.2f} s = {run.wall / bound.seconds:.2f}× the bound "
                f"(load {run.load:.1f}), exit {run.exit_code}, {run.links:,} links found",
                flush=True,
            )
            if run.timeline is not None:
                print(f"  timeline: {timeline}\n" + run.timeline, flush=True)
    truth = [planned.behaviour for planned in plan.urls]
    print()
    print(summary_table(runs, bound))
    medians = {tool: statistics.median(run.wall for run in runs if run.tool == tool) for tool in tools}
    print()
    for tool, wall in medians.items():
        own = max(run.politeness.own_spacing for run in runs if run.tool == tool)
        print(
            f"{tool}: median wall {wall:.2f} s = {wall / bound.seconds:.2f}× the bound (goal ≤ 1.2×); "
            f"its own requests to its busiest host, {limits.interval * 1000:g} ms apart, need {own:.2f} s"
        )
    if "linkaudit" in medians and "linkaudit-plain" in medians:
        on = [run for run in runs if run.tool == "linkaudit"]
        off = [run for run in runs if run.tool == "linkaudit-plain"]
        extra = statistics.median(run.politeness.requests for run in on) - statistics.median(
            run.politeness.requests for run in off
        )
        answering = sum(1 for host in plan.hosts if not host.refuses)
        print(
            f"soft rot on / off (--no-soft), median wall time: "
            f"{medians['linkaudit'] / medians['linkaudit-plain']:.2f} "
            f"({medians['linkaudit']:.2f} s / {medians['linkaudit-plain']:.2f} s); requests "
            f"{extra:+,.0f} ({extra / answering:+.1f} per host)"
        )
    if "linkaudit" in medians and "lychee" in medians:
        print(
            f"linkaudit / lychee, median wall time: {medians['linkaudit'] / medians['lychee']:.2f} (goal < 1)"
        )
    for tool in tools:
        if tool.startswith("linkaudit-") and "linkaudit" in medians:
            lost = medians[tool] - medians["linkaudit"]
            print(
                f"without {tool.removeprefix('linkaudit-')}: {lost:+.2f} s "
                f"({lost / bound.seconds:+.2f}× the bound)"
            )
    for run in runs:
        if run.politeness.provoked_by:
            hosts = ", ".join(f"{host}: {n}" for host, n in run.politeness.provoked_by.items())
            print(f"{run.tool}: 429s provoked at {hosts}")
    result: dict[str, Any] = {
        "web": "varied" if plan.varied else "project",
        "bound_s": bound.seconds,
        "bound_requests": bound.requests,
        "urls": len(plan.urls),
        "runs": [],
    }
    wrong_total = 0
    for run in runs:
        entry: dict[str, Any] = {
            "tool": run.tool,
            "load": run.load,
            "wall_s": run.wall,
            "cpu_s": run.cpu,
            "reported_s": run.reported,
            "peak_pss_mb": run.peak_pss / MB,
            "peak_rss_mb": run.peak_rss / MB,
            "largest_process_mb": run.max_rss_single / MB,
            "requests": run.politeness.requests,
            "provoked_429": run.politeness.provoked_429,
            "violations": run.politeness.violations,
            "command": run.command,
        }
        if _is_linkaudit(run.tool):
            entry["wrong"] = wrong = confusion_table(run, truth)[1]
            wrong_total += wrong
        result["runs"].append(entry)
    last = {run.tool: run for run in runs}
    for name in ("linkaudit", "linkaudit-plain"):
        if name not in last:
            continue
        table, wrong = confusion_table(last[name], truth)
        print(
            f"\n{name}'s verdicts against the truth, last run ({wrong} wrong of {len(truth):,}; "
            f"{wrong_total} wrong over all runs of linkaudit, soft on and off):\n"
        )
        print(table)
        for line in _wrong_examples(last[name], truth):
            print(line)
    print(
        "\nby behaviour, last run (lychee: `ok` expected for live and redirected, "
        "failure for dead and unreachable):\n"
    )
    print(behaviour_table(list(last.values()), truth))
    print("\ncommands (paths shortened):")
    for run in last.values():
        print("  " + " ".join(part.replace(str(WORK), "work/check") for part in run.command))
    return result


def scaling(sizes: list[int], hosts: int, limits: Limits, tolerance: float, tools: list[str]) -> None:
    """The same web at several sizes; latency and spacing shrink together so that the largest takes minutes.

    One scale for every size, so the bound grows with the web and time per URL shows whether the run is
    linear. Rare behaviours keep their 3,000-URL counts (`fixed_rarities`): their waits are whole seconds.
    At these speeds a run is CPU-bound, so what grows is the engine's own cost; spacing a few ms apart is
    within the simulated server's jitter, so only requests in flight and provoked 429s are judged here.
    """
    scale = min(1.0, 3000 / max(sizes))
    scaled = Limits(
        host_concurrency=limits.host_concurrency,
        interval=limits.interval * scale,
        concurrency=limits.concurrency,
        retries=limits.retries,
        retry_wait=limits.retry_wait,
        timeout=limits.timeout,
    )
    print(f"scaling: latency and host interval × {scale:.3g} (interval {scaled.interval * 1000:.2f} ms)\n")
    rows = [
        "| URLs | tool | load | bound | wall | × bound | µs per URL | CPU | peak PSS (tree) "
        "| peak RSS (tree) | largest process | wrong | max in flight | 429 provoked |",
        "|---" * 14 + "|",
    ]
    per_url: dict[str, list[tuple[int, float]]] = {tool: [] for tool in tools}
    for size in sizes:
        plan = plan_web(
            size, hosts=hosts, latency_scale=scale, per_second_limit=round(20 / scale), fixed_rarities=True
        )
        bound = lower_bound(
            plan,
            host_concurrency=scaled.host_concurrency,
            interval=scaled.interval,
            concurrency=scaled.concurrency,
            retries=scaled.retries,
            retry_wait=scaled.retry_wait,
        )
        for tool in tools:
            run = run_tool(tool, plan, scaled, tolerance * scale)
            truth = [planned.behaviour for planned in plan.urls]
            wrong = str(confusion_table(run, truth)[1]) if _is_linkaudit(tool) else "-"
            ratio, micros = run.wall / bound.seconds, run.wall / size * 1e6
            per_url[tool].append((size, micros))
            p = run.politeness
            rows.append(
                f"| {size:,} | {tool} | {run.load:.1f} | {bound.seconds:.1f} s | {run.wall:.1f} s "
                f"| {ratio:.2f}× | {micros:,.0f} | {run.cpu:.0f} s | {_mb(run.peak_pss)} "
                f"| {_mb(run.peak_rss)} | {_mb(run.max_rss_single)} | {wrong} | {p.max_in_flight} "
                f"| {p.provoked_429} |"
            )
            print(rows[-1], flush=True)
    print()
    print("\n".join(rows))
    for tool, points in per_url.items():
        if len(points) > 1:
            (small, first), (large, last) = points[0], points[-1]
            print(
                f"{tool}: time per URL at {large:,} URLs is {last / first:.2f}× that at {small:,} "
                "(1.00 = linear; below 1, start-up is spread over more URLs)"
            )


def _in_network_namespace(argv: Sequence[str]) -> None:
    """Re-run this script in a network namespace whose only interface is loopback, when possible."""
    if os.environ.get(_NETNS_MARK) or sys.platform != "linux":
        return
    unshare, ip = shutil.which("unshare"), shutil.which("ip")
    if unshare is None or ip is None:
        return
    script = f'{ip} link set lo up && exec "$@"'
    probe = subprocess.run(
        [unshare, "-rn", "sh", "-c", script, "sh", "true"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        return
    env = {**os.environ, _NETNS_MARK: "1"}
    command = [unshare, "-rn", "sh", "-c", script, "sh", sys.executable, str(Path(__file__).resolve()), *argv]
    raise SystemExit(subprocess.run(command, env=env, check=False).returncode)


def main(argv: Sequence[str] | None = None) -> None:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--urls", type=int, default=3000, help="distinct URLs (citations: 5/3 as many)")
    parser.add_argument("--hosts", type=int, default=50, help="hosts of the simulated web")
    parser.add_argument(
        "--latency-scale", type=float, default=1.0, help="multiply every latency (and the interval)"
    )
    parser.add_argument(
        "--tools",
        default=",".join(TOOLS),
        help="comma-separated: linkaudit (soft rot on), linkaudit-plain (--no-soft), lychee",
    )
    parser.add_argument("--scaling", default=None, help="comma-separated sizes, e.g. 10000,30000,100000")
    parser.add_argument(
        "--gap-tolerance", type=float, default=0.005, help="seconds of server-side jitter forgiven"
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="runs of each tool, interleaved (median reported)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=64, help="global limit on requests in flight, for both tools"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--web", choices=("project", "varied"), default="project", help="which simulated web (see above)"
    )
    parser.add_argument(
        "--timeline", type=Path, default=None, help="write each linkaudit run's timeline to this folder"
    )
    parser.add_argument("--allow-network", action="store_true", help="do not re-run inside `unshare -rn`")
    args = parser.parse_args(args_list)
    tools = [tool.strip() for tool in args.tools.split(",") if tool.strip()]
    levers = set(LEVERS)
    if not tools or any(
        tool not in ("linkaudit", "lychee", "linkaudit-plain")
        and not (tool.startswith("linkaudit-") and set(tool.removeprefix("linkaudit-").split("+")) <= levers)
        for tool in tools
    ):
        parser.error(
            f"--tools takes linkaudit, linkaudit-plain (--no-soft), lychee and linkaudit-LEVER[+LEVER]"
            f" ({', '.join(LEVERS)})"
        )
    if not args.allow_network:
        _in_network_namespace(args_list)
    isolated = bool(os.environ.get(_NETNS_MARK))
    lychee_version = (
        subprocess.run([tool_path("lychee"), "--version"], capture_output=True, text=True, check=False).stdout
        if "lychee" in tools
        else "lychee not run"
    )
    print(f"python benchmarks/check_bench.py {' '.join(args_list)}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{lychee_version.strip()}; "
        + ("network: loopback only (unshare -rn)" if isolated else "network: not isolated (IP literals only)")
    )
    limits = Limits(interval=0.05 * args.latency_scale, concurrency=args.concurrency)
    if args.web == "varied":  # issue 12's settings for its web
        limits = dataclasses.replace(limits, timeout=5.0, retries=2)
    if args.scaling:
        sizes = sorted(int(size) for size in args.scaling.split(","))
        scaling(sizes, args.hosts, limits, args.gap_tolerance, tools)
        return
    scale = args.latency_scale
    plan = plan_web(
        args.urls,
        hosts=args.hosts,
        latency_scale=scale,
        per_second_limit=round(20 / scale),
        varied=args.web == "varied",
    )
    result = compare(
        plan, limits, tools, args.gap_tolerance * scale, max(1, args.runs), timelines=args.timeline
    )
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
