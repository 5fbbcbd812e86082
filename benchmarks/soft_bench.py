"""Precision and recall of the soft-rot verdicts on labelled pages, and what the sibling probes cost.

The labelled web is `linkaudit.demo.softweb`: news sites in nine languages on five CMS-like templates,
each answering the pages it does not have in one of ten ways (a proper custom 404, a 200 "not found",
the home page, a vague page, redirects home, to the language root, to a 200 /404.html, to the section,
to a login page, an app shell), with live, short, moved and removed articles, and parked domains
modelled on the parking services. Every cited URL carries the verdict (and reason) a correct checker
gives it. The checker runs in process over real loopback HTTP (`SimWeb`), names mapped by linkaudit's
resolver, nothing else resolved.

    python benchmarks/soft_bench.py                 # the default web (seed 7): ~1,900 URLs
    python benchmarks/soft_bench.py --seeds 1,2,3   # other webs, figures for each and pooled

Reported: precision and recall per verdict (soft-dead, usurped; live and dead for the cost in false
positives), per reason, the confusion of truth and verdict, every wrong verdict (up to 20), the requests
the hosts saw with soft on and off, and the extra requests per host the sibling probes made. Goals
(issue 7): precision ≥ 0.99 and recall ≥ 0.95 for soft-dead and usurped; no live page called soft-dead
on a site whose custom 404 page answers 404.
"""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence

import trio

from linkaudit.check import CheckItem, check_targets
from linkaudit.check.resolve import Resolver
from linkaudit.demo.simweb import SimWeb
from linkaudit.demo.softweb import SoftWebPlan, plan_soft_web, serve
from linkaudit.models import LinkKind, Occurrence, UrlResult
from linkaudit.settings import CheckSettings, HostPolicy
from linkaudit.urls import normalize

SETTINGS = CheckSettings(
    host=HostPolicy(concurrency=4, interval=0.0),
    timeout=10.0,
    retry_base=0.05,
    allow_private_nets=(ipaddress.ip_network("127.0.0.0/8"),),
)
VERDICTS = ("soft-dead", "usurped", "live", "dead", "redirected")


@dataclasses.dataclass(slots=True)
class Run:
    results: dict[str, UrlResult]
    requests: dict[str, int]
    wall: float


def _items(plan: SoftWebPlan) -> list[CheckItem]:
    items = []
    for page in plan.pages:
        target = normalize(page.url)
        occ = Occurrence("a.md", 1, 1, 0, len(page.url), LinkKind.LINK, page.url, target)
        items.append(CheckItem(target, (occ,)))
    return items


def run_once(plan: SoftWebPlan, soft: bool) -> Run:
    with SimWeb() as web:
        serve(web, plan)
        resolver = Resolver({**web.resolve, "*": None}, system=False)
        results: list[UrlResult] = []
        settings = dataclasses.replace(SETTINGS, soft=soft)
        started = time.perf_counter()
        trio.run(lambda: check_targets(_items(plan), settings, on_result=results.append, resolver=resolver))
        wall = time.perf_counter() - started
        hosts = {page.host for page in plan.pages}
        requests = {host: web.stats(host).requests for host in hosts}
        if web.errors:
            print(f"warning: simweb failed: {web.errors[0]}", file=sys.stderr)
    return Run({r.target.url: r for r in results}, requests, wall)


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.4f}" if whole else "n/a"


def score(plan: SoftWebPlan, run: Run) -> tuple[list[str], dict[str, tuple[int, int, int]]]:
    """Lines of the report and, per verdict, (true positives, false positives, false negatives)."""
    pairs = []
    for page in plan.pages:
        result = run.results[normalize(page.url).url]
        pairs.append((page, result.judgement.verdict.value, result.judgement.reason))
    lines: list[str] = []
    figures: dict[str, tuple[int, int, int]] = {}
    lines.append("| verdict | truth | said | right | precision | recall |")
    lines.append("|---|---|---|---|---|---|")
    for verdict in VERDICTS:
        truth = sum(1 for page, _, _ in pairs if page.truth == verdict)
        said = sum(1 for _, got, _ in pairs if got == verdict)
        right = sum(1 for page, got, _ in pairs if page.truth == verdict and got == verdict)
        figures[verdict] = (right, said - right, truth - right)
        lines.append(
            f"| {verdict} | {truth} | {said} | {right} | {_ratio(right, said)} | {_ratio(right, truth)} |"
        )
    reasons = Counter(
        (page.reason, reason == page.reason and got == page.truth)
        for page, got, reason in pairs
        if page.reason is not None
    )
    lines.append("")
    lines.append("| reason (truth) | right | wrong |")
    lines.append("|---|---|---|")
    for reason in sorted({r for r, _ in reasons}):
        lines.append(f"| {reason} | {reasons[(reason, True)]} | {reasons[(reason, False)]} |")
    confusion = Counter((page.truth, got) for page, got, _ in pairs)
    columns = sorted({got for _, got in confusion})
    lines.append("")
    lines.append("| truth \\ said | " + " | ".join(columns) + " |")
    lines.append("|---" * (len(columns) + 1) + "|")
    for want in sorted({t for t, _ in confusion}):
        cells = " | ".join(str(confusion[(want, column)] or "·") for column in columns)
        lines.append(f"| {want} | {cells} |")
    wrong = [(page, got, reason) for page, got, reason in pairs if got != page.truth]
    if wrong:
        lines.append("")
        lines.append(f"wrong ({len(wrong)}):")
        for page, got, reason in wrong[:20]:
            result = run.results[normalize(page.url).url]
            soft = result.evidence.soft if result.evidence is not None else None
            lines.append(f"  {page.url} [{page.kind}] truth {page.truth}, said {got} ({reason}); {soft}")
    return lines, figures


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seeds", default="7", help="comma-separated seeds of labelled webs")
    parser.add_argument("--sites-per-language", type=int, default=10)
    parser.add_argument("--parked", type=int, default=24, help="parked domains")
    args = parser.parse_args(argv)
    pooled: Counter[tuple[str, str]] = Counter()
    for seed in (int(text) for text in args.seeds.split(",")):
        plan = plan_soft_web(seed, sites_per_language=args.sites_per_language, parked=args.parked)
        hosts = len({page.host for page in plan.pages})
        print(
            f"seed {seed}: {len(plan.pages):,} cited URLs on {hosts} hosts "
            f"({len(plan.sites)} sites, {len(plan.parked)} parked domains)"
        )
        off = run_once(plan, soft=False)
        on = run_once(plan, soft=True)
        lines, figures = score(plan, on)
        print("\n".join(lines))
        for verdict, (tp, fp, fn) in figures.items():
            pooled[(verdict, "tp")] += tp
            pooled[(verdict, "fp")] += fp
            pooled[(verdict, "fn")] += fn
        extra = [on.requests[host] - off.requests[host] for host in on.requests]
        siblings = [
            r.evidence.soft.sibling_requests
            for r in on.results.values()
            if r.evidence is not None and r.evidence.soft is not None
        ]
        print(
            f"\nrequests the hosts saw: soft off {sum(off.requests.values()):,}, soft on "
            f"{sum(on.requests.values()):,} (+{sum(extra):,}); sibling probes' requests as the evidence "
            f"counts them: {sum(siblings):,}\n"
            f"extra requests per host: mean {statistics.mean(extra):.2f}, median "
            f"{statistics.median(extra):g}, max {max(extra)} "
            f"(cited URLs per host: mean {len(plan.pages) / hosts:.1f})\n"
            f"wall: soft off {off.wall:.2f} s, soft on {on.wall:.2f} s\n"
        )
    if len(args.seeds.split(",")) > 1:
        print("pooled over seeds:")
        for verdict in VERDICTS:
            tp, fp, fn = (pooled[(verdict, k)] for k in ("tp", "fp", "fn"))
            print(f"  {verdict}: precision {_ratio(tp, tp + fp)}, recall {_ratio(tp, tp + fn)}")


if __name__ == "__main__":
    main()
