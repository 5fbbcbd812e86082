"""The run-wide post-pass: no network and captive portals, from evidence alone (no sockets)."""

from __future__ import annotations

from linkaudit.classify import judge
from linkaudit.classify.run import Doubt, reconsider
from linkaudit.models import Attempt, ErrorKind, Evidence, Hop, LinkKind, Occurrence, UrlResult, Verdict
from linkaudit.urls import normalize


def result(url: str, evidence_kw: dict[str, object], attempts: tuple[Attempt, ...] = ()) -> UrlResult:
    target = normalize(url)
    evidence = Evidence(url=target.url, attempts=attempts, **evidence_kw)  # type: ignore[arg-type]
    occ = Occurrence(
        file="a.md", line=1, column=1, start=0, end=1, kind=LinkKind.LINK, raw=url, target=target
    )
    return UrlResult(target, judge(evidence), evidence, (occ,))


def nxdomain(url: str) -> UrlResult:
    attempt = Attempt("HEAD", url, None, ErrorKind.DNS_NOT_FOUND, "name not found", connected=False)
    return result(url, {"error": ErrorKind.DNS_NOT_FOUND}, (attempt,))


def refused(url: str) -> UrlResult:
    attempt = Attempt("HEAD", url, None, ErrorKind.CONNECTION_REFUSED, "refused", connected=False)
    return result(url, {"error": ErrorKind.CONNECTION_REFUSED}, (attempt,))


def live(url: str) -> UrlResult:
    return result(url, {"status": 200}, (Attempt("HEAD", url, 200, connected=True),))


def silent(url: str) -> UrlResult:
    attempt = Attempt("HEAD", url, None, ErrorKind.TIMEOUT, "no answer", connected=True)
    return result(url, {"error": ErrorKind.TIMEOUT}, (attempt,))


def page(url: str, status: int, fingerprint: str) -> UrlResult:
    attempts = (Attempt("HEAD", url, status, connected=True), Attempt("GET", url, status, connected=True))
    return result(url, {"status": status, "fingerprint": fingerprint}, attempts)


def verdicts(results: list[UrlResult]) -> set[tuple[Verdict, str]]:
    return {(r.judgement.verdict, r.judgement.reason) for r in results}


def test_every_name_failing_on_many_hosts_is_no_network_not_rot() -> None:
    results = [nxdomain(f"http://site{n}.example/a") for n in range(6)]
    results.append(result("mailto:a@b.example", {}))  # not a web URL: no say in it
    revised, doubt = reconsider(results)
    assert doubt is not None
    assert (doubt.doubt, doubt.hosts, doubt.urls) == (Doubt.NETWORK_DOWN, 6, 6)
    assert "every name lookup failed for 6 of 6 hosts" in doubt.message
    assert verdicts(revised[:6]) == {(Verdict.UNREACHABLE, "network-down-suspected")}
    assert revised[6] == results[6]
    assert revised[0].evidence == results[0].evidence  # the evidence stands; only the verdict is withheld


def test_refused_connections_everywhere_are_no_network_too() -> None:
    results = [refused(f"http://site{n}.example/a") for n in range(5)]
    results += [nxdomain(f"http://name{n}.example/a") for n in range(5)]
    revised, doubt = reconsider(results)
    assert doubt is not None
    assert "name lookups or connections failed for 10 of 10 hosts" in doubt.message
    assert verdicts(revised) == {(Verdict.UNREACHABLE, "network-down-suspected")}


def test_one_host_that_answers_does_not_hide_a_dead_network() -> None:
    # A sandbox that reaches one mirror (or one --resolve'd name) and nothing else: 9 of 10 hosts unreached.
    results = [nxdomain(f"http://site{n}.example/a") for n in range(9)] + [live("http://up.example/")]
    revised, doubt = reconsider(results)
    assert doubt is not None
    assert "for 9 of 10 hosts and only 1 answered" in doubt.message
    assert verdicts(revised[:9]) == {(Verdict.UNREACHABLE, "network-down-suspected")}
    assert verdicts(revised[9:]) == {(Verdict.LIVE, "http-200")}


def test_enough_hosts_that_answered_prove_a_network() -> None:
    results = [nxdomain(f"http://site{n}.example/a") for n in range(8)]
    results += [live("http://up.example/"), live("http://up2.example/")]
    revised, doubt = reconsider(results)
    assert doubt is None
    assert verdicts(revised[:8]) == {(Verdict.DEAD, "dns-not-found")}


def test_a_url_that_spent_its_time_on_an_open_connection_is_no_failure() -> None:
    results = [nxdomain(f"http://site{n}.example/a") for n in range(8)]
    results += [silent("http://slow.example/"), silent("http://slow2.example/")]
    assert reconsider(results)[1] is None


def test_few_hosts_say_nothing_about_the_network() -> None:
    results = [nxdomain(f"http://site{n}.example/{p}") for n in range(4) for p in "abc"]
    assert reconsider(results)[1] is None


def test_www_and_bare_name_are_one_host() -> None:
    results = [nxdomain(f"http://{w}site{n}.example/") for n in range(3) for w in ("", "www.")]
    assert reconsider(results)[1] is None


def test_many_hosts_answering_the_same_page_is_a_captive_portal() -> None:
    results = [page(f"http://site{n}.example/a", 404, "f00dfeed") for n in range(7)]
    revised, doubt = reconsider(results)
    assert doubt is not None
    assert (doubt.doubt, doubt.hosts) == (Doubt.CAPTIVE_PORTAL, 7)
    assert doubt.message.startswith("captive portal? 7 of 7 hosts that answered sent the same page")
    assert verdicts(revised) == {(Verdict.UNREACHABLE, "captive-portal-suspected")}


def test_many_hosts_redirecting_to_one_login_page_is_a_captive_portal() -> None:
    login = "http://portal.example/login"
    results = [
        result(
            f"http://site{n}.example/a",
            {"status": 200, "redirects": (Hop(f"http://site{n}.example/a", 302),), "final_url": login},
            (Attempt("HEAD", "x", 302, connected=True), Attempt("HEAD", login, 200, connected=True)),
        )
        for n in range(6)
    ]
    assert {r.judgement.verdict for r in results} == {Verdict.REDIRECTED}
    revised, doubt = reconsider(results)
    assert doubt is not None
    assert login in doubt.message
    assert verdicts(revised) == {(Verdict.UNREACHABLE, "captive-portal-suspected")}


def test_the_same_error_page_on_a_few_of_many_hosts_is_just_common_software() -> None:
    # nginx's 404 page is byte-identical everywhere: shared by 6 dead links, but most hosts answer otherwise.
    results = [page(f"http://dead{n}.example/a", 404, "ngx404") for n in range(6)]
    results += [live(f"http://live{n}.example/") for n in range(10)]
    revised, doubt = reconsider(results)
    assert doubt is None
    assert verdicts(revised[:6]) == {(Verdict.DEAD, "http-404")}


def test_511_network_authentication_required_is_never_dead() -> None:
    assert judge(Evidence(url="http://a.example/", status=511)) == judge(
        Evidence(url="http://b.example/", status=511)
    )
    assert judge(Evidence(url="http://a.example/", status=511)).verdict is Verdict.UNREACHABLE
    results = [
        result(f"http://site{n}.example/", {"status": 511}, (Attempt("GET", "x", 511, connected=True),))
        for n in range(5)
    ]
    revised, doubt = reconsider(results)
    assert doubt is not None
    assert "511" in doubt.message
    assert verdicts(revised) == {(Verdict.UNREACHABLE, "captive-portal-suspected")}
