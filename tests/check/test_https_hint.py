"""`https-available` decided from the probes' results (pure): which hosts are asked, and when an answer
over https:// says the host has it."""

from __future__ import annotations

from linkaudit.check.hygiene import https_probes, with_network_findings
from linkaudit.models import Evidence, FindingKind, Judgement, LinkKind, Occurrence, UrlResult, Verdict
from linkaudit.urls import normalize


def result(url: str, verdict: Verdict, final: str | None = None, cited: bool = True) -> UrlResult:
    target = normalize(url)
    occurrences = (Occurrence("a.md", 1, 1, 0, len(url), LinkKind.LINK, url, target),) if cited else ()
    evidence = Evidence(url=target.url, status=200, final_url=final or target.url)
    return UrlResult(target, Judgement(verdict, "test"), evidence, occurrences)


def hinted(cited: list[UrlResult], probed: list[UrlResult]) -> dict[str, list[str | None]]:
    probes = https_probes(cited)
    out = with_network_findings(cited, probes, probed)
    return {
        r.target.url: [
            f.suggestion for o in r.occurrences for f in o.findings if f.kind is FindingKind.HTTPS_AVAILABLE
        ]
        for r in out
    }


def test_an_https_answer_from_the_host_itself_www_aside() -> None:
    cited = [result("http://a.example/x", Verdict.LIVE), result("http://b.example/y", Verdict.LIVE)]
    probed = [
        result("https://a.example/x", Verdict.REDIRECTED, "https://www.a.example/x", cited=False),
        result("https://b.example/y", Verdict.LIVE, cited=False),
    ]
    assert hinted(cited, probed) == {
        "http://a.example/x": ["https://a.example/x"],
        "http://b.example/y": ["https://b.example/y"],
    }


def test_a_redirect_to_another_host_over_https_is_no_hint() -> None:
    """A host whose https:// sends the reader to a parking service, a sign-in page elsewhere or a new
    owner does not serve the cited page over https."""
    cited = [result("http://a.example/x", Verdict.LIVE)]
    probed = [
        result("https://a.example/x", Verdict.REDIRECTED, "https://sedoparking.com/a.example", cited=False)
    ]
    assert hinted(cited, probed) == {"http://a.example/x": []}


def test_a_parked_host_is_not_probed_at_all() -> None:
    cited = [
        result("http://parked.example/x", Verdict.USURPED),
        result("http://parked.example/y", Verdict.LIVE),
    ]
    assert https_probes(cited).chosen == {}
    probed = [result("https://parked.example/x", Verdict.LIVE, cited=False)]
    assert hinted(cited, probed) == {"http://parked.example/x": [], "http://parked.example/y": []}
