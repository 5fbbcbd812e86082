"""The soft-rot rules as a table: evidence in, verdict out, no sockets (linkaudit.classify.soft)."""

from __future__ import annotations

import pytest

from linkaudit.classify import judge
from linkaudit.classify.soft import explain, is_deep, needs_sibling, parking_service
from linkaudit.models import ErrorKind, Evidence, Hop, Judgement, SoftEvidence, Verdict

DEEP = "http://news.example/world/2019/05/harbour-fire.html"
ARTICLE = SoftEvidence(title="Harbour fire | News", words=420)


def answered(soft: SoftEvidence | None, url: str = DEEP) -> Evidence:
    return Evidence(url, status=200, final_url=url, soft=soft)


def redirected(
    final: str, soft: SoftEvidence | None = ARTICLE, url: str = DEEP, status: int = 200
) -> Evidence:
    return Evidence(url, status=status, final_url=final, redirects=(Hop(url, 301),), soft=soft)


def sibling(similarity: float | None, status: int | None = 200, **fields: object) -> SoftEvidence:
    values: dict[str, object] = {
        "title": "Harbour fire | News",
        "words": 420,
        "sibling_url": "http://news.example/world/2019/05/qwertyuiopasdfghjklzxcvbn.html",
        "sibling_status": status,
        "sibling_final_url": "http://news.example/world/2019/05/qwertyuiopasdfghjklzxcvbn.html",
        "similarity": similarity,
        "sibling_requests": 1,
    }
    values.update(fields)
    return SoftEvidence(**values)  # type: ignore[arg-type]


def verdict(evidence: Evidence) -> tuple[Verdict, str]:
    judgement = judge(evidence)
    return judgement.verdict, judgement.reason


SOFT_404 = (Verdict.SOFT_DEAD, "soft-404")
HOME = (Verdict.SOFT_DEAD, "redirect-to-home")
PARKED = (Verdict.USURPED, "parked-domain")
LIVE = (Verdict.LIVE, "http-200")
MOVED = (Verdict.REDIRECTED, "redirect-301")

CASES: list[tuple[str, Evidence, tuple[Verdict, str]]] = [
    # Not examined (--no-soft, an old record): the plain verdict, whatever the page.
    ("not examined", answered(None), LIVE),
    ("examined, nothing to say", answered(SoftEvidence(words=300)), LIVE),
    # Parked domains.
    ("redirect to sedo", redirected("http://sedo.com/search/details/?domain=news.example"), PARKED),
    (
        "redirect to a parking service that then refuses robots",
        redirected("https://www.afternic.com/forsale/news.example", status=403),
        PARKED,
    ),
    (
        "redirect to a parking service that fails",
        Evidence(
            DEEP,
            error=ErrorKind.TLS,
            final_url="https://www.hugedomains.com/domain_profile.cfm?d=news.example",
            redirects=(Hop(DEEP, 302),),
            soft=SoftEvidence(),
        ),
        PARKED,
    ),
    (
        "a page of the parking service itself is just a page",
        redirected("https://sedo.com/uk/about-us/", url="http://sedo.com/about"),
        MOVED,
    ),
    ("godaddy's help pages are no parking", redirected("https://www.godaddy.com/help/a-1"), MOVED),
    ("a parking script", answered(SoftEvidence(markers=("resource:sedoparking.com",), words=900)), PARKED),
    (
        "for-sale words on a short page",
        answered(SoftEvidence(markers=("text:buy this domain",), words=30)),
        PARKED,
    ),
    (
        "for-sale words quoted in an article",
        answered(SoftEvidence(markers=("text:this domain is for sale",), words=600)),
        LIVE,
    ),
    (
        "for-sale words on every path, however long",
        answered(sibling(0.97, markers=("text:this domain is for sale",), words=600)),
        PARKED,
    ),
    (
        "a parked domain's home page",
        answered(SoftEvidence(markers=("resource:bodis.com",)), "http://x.example/"),
        PARKED,
    ),
    # Redirects home.
    ("deep link to the root", redirected("http://news.example/"), HOME),
    ("deep link to an index file", redirected("http://news.example/index.html"), HOME),
    ("deep link to a language root", redirected("http://news.example/zh-hans/"), HOME),
    ("deep link to /en", redirected("http://news.example/en"), HOME),
    ("deep link to a login page", redirected("http://news.example/account/login?next=/world/x"), HOME),
    (
        "deep link to a page with a password field",
        redirected("http://news.example/welcome", sibling(None, login_form=True)),
        HOME,
    ),
    ("deep link to its section", redirected("http://news.example/world/"), HOME),
    ("deep link to its year", redirected("http://news.example/world/2019/"), HOME),
    ("deep link to another site's home", redirected("https://new-news.example/"), HOME),
    ("the AMP view dropped", redirected(DEEP, url=DEEP.removesuffix(".html") + "/amp"), MOVED),
    (
        "a slug dropped, the id kept",
        redirected("http://news.example/story/1234567", url="http://news.example/story/1234567/old-title"),
        MOVED,
    ),
    (
        "a shortener to a home page",
        redirected("https://project.example/", url="http://sho.example/x7Kq"),
        MOVED,
    ),
    ("moved to another article", redirected("http://news.example/world/2019/05/harbour-fire-2.html"), MOVED),
    (
        "the home page redirected home",
        redirected("http://news.example/en/", url="http://news.example/"),
        MOVED,
    ),
    (
        "a login page cited as such",
        redirected("http://news.example/login/", url="http://news.example/login"),
        (Verdict.LIVE, "benign-redirect"),
    ),
    # Soft 404s.
    ("the same page as the sibling", answered(sibling(0.95)), SOFT_404),
    ("alike, and says not found", answered(sibling(0.6, wording="page not found")), SOFT_404),
    (
        "alike, and the sibling's very title",
        answered(sibling(0.6, sibling_title="Harbour fire | News")),
        SOFT_404,
    ),
    ("alike, nothing more", answered(sibling(0.6)), LIVE),
    ("an article beside a soft-404 page", answered(sibling(0.05, sibling_wording="page not found")), LIVE),
    (
        "an article titled 'Error 404' beside a soft-404 page",
        answered(sibling(0.0, wording="error 404", sibling_wording="page not found", words=400)),
        LIVE,
    ),
    ("a live page on a site with proper 404s", answered(sibling(None, status=404)), LIVE),
    (
        "a short not-found page on a site with proper 404s",
        answered(sibling(None, status=404, wording="not found", words=40)),
        SOFT_404,
    ),
    (
        "a not-found page, the sibling failed",
        answered(sibling(None, status=None, sibling_error=ErrorKind.TIMEOUT, wording="页面不存在", words=30)),
        SOFT_404,
    ),
    ("an app shell, the same for every path", answered(sibling(1.0, words=6)), LIVE),
    (
        "redirected where the sibling went",
        redirected(
            "http://news.example/404.html",
            sibling(0.2, sibling_final_url="http://news.example/404.html"),
        ),
        SOFT_404,
    ),
    ("a site's home page is never soft", answered(sibling(1.0), url="http://news.example/"), LIVE),
    # A site that routes by an id and rewrites or ignores the words after it: the sibling is the page.
    (
        "the sibling redirected to the page itself (a slug rewritten)",
        answered(
            sibling(1.0, sibling_final_url="http://qa.example/questions/12345/how-to-parse-json"),
            url="http://qa.example/questions/12345/how-to-parse-json",
        ),
        LIVE,
    ),
    (
        "a stale slug: both redirected to the page's one name",
        redirected(
            "http://qa.example/questions/12345/how-to-parse-json",
            sibling(1.0, sibling_final_url="http://qa.example/questions/12345/how-to-parse-json"),
            url="http://qa.example/questions/12345/old-words",
        ),
        MOVED,
    ),
    (
        "a slug dropped after an id",
        redirected(
            "http://news.example/story/12345",
            sibling(1.0, sibling_final_url="http://news.example/story/12345"),
            url="http://news.example/story/12345/old-title",
        ),
        MOVED,
    ),
    (
        "a slug ignored: both pages name the same article as canonical",
        answered(
            sibling(
                1.0,
                canonical="http://news.example/world/2019/05/harbour-fire.html",
                sibling_canonical="http://news.example/world/2019/05/harbour-fire.html",
            )
        ),
        LIVE,
    ),
    (
        "a stand-in page naming the home page as canonical",
        answered(sibling(1.0, canonical="http://news.example/", sibling_canonical="http://news.example/")),
        SOFT_404,
    ),
    (
        "a stand-in page naming the section above as canonical",
        answered(
            sibling(
                1.0, canonical="http://news.example/world/", sibling_canonical="http://news.example/world/"
            )
        ),
        SOFT_404,
    ),
    (
        "redirected with the sibling to a page of the directory, but saying not found",
        redirected(
            "http://news.example/world/2019/05/missing.html",
            sibling(
                0.9, sibling_final_url="http://news.example/world/2019/05/missing.html", wording="not found"
            ),
        ),
        SOFT_404,
    ),
    (
        "a root-level page sent where its sibling went is no slug",
        redirected(
            "http://news.example/404.html",
            sibling(0.2, sibling_final_url="http://news.example/404.html"),
            url="http://news.example/story.html",
        ),
        SOFT_404,
    ),
    ("a 404 stays dead", Evidence(DEEP, status=404, soft=SoftEvidence()), (Verdict.DEAD, "http-404")),
]


@pytest.mark.parametrize(("name", "evidence", "expected"), CASES, ids=[case[0] for case in CASES])
def test_rules(name: str, evidence: Evidence, expected: tuple[Verdict, str]) -> None:
    assert verdict(evidence) == expected


def test_every_soft_verdict_says_why_with_its_evidence() -> None:
    for name, evidence, (expected, _) in CASES:
        judgement = judge(evidence)
        why = explain(evidence, judgement)
        if expected in (Verdict.SOFT_DEAD, Verdict.USURPED):
            assert why, name
            soft = evidence.soft
            assert soft is not None
            # It names the evidence: where the redirects ended, the sibling, the wording or the marker.
            shown = [
                evidence.final_url,
                soft.sibling_url,
                soft.wording,
                *(m.split(":", 1)[1] for m in soft.markers),
            ]
            assert any(part and part[:60] in why for part in shown), (name, why)
        else:
            assert why is None, name
    why = explain(answered(sibling(0.95)), Judgement(Verdict.SOFT_DEAD, "soft-404"))
    assert why is not None
    assert "qwertyuiopasdfghjklzxcvbn" in why and "95%" in why and "1 extra" in why
    parked = redirected("http://sedo.com/search/details/?domain=news.example")
    assert "sedo.com" in (explain(parked, judge(parked)) or "")


def test_a_sibling_is_asked_for_only_where_it_can_change_the_verdict() -> None:
    plain = Judgement(Verdict.LIVE, "http-200")
    assert needs_sibling(answered(ARTICLE), plain)
    assert not needs_sibling(answered(None), plain)  # not examined
    assert not needs_sibling(answered(ARTICLE, "http://news.example/"), plain)  # a home page
    assert not needs_sibling(answered(ARTICLE, "http://news.example/en/"), plain)  # a language root
    home = redirected("http://news.example/")
    assert not needs_sibling(home, Judgement(Verdict.REDIRECTED, "redirect-301"))  # decided already
    parked = answered(SoftEvidence(markers=("resource:bodis.com",)))
    assert not needs_sibling(parked, plain)
    dead = Evidence(DEEP, status=404, soft=SoftEvidence())
    assert not needs_sibling(dead, Judgement(Verdict.DEAD, "http-404"))
    # A page that says "not found" still gets its sibling: the wording supports, the sibling proves.
    assert needs_sibling(answered(SoftEvidence(wording="page not found", words=20)), plain)


def test_depth_and_parking_services() -> None:
    assert is_deep("http://a.example/x")
    assert not is_deep("http://a.example/")
    assert not is_deep("http://a.example/index.php")
    assert not is_deep("http://a.example/zh-hant/")
    assert not is_deep("http://a.example/en-us/home")
    assert is_deep("http://a.example/faq/")  # not a language
    assert parking_service("http://www.sedo.com/x") == "sedo.com"
    assert parking_service("http://parkingpage.namecheap.com/?d=x") == "parkingpage.namecheap.com"
    assert parking_service("http://www.namecheap.com/") is None
    assert parking_service("https://www.godaddy.com/domainsearch/find?domainToCheck=x") == "godaddy.com"
    assert parking_service("https://www.godaddy.com/") is None
    assert parking_service("http://notsedo.com/") is None
