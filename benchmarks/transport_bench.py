"""CPU per request of linkaudit's HTTP client (`check.transport.build_client`), and nothing else.

`check_bench.py` measures a whole `linkaudit check`; at its sizes the transport's share is lost in the
noise of a shared machine. Here a simulated web runs in another process (its CPU is not counted), 20
hosts answer at once, and this process sends `--requests` GETs (a small page, body read) and as many
HEADs, 32 at a time, over connections already open; it prints the process CPU per request. Compare two
versions of linkaudit by running it with each on the path, interleaved:

    PYTHONPATH=/path/to/other/checkout python benchmarks/transport_bench.py
    python benchmarks/transport_bench.py
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import trio

import linkaudit
from linkaudit.check import build_client
from linkaudit.check.resolve import Resolver
from linkaudit.settings import CheckSettings

HOSTS = 20
PATHS = 50
CONCURRENCY = 32

_SERVER = f"""
import json, sys
from linkaudit.demo.simweb import Reply, SimWeb
with SimWeb() as web:
    for h in range({HOSTS}):
        host = web.host(f"h{{h}}.example")
        for p in range({PATHS}):
            host.route(f"/p{{p}}", Reply.html("<!doctype html><p>" + "x" * 2000 + "</p>"))
    print(json.dumps(web.resolve), flush=True)
    sys.stdin.read()
"""


async def _requests(resolve: dict[str, str | None], count: int) -> float:
    """CPU seconds this process spent on `count` GETs and `count` HEADs (after a warm-up)."""
    settings = CheckSettings(concurrency=CONCURRENCY, timeout=10)
    urls = [f"http://h{i % HOSTS}.example/p{i % PATHS}" for i in range(count)]
    limiter = trio.CapacityLimiter(CONCURRENCY)
    async with build_client(settings, Resolver({**resolve, "*": None}, system=False)) as client:

        async def one(url: str) -> None:
            async with limiter:
                page = await client.get(url)
                await page.aread()
                head = await client.head(url)
                await head.aclose()

        async with trio.open_nursery() as nursery:  # opens the connections
            for url in urls[: HOSTS * 10]:
                nursery.start_soon(one, url)
        started = time.process_time()
        async with trio.open_nursery() as nursery:
            for url in urls:
                nursery.start_soon(one, url)
        return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=3000, help="GETs, and as many HEADs")
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        resolve: dict[str, str | None] = json.loads(server.stdout.readline())
        cpu = trio.run(_requests, resolve, args.requests)
    finally:
        server.stdin.close()
        server.wait()
    sent = 2 * args.requests
    figures = {"linkaudit": linkaudit.__file__, "requests": sent, "cpu_s": round(cpu, 3)}
    figures["us_per_request"] = round(cpu / sent * 1e6, 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
