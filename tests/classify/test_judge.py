"""The verdict table: every rule of `judge`, without sockets."""

from __future__ import annotations

import pytest

from linkaudit.classify import is_benign_redirect, judge
from linkaudit.models import ErrorKind, Evidence, Hop, Verdict

U = "http://news.example/a"


def ev(status: int | None = 200, **kw: object) -> Evidence:
    return Evidence(url=kw.pop("url", U), status=status, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("evidence", "verdict", "reason"),
    [
        (ev(200), Verdict.LIVE, "http-200"),
        (ev(204), Verdict.LIVE, "http-204"),
        (ev(206), Verdict.LIVE, "http-206"),
        (ev(404), Verdict.DEAD, "http-404"),
        (ev(410), Verdict.DEAD, "http-410"),
        (ev(400), Verdict.DEAD, "http-400"),
        (ev(500), Verdict.DEAD, "http-500"),
        (ev(502), Verdict.DEAD, "http-502"),
        (ev(503), Verdict.DEAD, "http-503"),
        (ev(503, retry_after=5.0), Verdict.RATE_LIMITED, "http-503-retry-after"),
        (ev(429), Verdict.RATE_LIMITED, "http-429"),
        (ev(401), Verdict.BLOCKED, "http-401"),
        (ev(402), Verdict.BLOCKED, "http-402"),
        (ev(403), Verdict.BLOCKED, "http-403"),
        (ev(407), Verdict.BLOCKED, "http-407"),
        (ev(451), Verdict.BLOCKED, "http-451"),
        (ev(999), Verdict.BLOCKED, "http-999"),
        (ev(403, challenge=True), Verdict.BLOCKED, "bot-challenge"),
        (ev(200, challenge=True), Verdict.BLOCKED, "bot-challenge"),
        (ev(304), Verdict.DEAD, "http-304-without-location"),
        (ev(None, error=ErrorKind.DNS_NOT_FOUND), Verdict.DEAD, "dns-not-found"),
        (ev(None, error=ErrorKind.REDIRECT_LOOP), Verdict.DEAD, "redirect-loop"),
        (ev(None, error=ErrorKind.TOO_MANY_REDIRECTS), Verdict.DEAD, "too-many-redirects"),
        (ev(None, error=ErrorKind.FILE_MISSING), Verdict.DEAD, "file-missing"),
        (ev(None, error=ErrorKind.TIMEOUT), Verdict.UNREACHABLE, "timeout"),
        (ev(None, error=ErrorKind.CONNECTION_REFUSED), Verdict.UNREACHABLE, "connection-refused"),
        (ev(None, error=ErrorKind.CONNECTION_RESET), Verdict.UNREACHABLE, "connection-reset"),
        (ev(None, error=ErrorKind.TLS), Verdict.UNREACHABLE, "tls-error"),
        (ev(None, error=ErrorKind.PROTOCOL), Verdict.UNREACHABLE, "protocol-error"),
        (ev(None, error=ErrorKind.DNS_FAILURE), Verdict.UNREACHABLE, "dns-failure"),
        (ev(None, error=ErrorKind.DNS_NOT_FOUND, short_circuited=True), Verdict.DEAD, "host-unreachable"),
        (
            ev(None, error=ErrorKind.CONNECTION_REFUSED, short_circuited=True),
            Verdict.UNREACHABLE,
            "host-unreachable",
        ),
    ],
)
def test_verdict_table(evidence: Evidence, verdict: Verdict, reason: str) -> None:
    judgement = judge(evidence)
    assert (judgement.verdict, judgement.reason) == (verdict, reason)


def test_accept_counts_extra_statuses_live() -> None:
    assert judge(ev(403), accept=frozenset({403})).verdict is Verdict.LIVE
    assert judge(ev(404), accept=frozenset({403})).verdict is Verdict.DEAD


def test_image_that_answers_html_is_dead_only_for_image_citations() -> None:
    page = ev(200, is_image=False, content_type="text/html")
    assert judge(page, wants_image=True) == judge(page, wants_image=True)
    assert judge(page, wants_image=True).reason == "not-an-image"
    assert judge(page, wants_image=True).verdict is Verdict.DEAD
    assert judge(page, wants_image=False).verdict is Verdict.LIVE
    assert judge(ev(200, is_image=True), wants_image=True).verdict is Verdict.LIVE


@pytest.mark.parametrize(
    ("hops", "final", "verdict", "permanent"),
    [
        ((Hop(U, 301),), "https://news.example/a", Verdict.LIVE, None),
        ((Hop(U, 301),), "http://news.example/a/", Verdict.LIVE, None),
        ((Hop(U, 302),), "http://www.news.example/a", Verdict.LIVE, None),
        ((Hop(U, 301),), "http://other.example/a", Verdict.REDIRECTED, True),
        ((Hop(U, 308), Hop("http://news.example/b", 301)), "http://news.example/c", Verdict.REDIRECTED, True),
        (
            (Hop(U, 301), Hop("http://news.example/b", 302)),
            "http://news.example/c",
            Verdict.REDIRECTED,
            False,
        ),
        ((Hop(U, 302),), "http://news.example/b", Verdict.REDIRECTED, False),
        ((Hop(U, 307),), "http://news.example/b", Verdict.REDIRECTED, False),
    ],
)
def test_redirects(hops: tuple[Hop, ...], final: str, verdict: Verdict, permanent: bool | None) -> None:
    judgement = judge(ev(200, redirects=hops, final_url=final))
    assert judgement.verdict is verdict
    assert judgement.permanent is permanent


def test_benign_redirect_rules() -> None:
    assert is_benign_redirect("http://a.example/x", "https://a.example/x")
    assert is_benign_redirect("https://A.example/x", "https://www.a.example/x/")
    assert not is_benign_redirect("https://a.example/x", "http://a.example/x")  # a downgrade is news
    assert not is_benign_redirect("https://a.example/x", "https://a.example/")  # to the home page
    assert not is_benign_redirect("https://a.example/x?id=1", "https://a.example/x?id=2")


def test_every_verdict_string_is_stable() -> None:
    assert [v.value for v in Verdict] == [
        "live",
        "redirected",
        "dead",
        "blocked",
        "rate-limited",
        "unreachable",
        "invalid",
        "skipped",
        "soft-dead",
        "usurped",
        "deviated",
    ]
