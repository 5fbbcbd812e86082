"""The simulated web the check benchmark runs against, the articles citing it, and the truth about it.

`plan_web` decides, from a seed, everything about the web: hosts (their latency, their limits, one that
refuses connections), every distinct URL and how it behaves (live pages and images, 404 and 410, 403,
301/302/308 redirects, a trailing-slash redirect, redirect loops, an image URL answering HTML, 429 with
Retry-After then 200, a 503 once, slow pages, a URL that is rate-limited for good; soft 404s, deep links
sent home and parked domains), and which article
cites which URL how. `Behaviour.verdict` is what a correct checker says about each URL: the truth a
confusion table is built against.

`start_web` serves a plan with `linkaudit.demo.simweb` (a fresh server, so counters and scripted sequences
start over) and returns the address ("127.0.0.N:PORT") of each host. `write_articles` renders the
articles citing those addresses as IP literals: neither checker needs DNS, and per-host limits apply
per address for both (lychee keys its limits by host name or IP without the port; linkaudit by
host:port; every host here has an IP of its own).

Two webs: the project's (`plan_web`, the default: one latency range, a fifth of the hosts limiting
requests in flight and a fifth requests per second) and the varied one (`plan_web(varied=True)`, issue 12):
latencies spread from 20 to 500 ms (log-uniform, so some hosts are slow enough that their latency, not
their spacing, sets their time), every host strict (429 beyond 4 requests in flight or 20 a second), a
sixth of them answering HEAD with 405, and a mix with timeouts, three-hop redirect chains, redirects many
URLs share, 503 with and without `Retry-After`.

`needs` turns a plan into what `lower_bound.lower_bound` takes: the physical limit of any polite checker
on the plan (`lower_bound` here does both).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from lower_bound import Bound, Need
from lower_bound import lower_bound as bound_of_needs

from linkaudit.demo.simweb import Reply, SimWeb

__all__ = [
    "RETRY_AFTER",
    "SLOW_LATENCY",
    "Behaviour",
    "Bound",
    "Citation",
    "HostPlan",
    "PlannedUrl",
    "WebPlan",
    "lower_bound",
    "needs",
    "plan_web",
    "start_web",
    "write_articles",
]

#: Seconds a scripted 429 asks the client to wait (and what simweb's own limits answer with).
RETRY_AFTER = 1
#: Seconds a 503 with Retry-After asks for (the varied web).
RETRY_AFTER_503 = 2
#: Latency of a slow page, before `latency_scale`.
SLOW_LATENCY = 3.0
#: Latency of a page that times out: longer than any timeout the benchmarks use.
NEVER = 60.0
_LATENCY_RANGE = (0.020, 0.200)
_VARIED_LATENCY = (0.020, 0.500)
# How unevenly URLs spread over hosts: the share of host k (1-based) is proportional to k ** -_ZIPF.
_ZIPF = 0.7
# Of every distinct URL: the share answering each way (the rest are live pages) ...
_SHARES = {
    "404": 0.04,
    "410": 0.01,
    "403": 0.01,
    "301": 0.03,
    "302": 0.015,
    "slash": 0.015,
    "308-chain": 0.01,
    "image": 0.08,
    "broken-image": 0.01,
    # Soft rot (issue 7): a removed page answering 200 "not found", a deep link sent home.
    "soft-404": 0.01,
    "redirect-home": 0.01,
}
# ... and a handful per 3,000 URLs of the rarer behaviours.
_PER_3000 = {"loop": 5, "429-once": 10, "503-once": 10, "slow": 5}
# The varied web's mix.
_VARIED_SHARES = {
    "404": 0.04,
    "410": 0.01,
    "403": 0.01,
    "301": 0.02,
    "shared-301": 0.03,
    "302": 0.01,
    "slash": 0.01,
    "3-hop-chain": 0.01,
    "image": 0.06,
    "broken-image": 0.01,
}
_VARIED_PER_3000 = {"loop": 5, "429-once": 10, "503-once": 5, "503-retry-after": 10, "slow": 5, "timeout": 5}


class Behaviour(StrEnum):
    """How one URL answers, each with the verdict a correct checker gives it."""

    PAGE = "page"
    IMAGE = "image"
    BROKEN_IMAGE = "broken-image"  # cited as an image; answers 200 with an HTML page
    NOT_FOUND = "404"
    GONE = "410"
    FORBIDDEN = "403"
    MOVED = "301"  # to another page of the same host
    FOUND = "302"
    SLASH = "slash"  # 301 to the same path with a trailing slash: benign
    CHAIN = "308-chain"  # two 308 hops
    LOOP = "loop"  # A -> B -> A
    RETRY_AFTER = "429-once"  # 429 with Retry-After, then 200
    FLAKY = "503-once"  # 503 without Retry-After, then 200
    SLOW = "slow"  # 200 after SLOW_LATENCY seconds
    RATE_LIMITED = "429-always"  # 429 with Retry-After, every time
    REFUSED = "refused"  # its host refuses connections
    SOFT_404 = "soft-404"  # 200 with a "not found" page, as every unknown page of its directory
    REDIRECT_HOME = "redirect-home"  # 302 to the site's root
    PARKED = "parked"  # its host is a parked domain: the same parking page at every path
    # The varied web's.
    SHARED = "shared-301"  # 301 to a page many of its host's URLs redirect to (a subscription page)
    LONG_CHAIN = "3-hop-chain"  # 301, 302, 307, then the page
    RETRY_AFTER_503 = "503-retry-after"  # 503 with Retry-After, then 200
    TIMEOUT = "timeout"  # never answers in time

    @property
    def verdict(self) -> str:
        return _VERDICTS[self]

    @property
    def plain_verdict(self) -> str:
        """The verdict without soft rot (`--no-soft`): what the answer alone says."""
        return _PLAIN.get(self, _VERDICTS[self])

    @property
    def is_image(self) -> bool:
        return self in (Behaviour.IMAGE, Behaviour.BROKEN_IMAGE)


_VERDICTS = {
    Behaviour.PAGE: "live",
    Behaviour.IMAGE: "live",
    Behaviour.BROKEN_IMAGE: "dead",
    Behaviour.NOT_FOUND: "dead",
    Behaviour.GONE: "dead",
    Behaviour.FORBIDDEN: "blocked",
    Behaviour.MOVED: "redirected",
    Behaviour.FOUND: "redirected",
    Behaviour.SLASH: "live",
    Behaviour.CHAIN: "redirected",
    Behaviour.LOOP: "dead",
    Behaviour.RETRY_AFTER: "live",
    Behaviour.FLAKY: "live",
    Behaviour.SLOW: "live",
    Behaviour.RATE_LIMITED: "rate-limited",
    Behaviour.REFUSED: "unreachable",
    Behaviour.SOFT_404: "soft-dead",
    Behaviour.REDIRECT_HOME: "soft-dead",
    Behaviour.PARKED: "usurped",
    Behaviour.SHARED: "redirected",
    Behaviour.LONG_CHAIN: "redirected",
    Behaviour.RETRY_AFTER_503: "live",
    Behaviour.TIMEOUT: "unreachable",
}
_PLAIN = {Behaviour.SOFT_404: "live", Behaviour.REDIRECT_HOME: "redirected", Behaviour.PARKED: "live"}
#: Parked domains added to the web (each cited at `_PARKED_URLS` paths).
PARKED_HOSTS = 2
_PARKED_URLS = 5


@dataclass(frozen=True, slots=True)
class HostPlan:
    name: str
    latency: float
    max_inflight: int | None = None
    max_per_second: int | None = None
    refuses: bool = False
    parked: bool = False
    refuses_head: bool = False  # answers every HEAD 405


@dataclass(frozen=True, slots=True)
class PlannedUrl:
    host: int
    path: str
    behaviour: Behaviour


@dataclass(frozen=True, slots=True)
class Citation:
    url: int  # index into WebPlan.urls
    form: str  # inline, reference, autolink, image


@dataclass(frozen=True, slots=True)
class WebPlan:
    hosts: tuple[HostPlan, ...]
    urls: tuple[PlannedUrl, ...]
    articles: tuple[tuple[Citation, ...], ...]
    latency_scale: float
    varied: bool = False

    @property
    def citations(self) -> int:
        return sum(len(article) for article in self.articles)

    def url(self, index: int, addresses: list[str]) -> str:
        planned = self.urls[index]
        return f"http://{addresses[planned.host]}{planned.path}"

    def truth(self, addresses: list[str]) -> dict[str, Behaviour]:
        """Each URL as the articles cite it (and both tools report it), with its behaviour."""
        return {self.url(i, addresses): planned.behaviour for i, planned in enumerate(self.urls)}


def _host_sizes(urls: int, hosts: int, rng: random.Random) -> list[int]:
    weights = [k**-_ZIPF for k in range(1, hosts + 1)]
    total = sum(weights)
    sizes = [max(1, math.floor(urls * w / total)) for w in weights]
    while sum(sizes) < urls:
        sizes[rng.randrange(hosts)] += 1
    while sum(sizes) > urls:
        k = rng.randrange(hosts)
        if sizes[k] > 1:
            sizes[k] -= 1
    return sizes


def plan_web(
    urls: int = 3000,
    *,
    citations: int | None = None,
    articles: int | None = None,
    hosts: int = 50,
    latency_scale: float = 1.0,
    per_second_limit: int = 20,
    fixed_rarities: bool = False,
    varied: bool = False,
    seed: int = 20240318,
) -> WebPlan:
    """A reproducible web of `urls` distinct URLs on `hosts` hosts, cited `citations` times (default
    5/3 per URL) in `articles` articles (default one per 6 URLs). `latency_scale` shrinks every latency
    (not Retry-After, which HTTP states in whole seconds) so that large webs finish in minutes; the hosts
    that limit requests per second then allow `per_second_limit` of them. With `fixed_rarities`, the rare
    behaviours (loops, 429 and 503 once, slow pages, the URLs rate-limited for good) keep their counts of
    a 3,000-URL web instead of growing with it: their waits are whole seconds that do not scale, and a
    web of 100,000 URLs would otherwise measure little but Retry-After. `varied`: the varied web (see the
    module docstring)."""
    if hosts < 4 or urls < hosts * 4:
        raise ValueError("need at least 4 hosts and 4 URLs per host")
    rng = random.Random(seed)
    citations = citations if citations is not None else urls * 5 // 3
    articles = articles if articles is not None else max(1, urls // 6)
    sizes = _host_sizes(urls, hosts, rng)
    # The host that refuses connections is a mid-sized one; the one that is rate-limited for good, the
    # smallest. Every fifth host rejects a fifth request in flight, every fifth (offset) a 21st per second.
    refusing = hosts // 2
    hostile = hosts - 1
    plans: list[HostPlan] = []
    for k in range(hosts):
        if varied:
            low, high = _VARIED_LATENCY
            latency = math.exp(rng.uniform(math.log(low), math.log(high))) * latency_scale
            plans.append(
                HostPlan(
                    name=f"site{k:02d}.example",
                    latency=latency,
                    max_inflight=4,
                    max_per_second=per_second_limit,
                    refuses=k == refusing,
                    refuses_head=k % 6 == 3,
                )
            )
            continue
        latency = rng.uniform(*_LATENCY_RANGE) * latency_scale
        plans.append(
            HostPlan(
                name=f"site{k:02d}.example",
                latency=latency,
                max_inflight=4 if k % 5 == 0 else None,
                max_per_second=per_second_limit if k % 5 == 2 else None,
                refuses=k == refusing,
            )
        )
    slots: list[int] = [k for k, size in enumerate(sizes) for _ in range(size)]
    behaviours: list[Behaviour] = [Behaviour.PAGE] * urls
    for k, slot_host in enumerate(slots):
        if slot_host == refusing:
            behaviours[k] = Behaviour.REFUSED
    free = [k for k, slot_host in enumerate(slots) if slot_host not in (refusing, hostile)]
    rng.shuffle(free)
    wanted: list[Behaviour] = []
    for key, share in (_VARIED_SHARES if varied else _SHARES).items():
        wanted += [Behaviour(key)] * round(urls * share)
    rarity = 1.0 if fixed_rarities else urls / 3000
    for key, count in (_VARIED_PER_3000 if varied else _PER_3000).items():
        wanted += [Behaviour(key)] * max(1, round(count * rarity))
    for k, behaviour in zip(free, wanted, strict=False):
        behaviours[k] = behaviour
    hostile_urls = [k for k, slot_host in enumerate(slots) if slot_host == hostile]
    for k in hostile_urls[: max(1, round(2 * rarity))]:
        behaviours[k] = Behaviour.RATE_LIMITED
    planned = [PlannedUrl(slots[k], _path(k, behaviours[k]), behaviours[k]) for k in range(urls)]
    for n in range(PARKED_HOSTS):
        plans.append(
            HostPlan(f"parked{n:02d}.example", rng.uniform(*_LATENCY_RANGE) * latency_scale, parked=True)
        )
        for j in range(_PARKED_URLS):
            path = f"/{('news', 'blog', 'archive')[j % 3]}/{2012 + j}/item-{n}-{j}.html"
            planned.append(PlannedUrl(len(plans) - 1, path, Behaviour.PARKED))
    urls_planned = tuple(planned)
    return WebPlan(
        tuple(plans), urls_planned, _cite(urls_planned, citations, articles, rng), latency_scale, varied
    )


def _path(k: int, behaviour: Behaviour) -> str:
    if behaviour.is_image:
        return f"/media/{2015 + k % 10}/{k:06d}.png"
    if behaviour is Behaviour.SOFT_404:  # a section whose unknown pages answer 200 (see _route)
        return f"/lost/{2015 + k % 10}/story-{k:06d}.html"
    section = ("world", "politics", "business", "tech", "culture", "opinion")[k % 6]
    return f"/{section}/{2015 + k % 10}/{k % 12 + 1:02d}/story-{k:06d}.html"


def _cite(
    urls: tuple[PlannedUrl, ...], citations: int, articles: int, rng: random.Random
) -> tuple[tuple[Citation, ...], ...]:
    """Every URL cited at least once; the extra citations favour popular URLs (Zipf over a shuffle)."""
    order = list(range(len(urls)))
    rng.shuffle(order)
    weights = [1 / (rank + 1) for rank in range(len(order))]
    extra = rng.choices(order, weights=weights, k=max(0, citations - len(urls)))
    cited = list(range(len(urls))) + extra
    rng.shuffle(cited)
    per_article: list[list[Citation]] = [[] for _ in range(articles)]
    for n, index in enumerate(cited):
        if urls[index].behaviour.is_image:
            form = "image"
        else:
            form = rng.choices(("inline", "reference", "autolink"), weights=(75, 15, 10))[0]
        per_article[n % articles if n < articles else rng.randrange(articles)].append(Citation(index, form))
    return tuple(tuple(article) for article in per_article)


def start_web(plan: WebPlan) -> tuple[SimWeb, list[str]]:
    """Serve `plan` on a fresh `SimWeb` (started); returns it and each host's "127.0.0.N:PORT"."""
    web = SimWeb()
    try:
        addresses: list[str] = []
        for host in plan.hosts:
            if host.refuses:
                addresses.append(web.dead_host(host.name, refused=True))
            else:
                sim = web.host(
                    host.name,
                    latency=host.latency,
                    max_inflight=host.max_inflight,
                    max_per_second=host.max_per_second,
                )
                addresses.append(sim.address)
        for planned in plan.urls:
            host = plan.hosts[planned.host]
            if host.refuses:
                continue
            _route(web, host, planned, plan.latency_scale)
        web.start()
    except BaseException:
        web.stop()
        raise
    return web, addresses


def _page(path: str) -> Reply:
    title = path.rsplit("/", 1)[-1].removesuffix(".html").replace("-", " ")
    return Reply.html(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><article><h1>{title}</h1><p>{'Lorem ipsum dolor sit amet. ' * 20}</p></article></body></html>"
    )


_SOFT_404_PAGE = Reply.html(
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Page not found</title></head>'
    "<body><main><h1>Page not found</h1><p>Sorry, the story you are looking for has been moved or removed. "
    "Try the search, or start again from the home page.</p></main></body></html>"
)
_PARKING_PAGE = Reply.html(
    '<!doctype html><html><head><meta charset="utf-8"><title>This domain may be for sale</title>'
    '<script src="https://www.google.com/adsense/domains/caf.js"></script></head><body>'
    "<h1>This domain may be for sale</h1><p>Related searches: insurance, travel, loans</p></body></html>"
)
_SHARED_TARGET = "/subscribe"


def _refusing_head(reply: Reply) -> Reply:
    # The server refuses the method before any application code runs: the path's script stays put.
    return replace(reply, head=Reply.html("Method Not Allowed", status=405), head_advances=False)


class _Routes:
    """A host's routes as `_route` scripts them, HEAD refused everywhere on a host that refuses it."""

    def __init__(self, web: SimWeb, host: HostPlan) -> None:
        self.sim = web[host.name]
        self.refuses_head = host.refuses_head

    def route(self, path: str, *replies: Reply) -> None:
        if self.refuses_head:
            replies = tuple(_refusing_head(reply) for reply in replies)
        self.sim.route(path, *replies)

    def otherwise(self, *replies: Reply, under: str = "/") -> None:
        if self.refuses_head:
            replies = tuple(_refusing_head(reply) for reply in replies)
        self.sim.otherwise(*replies, under=under)


def _route(web: SimWeb, host: HostPlan, planned: PlannedUrl, scale: float) -> None:
    sim = _Routes(web, host)
    path = planned.path
    behaviour = planned.behaviour
    limited = Reply.html("Too Many Requests", status=429, headers={"Retry-After": str(RETRY_AFTER)})
    if behaviour is Behaviour.SHARED:
        sim.route(path, Reply.redirect(_SHARED_TARGET))
        sim.route(_SHARED_TARGET, _page(_SHARED_TARGET))
    elif behaviour is Behaviour.LONG_CHAIN:
        first, second, final = path + "?hop=1", path + "?hop=2", path.replace(".html", "-moved.html")
        sim.route(path, Reply.redirect(first, status=301))
        sim.route(first, Reply.redirect(second, status=302))
        sim.route(second, Reply.redirect(final, status=307))
        sim.route(final, _page(final))
    elif behaviour is Behaviour.RETRY_AFTER_503:
        busy = Reply.html("Service Unavailable", status=503, headers={"Retry-After": str(RETRY_AFTER_503)})
        sim.route(path, busy, _page(path))
    elif behaviour is Behaviour.TIMEOUT:
        page = _page(path)
        sim.route(path, Reply(page.status, page.body, latency=NEVER))
    elif behaviour is Behaviour.PAGE:
        sim.route(path, _page(path))
    elif behaviour is Behaviour.IMAGE:
        sim.route(path, Reply.image("png"))
    elif behaviour is Behaviour.BROKEN_IMAGE:
        sim.route(path, _page("/photo-cdn-home"))  # the CDN answers a lost photo with its home page
    elif behaviour in (Behaviour.NOT_FOUND, Behaviour.GONE, Behaviour.FORBIDDEN):
        sim.route(path, Reply.html(f"Error {behaviour.value}", status=int(behaviour.value)))
    elif behaviour in (Behaviour.MOVED, Behaviour.FOUND):
        moved = path.replace("/story-", "/archive/story-")
        sim.route(path, Reply.redirect(moved, status=int(behaviour.value)))
        sim.route(moved, _page(moved))
    elif behaviour is Behaviour.SLASH:
        sim.route(path, Reply.redirect(path + "/"))
        sim.route(path + "/", _page(path))
    elif behaviour is Behaviour.CHAIN:
        middle, final = path + "?v=2", path.replace(".html", "-final.html")
        sim.route(path, Reply.redirect(middle, status=308))
        sim.route(middle, Reply.redirect(final, status=308))
        sim.route(final, _page(final))
    elif behaviour is Behaviour.LOOP:
        other = path + "?loop=1"
        sim.route(path, Reply.redirect(other, status=302))
        sim.route(other, Reply.redirect(path, status=302))
    elif behaviour is Behaviour.RETRY_AFTER:
        sim.route(path, limited, _page(path))
    elif behaviour is Behaviour.FLAKY:
        sim.route(path, Reply.html("Service Unavailable", status=503), _page(path))
    elif behaviour is Behaviour.SLOW:
        page = _page(path)
        sim.route(path, Reply(page.status, page.body, latency=SLOW_LATENCY * scale))
    elif behaviour is Behaviour.RATE_LIMITED:
        sim.route(path, limited)
    elif behaviour is Behaviour.SOFT_404:
        sim.otherwise(_SOFT_404_PAGE, under="/lost/")
    elif behaviour is Behaviour.REDIRECT_HOME:
        sim.route(path, Reply.redirect("/", status=302))
        sim.route("/", _page("/home"))
    elif behaviour is Behaviour.PARKED:
        sim.otherwise(_PARKING_PAGE)
    else:  # REFUSED: nothing listens
        raise AssertionError(behaviour)


_PROSE = (
    "the council said on monday that the river had risen again overnight and that volunteers were "
    "asked to stay away from the old harbour while engineers inspected the walls residents who left "
    "last week may return on friday according to the statement which also thanked the rescue teams"
)
_WORDS = _PROSE.split()


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(8, 18))
    return " ".join(words).capitalize() + "."


def write_articles(plan: WebPlan, addresses: list[str], dest: Path, *, seed: int = 7) -> int:
    """Render the plan's articles into `dest` (emptied first), citing `addresses`; returns the file count.

    The text depends only on the plan and `seed`; only the addresses differ between two servers.
    """
    if dest.exists():
        for old in dest.glob("*.md"):
            old.unlink()
    dest.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for n, article in enumerate(plan.articles):
        lines = [f"# Dispatch {n + 1}", ""]
        references: list[str] = []
        for citation in article:
            url = plan.url(citation.url, addresses)
            text = " ".join(rng.choices(_WORDS, k=3))
            if citation.form == "image":
                link = f"![{text}]({url})"
            elif citation.form == "reference":
                label = f"ref{len(references) + 1}"
                references.append(f"[{label}]: {url}")
                link = f"[{text}][{label}]"
            elif citation.form == "autolink":
                link = f"<{url}>"
            else:
                link = f"[{text}]({url})"
            lines += [f"{_sentence(rng)} {link} {_sentence(rng)}", ""]
        lines += references
        (dest / f"dispatch-{n + 1:05d}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(plan.articles)


def needs(plan: WebPlan, *, retries: int, retry_wait: float, timeout: float) -> Iterator[Need]:
    """Each URL's need (see `lower_bound`) under a checker's retry policy.

    One request per redirect hop, one more for a 429 or 503 (the wait between: Retry-After, or the retry
    wait where the server names none), `retries` + 1 for a URL that stays 429 (Retry-After between) and
    for one that times out (each holding its place for the whole `timeout`, none wait between: the timeout
    was the wait). A redirect target several URLs share is requested once. A host that refuses connections
    costs its first URL `retries` + 1 tries with exponential retry waits (1, 2, 4 ... x `retry_wait`), as
    a checker must make before calling it gone; its other URLs need no request.
    """
    shared_seen: set[int] = set()
    refused_seen: set[int] = set()
    for planned in plan.urls:
        host = plan.hosts[planned.host]
        latency = host.latency
        behaviour = planned.behaviour
        requests: list[float]
        if behaviour is Behaviour.REFUSED:
            first = planned.host not in refused_seen
            refused_seen.add(planned.host)
            requests = [0.0] * (retries + 1) if first else []
            chain = retry_wait * (2**retries - 1)
        elif behaviour is Behaviour.SHARED:
            requests = [latency] if planned.host in shared_seen else [latency] * 2
            shared_seen.add(planned.host)
            chain = 2 * latency
        elif behaviour in (
            Behaviour.MOVED,
            Behaviour.FOUND,
            Behaviour.SLASH,
            Behaviour.LOOP,
            Behaviour.REDIRECT_HOME,
        ):
            requests = [latency] * 2
            chain = 2 * latency
        elif behaviour is Behaviour.CHAIN:
            requests = [latency] * 3
            chain = 3 * latency
        elif behaviour is Behaviour.LONG_CHAIN:
            requests = [latency] * 4
            chain = 4 * latency
        elif behaviour is Behaviour.RETRY_AFTER:
            requests = [latency] * 2
            chain = 2 * latency + RETRY_AFTER
        elif behaviour is Behaviour.RETRY_AFTER_503:
            requests = [latency] * 2
            chain = 2 * latency + RETRY_AFTER_503
        elif behaviour is Behaviour.FLAKY:
            requests = [latency] * 2
            chain = 2 * latency + retry_wait
        elif behaviour is Behaviour.SLOW:
            requests = [SLOW_LATENCY * plan.latency_scale]
            chain = requests[0]
        elif behaviour is Behaviour.TIMEOUT:
            requests = [timeout] * (retries + 1)
            chain = timeout * (retries + 1)
        elif behaviour is Behaviour.RATE_LIMITED:
            requests = [latency] * (retries + 1)
            chain = (retries + 1) * latency + retries * RETRY_AFTER
        else:
            requests = [latency]
            chain = latency
        yield Need(host.name, tuple(requests), chain)


def lower_bound(
    plan: WebPlan,
    *,
    host_concurrency: int,
    interval: float,
    concurrency: int,
    retries: int,
    retry_wait: float,
    timeout: float = 20.0,
) -> Bound:
    """The least wall time any checker polite to these limits needs to find every verdict on `plan`
    (`needs` and `lower_bound.lower_bound`)."""
    return bound_of_needs(
        needs(plan, retries=retries, retry_wait=retry_wait, timeout=timeout),
        host_concurrency=host_concurrency,
        interval=interval,
        concurrency=concurrency,
    )
