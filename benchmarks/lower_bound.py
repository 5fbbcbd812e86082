"""The least wall time any polite checker needs for a set of URLs: the bound every check benchmark prints.

The model knows nothing of a particular web. Each URL brings a `Need`: its host, the requests a correct
checker cannot avoid (one per redirect hop — a GET answers a 404 as well as a HEAD would —, the repeats a
429 or 503 forces, every attempt of a request that times out, each costing the seconds it holds a place
at the host), and its `chain`: those requests one after another with the waits between them that no
checker may skip (`Retry-After`, the configured retry wait where the server names none, each timeout in
full). A request several URLs share (a redirect target, the tries that prove a host gone) is one
request, in one URL's need.

Per host h, with K requests in flight, R request starts per second (an interval of 1/R), n_h requests
whose times sum to W_h:

    by_concurrency = W_h / K                       (latency work over the places)
    by_rate        = (n_h - 1) / R + min latency   (starts 1/R apart; the last one must be answered)
    by_chain       = the longest chain of one of its URLs

and the run's bound is the largest of every host's terms and of sum(W) / the global limit. It leaves out
start-up, extraction, CPU, connection set-up and the pause of a whole host that a `Retry-After` asks
for, so no run can beat it; how close one comes is the measure (`wall / bound`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Bound", "HostBound", "Need", "lower_bound"]


@dataclass(frozen=True, slots=True)
class Need:
    """What one URL costs a polite checker at least: `requests` (seconds each holds a place at `host`)
    and `chain` (seconds from its first request to its verdict, if nothing else were in its way)."""

    host: str
    requests: tuple[float, ...]
    chain: float


@dataclass(frozen=True, slots=True)
class HostBound:
    host: str
    urls: int
    requests: int
    work: float  # seconds, summed over the host's requests
    by_concurrency: float
    by_interval: float  # the rate term: (n - 1) / R + min latency
    by_chain: float

    @property
    def bound(self) -> float:
        return max(self.by_concurrency, self.by_interval, self.by_chain)

    @property
    def term(self) -> str:
        """Which of the three sets this host's bound."""
        terms = {"W/K": self.by_concurrency, "n/R": self.by_interval, "chain": self.by_chain}
        return max(terms, key=lambda name: terms[name])


@dataclass(frozen=True, slots=True)
class Bound:
    hosts: tuple[HostBound, ...]
    by_global: float

    @property
    def seconds(self) -> float:
        return max(self.by_global, *(h.bound for h in self.hosts))

    @property
    def limiting(self) -> HostBound:
        return max(self.hosts, key=lambda h: h.bound)

    @property
    def requests(self) -> int:
        """The fewest requests a correct checker makes."""
        return sum(h.requests for h in self.hosts)

    @property
    def urls(self) -> int:
        return sum(h.urls for h in self.hosts)

    def describe(self) -> str:
        limiting = self.limiting
        return (
            f"lower bound: {self.seconds:.2f} s, set by {limiting.host} ({limiting.term}: "
            f"{limiting.urls} URLs, {limiting.requests} requests, W/K {limiting.by_concurrency:.2f} s, "
            f"n/R {limiting.by_interval:.2f} s, "
            f"chain {limiting.by_chain:.2f} s); global {self.by_global:.2f} s; "
            f"{self.requests / max(1, self.urls):.3f} requests per URL at least"
        )


def lower_bound(needs: Iterable[Need], *, host_concurrency: int, interval: float, concurrency: int) -> Bound:
    """The bound for `needs` under K = `host_concurrency`, 1/R = `interval`, global limit `concurrency`."""
    requests: dict[str, list[float]] = defaultdict(list)
    chains: dict[str, float] = defaultdict(float)
    urls: dict[str, int] = defaultdict(int)
    for need in needs:
        requests[need.host] += need.requests
        chains[need.host] = max(chains[need.host], need.chain)
        urls[need.host] += 1
    hosts: list[HostBound] = []
    total = 0.0
    for host in sorted(urls):
        times = requests[host]
        work = sum(times)
        total += work
        hosts.append(
            HostBound(
                host=host,
                urls=urls[host],
                requests=len(times),
                work=work,
                by_concurrency=work / host_concurrency,
                by_interval=(len(times) - 1) * interval + min(times) if times else 0.0,
                by_chain=chains[host],
            )
        )
    return Bound(tuple(hosts), total / concurrency)
