"""Time and size of every report format on a large synthetic run, and of reading the JSON back.

    .venv/bin/python benchmarks/report_formats_bench.py [--urls 100000] [--runs 3]

The run: URLs spread over 2,000 hosts and 5,000 articles (two citations each); 10% dead (404), 3%
blocked, 2% redirected, one vanished host of 500 URLs (folded), the rest live. Each format is written to
a file in a temporary folder, as `check -o` does; the best CPU time of `--runs` is shown.
"""

from __future__ import annotations

import functools
import io
import tempfile
from pathlib import Path

from tools import best_cpu_seconds, timing_arguments

from linkaudit.models import (
    Attempt,
    AuditReport,
    ErrorKind,
    Evidence,
    Hop,
    Judgement,
    LinkKind,
    Occurrence,
    Target,
    UrlResult,
    Verdict,
)
from linkaudit.report import ReportFormat, write_report_file
from linkaudit.report.json import write_json_report
from linkaudit.report.read import read_report


def synthetic_report(urls: int) -> AuditReport:
    results = []
    for i in range(urls):
        host = "vanished.example" if i < 500 else f"site{i % 2000}.example"
        url = f"https://{host}/2019/{i}/story"
        cites = tuple(
            Occurrence(
                file=f"archive/{(i * 7 + k) % 5000 // 100:02}/{(i * 7 + k) % 5000}.md",
                line=1 + i % 80,
                column=5,
                start=100 + i,
                end=130 + i,
                kind=LinkKind.LINK,
                raw=url,
                target=Target(url),
                text=f"某篇报道 {i}",
            )
            for k in range(2)
        )
        roll = i % 100
        if i < 500:
            evidence = Evidence(url, error=ErrorKind.DNS_NOT_FOUND, checked_at="2026-05-01T00:00:00Z")
            judgement = Judgement(Verdict.DEAD, "dns-not-found")
        elif roll < 10:
            evidence = Evidence(
                url,
                status=404,
                final_url=url,
                content_type="text/html",
                attempts=(Attempt("HEAD", url, 404, elapsed_ms=80),),
                checked_at="2026-05-01T00:00:00Z",
            )
            judgement = Judgement(Verdict.DEAD, "http-404")
        elif roll < 13:
            evidence = Evidence(url, status=403, final_url=url, checked_at="2026-05-01T00:00:00Z")
            judgement = Judgement(Verdict.BLOCKED, "http-403")
        elif roll < 15:
            evidence = Evidence(
                url,
                status=200,
                final_url=url + "/new",
                redirects=(Hop(url, 301),),
                checked_at="2026-05-01T00:00:00Z",
            )
            judgement = Judgement(Verdict.REDIRECTED, "redirect-301", permanent=True)
        else:
            evidence = Evidence(url, status=200, final_url=url, checked_at="2026-05-01T00:00:00Z")
            judgement = Judgement(Verdict.LIVE, "http-200")
        results.append(UrlResult(Target(url), judgement, evidence, cites))
    return AuditReport(
        generated_at="2026-05-01T00:00:00Z",
        files=5000,
        links=2 * urls,
        results=tuple(results),
        errors=(),
        settings={"fail_on": ["dead"]},
        elapsed_s=600.0,
    )


def main() -> None:
    parser = timing_arguments(__doc__)
    parser.add_argument("--urls", type=int, default=100_000, help="distinct URLs in the run")
    args = parser.parse_args()
    report = synthetic_report(args.urls)
    print(f"{args.urls:,} URLs, {report.links:,} citations; best CPU of {args.runs} runs")
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ReportFormat:
            path = Path(folder) / f"report.{fmt.value}"
            seconds = best_cpu_seconds(
                args.runs, functools.partial(write_report_file, report, fmt, path, width=100)
            )
            print(f"  {fmt.value:<9} {seconds:7.2f} s  {path.stat().st_size / 1e6:9.2f} MB")
        saved = Path(folder) / "report.json"
        seconds = best_cpu_seconds(args.runs, lambda: read_report(saved))
        again = io.StringIO()
        write_json_report(read_report(saved), again)
        same = again.getvalue() == saved.read_text(encoding="utf-8")
        print(f"  read back {seconds:7.2f} s  (JSON → model → JSON identical: {same})")


if __name__ == "__main__":
    main()
