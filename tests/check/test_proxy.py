"""Proxies and TLS trust: selection as curl makes it, and checks through a real forward proxy on loopback.

The checker's own resolver knows no name at all (`{"*": None}`, no system resolver) in the proxied tests:
that they pass shows the proxy resolved the names, from its own table of loopback addresses.
"""

from __future__ import annotations

import base64
import dataclasses
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from forward_proxy import TIMEOUT, ForwardProxy
from test_engine import FAST as ENGINE_FAST
from tlsserver import self_signed, serve_tls

from linkaudit.check import CheckItem, check_targets
from linkaudit.check.proxy import (
    NoProxy,
    Proxy,
    ProxyRoutes,
    ProxyUnreachableError,
    no_proxy_from,
    proxies_from,
    require_reachable_proxies,
)
from linkaudit.check.resolve import Resolver
from linkaudit.check.tls import check_ca_bundle
from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.models import ErrorKind, LinkKind, Occurrence, UrlResult, Verdict
from linkaudit.settings import CheckSettings, HostPolicy, SettingsError
from linkaudit.urls import normalize

FAST = dataclasses.replace(
    ENGINE_FAST, retry_base=0.01, max_retry_wait=1.0, host=HostPolicy(concurrency=2, interval=0.0)
)
NOBODY: dict[str, str | None] = {"*": None}  # the checker resolves no name itself


# --- choosing a proxy, as curl does ---------------------------------------------------------------


def test_environment_variables_per_scheme_lower_case_first() -> None:
    environ = {
        "http_proxy": "http://lower.example:3128",
        "HTTP_PROXY": "http://upper.example:3128",
        "HTTPS_PROXY": "upper-tls.example:8080",
        "ALL_PROXY": "http://all.example",
    }
    assert proxies_from(environ) == {
        "http": "http://lower.example:3128",
        "https": "http://upper-tls.example:8080",  # no scheme: http, as curl reads it
    }
    assert proxies_from({"all_proxy": "all.example"}) == {
        "http": "http://all.example:1080",  # no port: curl's 1080
        "https": "http://all.example:1080",
    }
    assert proxies_from({}) == {}


def test_the_option_overrides_the_environment() -> None:
    environ = {"HTTPS_PROXY": "http://env.example:1", "NO_PROXY": "a.example"}
    assert proxies_from(environ, proxy="https://opt.example") == {
        "http": "https://opt.example:443",
        "https": "https://opt.example:443",
    }
    assert proxies_from(environ, proxy="") == {}  # --proxy '' turns the environment's proxy off
    assert no_proxy_from(environ) == "a.example"
    assert no_proxy_from(environ, no_proxy="b.example") == "b.example"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("socks5://127.0.0.1:1080", "only http:// and https://"),
        ("http://proxy.example:99999", "bad port"),
        ("http://", "expected [http://]HOST[:PORT]"),
        ("http://proxy.example/path", "expected [http://]HOST[:PORT]"),
    ],
)
def test_bad_proxies_are_named_with_their_origin(value: str, problem: str) -> None:
    with pytest.raises(SettingsError, match="HTTPS_PROXY") as caught:
        proxies_from({"HTTPS_PROXY": value})
    assert problem in str(caught.value)


def test_credentials_are_kept_for_the_proxy_and_masked_in_reports() -> None:
    proxy = Proxy.parse("http://me:p%40ss@proxy.example:3128")
    assert (proxy.username, proxy.password) == ("me", "p@ss")
    assert proxy.shown == "http://***@proxy.example:3128"
    settings = CheckSettings(proxies={"http": proxy.url})
    assert settings.as_dict()["proxy"] == {"http": "http://***@proxy.example:3128"}
    assert "p%40ss" not in str(settings.as_dict())


@pytest.mark.parametrize(
    ("spec", "host", "port", "direct"),
    [
        ("example.org", "example.org", 80, True),
        ("example.org", "www.example.org", 80, True),
        (".example.org", "www.example.org", 443, True),
        ("example.org", "notexample.org", 80, False),
        ("example.org", "example.org.evil.test", 80, False),
        ("*", "anything.test", 80, True),
        ("a.test, b.test", "b.test", 80, True),
        ("a.test b.test", "b.test", 80, True),
        ("10.0.0.0/8", "10.1.2.3", 80, True),
        ("10.0.0.0/8", "11.1.2.3", 80, False),
        ("127.0.0.1", "127.0.0.1", 80, True),
        ("::1", "[::1]", 80, True),
        ("example.org:8080", "example.org", 8080, True),
        ("example.org:8080", "example.org", 80, False),
        ("EXAMPLE.org.", "example.ORG", 80, True),
        ("", "example.org", 80, False),
    ],
)
def test_no_proxy_matching(spec: str, host: str, port: int, direct: bool) -> None:
    assert NoProxy(spec).exempts(host, port) is direct


def test_routes_pick_the_proxy_of_the_scheme() -> None:
    routes = ProxyRoutes({"https": "http://p.example:1"}, "direct.example")
    assert routes.proxy_for("http", "a.example", None) is None
    proxy = routes.proxy_for("https", "a.example", None)
    assert proxy is not None
    assert proxy.url == "http://p.example:1"
    assert routes.proxy_for("https", "direct.example", 443) is None
    assert routes.needed_by(["https://a.example/", "https://b.example/x", "http://c.example/"]) == [proxy]
    assert routes.needed_by(["https://direct.example/"]) == []


# --- through a real proxy -------------------------------------------------------------------------


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        news = simulated.host("news.example")
        news.route("/a", Reply.html("a"))
        news.route("/b", Reply.html("b"))
        simulated.host("direct.example").route("/", Reply.html("direct"))
        yield simulated
        assert simulated.errors == []


def item(url: str) -> CheckItem:
    target = normalize(url)
    occ = Occurrence("a.md", 1, 1, 0, len(url), LinkKind.LINK, url, target)
    return CheckItem(target, (occ,))


async def check(
    urls: list[str], settings: CheckSettings, resolve: dict[str, str | None]
) -> dict[str, UrlResult]:
    results: list[UrlResult] = []
    resolver = Resolver(resolve, system=False)
    await check_targets([item(u) for u in urls], settings, on_result=results.append, resolver=resolver)
    return {r.target.url: r for r in results}


def verdicts(results: dict[str, UrlResult]) -> dict[str, tuple[str, str]]:
    return {url: (r.judgement.verdict.value, r.judgement.reason) for url, r in results.items()}


async def test_http_goes_through_the_proxy_which_resolves_names(web: SimWeb) -> None:
    with ForwardProxy(web.resolve) as proxy:
        settings = replace(FAST, proxies={"http": proxy.url})
        results = await check(["http://news.example/a", "http://news.example/b"], settings, NOBODY)
    assert verdicts(results) == {
        "http://news.example/a": ("live", "http-200"),
        "http://news.example/b": ("live", "http-200"),
    }
    # Absolute-form requests: the proxy was given the names, and the site saw them arrive through it.
    assert sorted(set(proxy.targets("HEAD"))) == ["http://news.example/a", "http://news.example/b"]
    assert web.stats("news.example").requests == 2


async def test_no_proxy_hosts_go_direct_through_our_resolver(web: SimWeb) -> None:
    with ForwardProxy(web.resolve) as proxy:
        settings = replace(FAST, proxies={"http": proxy.url, "https": proxy.url}, no_proxy="direct.example")
        # Only the exempt host is known to our resolver: the proxied one must go through the proxy.
        resolve = {"direct.example": web.resolve["direct.example"], "*": None}
        results = await check(["http://news.example/a", "http://direct.example/"], settings, resolve)
    assert {v for v, _ in verdicts(results).values()} == {"live"}
    assert proxy.targets() == ["http://news.example/a"]
    assert web.stats("direct.example").requests == 1


async def test_proxy_credentials_are_sent_to_the_proxy(web: SimWeb) -> None:
    with ForwardProxy(web.resolve) as proxy:
        authenticated = proxy.url.replace("http://", "http://me:secret@")
        settings = replace(FAST, proxies={"http": Proxy.parse(authenticated).url})
        results = await check(["http://news.example/a"], settings, NOBODY)
    assert results["http://news.example/a"].judgement.verdict is Verdict.LIVE
    assert (
        proxy.requests[0].header("Proxy-Authorization") == "Basic " + base64.b64encode(b"me:secret").decode()
    )


async def test_a_proxy_502_for_one_host_marks_that_host_not_the_run(web: SimWeb) -> None:
    gone = [f"http://gone.example/{n}" for n in range(6)]
    with ForwardProxy(web.resolve) as proxy:  # gone.example is not in its table: 502
        settings = replace(FAST, proxies={"http": proxy.url}, retries=0)
        results = await check([*gone, "http://news.example/a"], settings, NOBODY)
    assert results["http://news.example/a"].judgement.verdict is Verdict.LIVE
    for url in gone:
        assert results[url].judgement.verdict is Verdict.UNREACHABLE
    asked = [
        r for r in (results[u] for u in gone) if r.evidence is not None and not r.evidence.short_circuited
    ]
    assert {r.judgement.reason for r in asked} == {"connect-error"}
    assert asked[0].evidence is not None
    assert "proxy could not reach gone.example:80: 502 Bad Gateway" in (asked[0].evidence.detail or "")
    # The host was given up on after the dead-host threshold, as it would be without a proxy.
    short = [u for u in gone if (e := results[u].evidence) is not None and e.short_circuited]
    # (URLs already in flight when it was, up to the host's concurrency, still finish)
    assert FAST.dead_host_after <= len(asked) < FAST.dead_host_after + FAST.host.concurrency
    assert len(short) == len(gone) - len(asked) > 0
    assert len(proxy.targets()) < len(gone) * 2 + 1


async def test_a_proxy_504_is_a_timeout_of_the_host(web: SimWeb) -> None:
    with ForwardProxy({**web.resolve, "slow.example": TIMEOUT}) as proxy:
        settings = replace(FAST, proxies={"http": proxy.url}, retries=0)
        results = await check(["http://slow.example/"], settings, NOBODY)
    result = results["http://slow.example/"]
    assert (result.judgement.verdict, result.judgement.reason) == (Verdict.UNREACHABLE, "timeout")


async def test_a_failed_connect_through_the_proxy_is_the_hosts_failure(web: SimWeb) -> None:
    with ForwardProxy(web.resolve) as proxy:
        settings = replace(FAST, proxies={"https": proxy.url}, retries=0)
        results = await check(["https://gone.example/x"], settings, NOBODY)
    result = results["https://gone.example/x"]
    assert (result.judgement.verdict, result.judgement.reason) == (Verdict.UNREACHABLE, "connect-error")
    assert result.evidence is not None
    assert result.evidence.error is ErrorKind.CONNECT_ERROR
    assert proxy.targets("CONNECT") == ["gone.example:443"]


# --- https through CONNECT, and trust ---------------------------------------------------------------


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed(tmp_path, "tls.example")


async def test_https_through_connect_trusted_by_an_added_ca_bundle(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    with serve_tls(cert, key) as address, ForwardProxy({"tls.example": address}) as proxy:
        proxied = replace(FAST, proxies={"https": proxy.url}, retries=0)
        untrusted = await check(["https://tls.example/"], proxied, NOBODY)
        trusted = await check(["https://tls.example/"], replace(proxied, ca_bundle=str(cert)), NOBODY)
        insecure = await check(["https://tls.example/"], replace(proxied, verify_tls=False), NOBODY)
    assert verdicts(untrusted) == {"https://tls.example/": ("unreachable", "tls-error")}
    assert verdicts(trusted) == {"https://tls.example/": ("live", "http-200")}
    assert verdicts(insecure) == {"https://tls.example/": ("live", "http-200")}
    # The tunnel was asked for by name: the proxy resolved it.
    assert set(proxy.targets("CONNECT")) == {"tls.example:443"}


async def test_an_added_bundle_keeps_the_default_trust(certificate: tuple[Path, Path]) -> None:
    from linkaudit.check.tls import tls_context  # noqa: PLC0415

    cert, _ = certificate
    default = tls_context(CheckSettings()).cert_store_stats()["x509_ca"]
    added = tls_context(CheckSettings(ca_bundle=str(cert))).cert_store_stats()["x509_ca"]
    assert default > 100  # certifi's bundle
    assert added == default + 1


def test_a_bad_ca_bundle_is_named(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"--ca-bundle .*junk\.pem: no PEM certificates"):
        check_ca_bundle(str(junk))
    with pytest.raises(SettingsError, match=r"SSL_CERT_FILE .*: no such file"):
        check_ca_bundle(str(tmp_path / "missing.pem"), "SSL_CERT_FILE")
    with pytest.raises(SettingsError, match="is a folder"):
        check_ca_bundle(str(tmp_path))


# --- an unreachable proxy ---------------------------------------------------------------------------


def _closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there now: connection refused


async def test_an_unreachable_proxy_is_one_error_before_the_run() -> None:
    settings = replace(FAST, proxies={"https": _closed_port()}, no_proxy="local.example")
    resolver = Resolver(NOBODY, system=False)
    with pytest.raises(
        ProxyUnreachableError, match=r"cannot reach the proxy http://127\.0\.0\.1:\d+: connection refused"
    ):
        await require_reachable_proxies(settings, resolver, ["https://a.example/"])
    # Unneeded proxies are not asked for: http URLs, and hosts that go direct.
    await require_reachable_proxies(settings, resolver, ["http://a.example/", "https://local.example/"])


async def test_an_unreachable_proxy_is_not_the_hosts_failure() -> None:
    urls = [f"https://host{n}.example/" for n in range(3)] + ["https://host0.example/b"]
    settings = replace(FAST, proxies={"https": _closed_port()}, retries=0)
    results = await check(urls, settings, NOBODY)
    for result in results.values():
        assert (result.judgement.verdict, result.judgement.reason) == (Verdict.UNREACHABLE, "proxy-error")
        assert result.evidence is not None
        assert not result.evidence.short_circuited  # no host was taken for dead
        assert "unreachable: connection refused" in (result.evidence.detail or "")
