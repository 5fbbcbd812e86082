"""What escaping bidi and C1 controls (`linkaudit.jsontext`) costs the JSON report writer.

    python benchmarks/json_escape_bench.py [--urls 100000] [--runs 5]

Writes a report of `--urls` URLs, each cited once with Chinese link text (so no line takes the ASCII fast
path), to memory, `--runs` times with the escaping and as often with it bypassed, interleaved so that a
busy moment hurts both alike; prints the medians and the fastest runs.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import time
from collections.abc import Sequence
from unittest import mock

import linkaudit.report.json as json_report
from linkaudit.models import (
    Attempt,
    AuditReport,
    Evidence,
    Judgement,
    LinkKind,
    Occurrence,
    UrlResult,
    Verdict,
)
from linkaudit.urls import normalize


def build_report(urls: int) -> AuditReport:
    results = []
    for n in range(urls):
        url = f"https://news{n % 300}.example/2021/12/{n}/biden-putin-call"
        target = normalize(url)
        occ = Occurrence(
            f"archive/{n % 4000}.md",
            12,
            4,
            400,
            450,
            LinkKind.LINK,
            url,
            target,
            "拜登与普京通话，双方讨论了局势",
        )
        evidence = Evidence(
            url=target.url,
            status=200,
            final_url=target.url,
            attempts=(Attempt("HEAD", target.url, 200, None, None, 120),),
            checked_at="2024-01-01T00:00:00Z",
        )
        results.append(UrlResult(target, Judgement(Verdict.LIVE, "http-200"), evidence, (occ,)))
    return AuditReport("2024-01-01T00:00:00Z", 4000, urls, tuple(results), ())


def _unchanged(text: str) -> str:
    return text


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--urls", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    report = build_report(args.urls)
    timings: dict[str, list[float]] = {"escaped": [], "bypassed": []}
    size = 0
    for _ in range(args.runs):
        for label, seconds in timings.items():
            bypass = mock.patch.object(json_report, "escape_invisible", new=_unchanged)
            with bypass if label == "bypassed" else contextlib.nullcontext():
                out = io.StringIO()
                started = time.perf_counter()
                json_report.write_json_report(report, out)
                seconds.append(time.perf_counter() - started)
            size = len(out.getvalue())
    print(f"{args.urls:,} URLs, {size / 1e6:.0f} MB of JSON, {args.runs} runs each")
    for label, seconds in timings.items():
        print(f"{label:>9}: median {statistics.median(seconds):.2f} s, fastest {min(seconds):.2f} s")


if __name__ == "__main__":
    main()
