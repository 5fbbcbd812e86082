"""Where the checker's CPU goes: `linkaudit check` of the benchmark web under cProfile, in process.

    python benchmarks/check_profile.py                      # 3,000 URLs, the project's web, top 30
    python benchmarks/check_profile.py --web varied --top 50 --sort tottime

The simulated web runs in a thread of this process; cProfile records only the main thread, so what it
shows is the check's own CPU time (the extraction workers are other processes, not shown). The time of each
function includes cProfile's overhead, about as much again: read the shares, not the seconds. Figures and
what was cut after reading them: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import pstats
import resource
import time
from pathlib import Path

from ablate import LEVERS, without
from simulated_web import plan_web, start_web, write_articles

from linkaudit.cli import main as linkaudit

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "profile"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--urls", type=int, default=3000)
    parser.add_argument("--web", choices=("project", "varied"), default="project")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", help="pstats sort key: cumulative, tottime ...")
    parser.add_argument("--no-profile", action="store_true", help="only the CPU time, without cProfile")
    parser.add_argument("--without", default="", help=f"levers taken out (ablate.py): {', '.join(LEVERS)}")
    args = parser.parse_args()
    without([lever for lever in args.without.split(",") if lever])
    plan = plan_web(args.urls, varied=args.web == "varied")
    web, addresses = start_web(plan)
    try:
        articles = WORK / "articles"
        write_articles(plan, addresses, articles)
        argv = [
            "check",
            str(articles),
            "--format",
            "json",
            "--output",
            str(WORK / "report.json"),
            "--quiet",
            "--host-concurrency",
            "4",
            "--host-interval",
            "0.05",
            "--retries",
            "2" if args.web == "varied" else "3",
            "--timeout",
            "5" if args.web == "varied" else "20",
            "--resolve",
            "*:nxdomain",
            "--allow-private-net",
            "127.0.0.0/8",
            "--no-store",
        ]
        profile = cProfile.Profile(time.thread_time)  # CPU of this thread, not wall time
        wall = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_THREAD)  # this thread: not the server's
        if not args.no_profile:
            profile.enable()
        with contextlib.suppress(SystemExit):
            linkaudit(argv)
        profile.disable()
        after = resource.getrusage(resource.RUSAGE_THREAD)
        wall = time.perf_counter() - wall
    finally:
        web.stop()
    requests = sum(web.stats(host.name).requests for host in plan.hosts if not host.refuses)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(
        f"wall {wall:.2f} s, CPU of the checking thread {cpu:.2f} s, {requests:,} requests: "
        f"{cpu / requests * 1e6:,.0f} µs per request{'' if args.no_profile else ' (profiled)'}"
    )
    if not args.no_profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
