"""The demo scenario: its articles cite exactly the URLs it expects verdicts for, and its simulated web
behaves as those verdicts say (checked by a small reference prober, over real loopback sockets)."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from linkaudit.demo import DEMO_EXPECTED, build_demo_web, demo_articles
from linkaudit.demo.simweb import SimWeb
from linkaudit.extract import collect_inputs, extract_files
from linkaudit.models import Occurrence, Verdict
from linkaudit.urls import normalize

MAX_REDIRECTS = 10  # CheckSettings' default


@pytest.fixture(scope="module")
def occurrences() -> list[Occurrence]:
    files, errors = collect_inputs([str(demo_articles())])
    assert errors == []
    extracted = extract_files(files, jobs=1)
    assert extracted.errors == ()
    return list(extracted.occurrences)


@pytest.fixture
def demo_web() -> Iterator[SimWeb]:
    with build_demo_web() as web:
        yield web
        assert web.errors == []


def _cjk_share(text: str) -> float:
    """The share of Chinese characters among the letters of the prose (URLs left out)."""
    prose = re.sub(r"https?://[^\s\u4e00-\u9fff]*", "", text)
    letters = [c for c in prose if c.isalpha()]
    return sum("\u4e00" <= c <= "\u9fff" for c in letters) / len(letters)


def test_bundled_articles_are_chinese_and_english() -> None:
    articles = sorted(demo_articles().glob("*.md"))
    assert 3 <= len(articles) <= 4
    shares = [_cjk_share(path.read_text(encoding="utf-8")) for path in articles]
    assert any(share > 0.6 for share in shares)
    assert any(share == 0 for share in shares)
    assert all("](http://" in path.read_text(encoding="utf-8") for path in articles)


def test_articles_cite_exactly_the_expected_urls(occurrences: list[Occurrence]) -> None:
    cited = {o.target.url for o in occurrences if o.target.is_http}
    assert cited == set(DEMO_EXPECTED)
    # Besides the web: one skipped (mailto:) and one invalid (misspelt scheme) citation, and no local links.
    others = sorted((o.target.status.value, o.raw) for o in occurrences if not o.target.is_http)
    assert [status for status, _ in others] == ["invalid", "skipped"]
    # The extractor missed nothing: every http:// written in an article is one occurrence.
    written = sum(path.read_text(encoding="utf-8").count("http://") for path in demo_articles().glob("*.md"))
    assert written == sum(1 for o in occurrences if o.target.is_http)


def test_some_urls_are_cited_by_several_articles(occurrences: list[Occurrence]) -> None:
    files_per_url = Counter(url for url, _ in {(o.target.url, o.file) for o in occurrences})
    assert sum(count >= 2 for count in files_per_url.values()) >= 5


def test_expectations_use_verdict_strings_and_normalized_urls() -> None:
    assert set(DEMO_EXPECTED.values()) <= {v.value for v in Verdict}
    assert {"live", "redirected", "dead", "blocked", "unreachable"} <= set(DEMO_EXPECTED.values())
    for url in DEMO_EXPECTED:
        assert normalize(url).url == url


def test_every_cited_host_is_in_the_demo_web() -> None:
    web = build_demo_web()
    try:
        resolve = web.resolve
        assert {urlsplit(url).hostname for url in DEMO_EXPECTED} <= set(resolve)
        assert not web.running
    finally:
        web.stop()


Resolve = dict[str, str | None]


def _fetch(client: httpx.Client, resolve: Resolve, url: str, method: str) -> httpx.Response | str:
    """One request to `url` through the demo's resolve map, waiting out 429 and 503 as a checker would;
    a verdict string when there is no HTTP answer."""
    parts = urlsplit(url)
    host = parts.hostname
    assert host is not None
    address = resolve[host]
    if address is None:
        return "dead"
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    for _ in range(3):
        try:
            answer = client.request(method, f"http://{address}{target}", headers={"Host": host})
        except httpx.ConnectError:
            return "unreachable"
        if answer.status_code not in (429, 503):
            break
        time.sleep(float(answer.headers.get("Retry-After", "0.1")))
    return answer


def _same_page(a: str, b: str) -> bool:
    """Redirects that only tidy a URL (https, trailing slash, www.) do not move the citation."""

    def key(url: str) -> str:
        rest = url.split("://", 1)[1]
        return rest.removeprefix("www.").rstrip("/")

    return key(a) == key(b)


def reference_verdict(resolve: dict[str, str | None], url: str, *, image: bool) -> str:
    """The verdict rules of the brief, applied by following the chain by hand with GET."""
    chain, statuses = [url], []
    with httpx.Client(trust_env=False, verify=False, timeout=10) as client:
        for _ in range(MAX_REDIRECTS + 1):
            answer = _fetch(client, resolve, chain[-1], "GET")
            if isinstance(answer, str):
                return answer
            if not answer.is_redirect:
                break
            statuses.append(answer.status_code)
            following = urljoin(chain[-1], answer.headers["Location"])
            if following in chain:
                return "dead"  # a loop
            chain.append(following)
        else:
            return "dead"  # too many hops
    if answer.status_code in (401, 403):
        return "blocked"
    if answer.status_code == 429:
        return "rate-limited"
    if answer.status_code >= 400:
        return "dead"
    if image and not answer.headers.get("Content-Type", "").startswith("image/"):
        return "dead"
    moved = statuses and not _same_page(chain[0], chain[-1])
    return _soft_verdict(resolve, chain, answer) or ("redirected" if moved else "live")


def _soft_verdict(resolve: Resolve, chain: list[str], answer: httpx.Response) -> str | None:
    """Soft rot by the issue's rules, the plain way: a parking script, a deep link sent to `/`, or a
    random sibling in the same directory answering 200 with the same heading."""
    if "parkingcrew.net" in answer.text:
        return "usurped"
    if len(chain) > 1 and urlsplit(chain[-1]).path == "/" and urlsplit(chain[0]).path.strip("/"):
        return "soft-dead"
    sibling = chain[0].rsplit("/", 1)[0] + "/qwertyuiopasdfghjklzxcvbn.html"
    with httpx.Client(trust_env=False, timeout=10) as client:
        other = _fetch(client, resolve, sibling, "GET")
    heading = re.search(r"<h1>(.*?)</h1>", answer.text)
    same = isinstance(other, httpx.Response) and other.status_code == 200 and heading is not None
    if same and heading is not None and isinstance(other, httpx.Response) and heading.group(0) in other.text:
        return "soft-dead"
    return None


def test_demo_web_behaves_as_expected(demo_web: SimWeb, occurrences: list[Occurrence]) -> None:
    images = {o.target.url for o in occurrences if o.kind.wants_image and o.target.is_http}
    links = {o.target.url for o in occurrences if not o.kind.wants_image and o.target.is_http}
    resolve = demo_web.resolve
    jobs = [(url, True) for url in sorted(images)] + [(url, False) for url in sorted(links)]
    # In parallel, so the slow page and the Retry-After wait overlap.
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(lambda job: reference_verdict(resolve, job[0], image=job[1]), jobs))
    verdicts: dict[str, set[str]] = {}
    for (url, _), verdict in zip(jobs, found, strict=True):
        verdicts.setdefault(url, set()).add(verdict)
    assert verdicts == {url: {verdict} for url, verdict in DEMO_EXPECTED.items()}


def test_demo_special_behaviours(demo_web: SimWeb) -> None:
    resolve = demo_web.resolve

    def head(url: str) -> httpx.Response:
        with httpx.Client(trust_env=False, verify=False, timeout=5) as client:
            answer = _fetch(client, resolve, url, "HEAD")
        assert isinstance(answer, httpx.Response)
        return answer

    assert head("http://old-press.example/cgi-bin/article.pl?id=20240316").status_code == 405
    challenge = head("http://tech-review.example/2024/03/fab-tour")
    assert (challenge.status_code, challenge.headers["cf-mitigated"]) == (403, "challenge")
    gazette = demo_web["slow-gazette.example"]
    assert gazette.latency == pytest.approx(1.5)
    assert resolve["linjiang-observer.example"] is None
    assert Path(demo_articles(), "linjiang-flood.md").is_file()
