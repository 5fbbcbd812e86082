"""Which headers each hop of a redirect chain carries, seen by real servers on loopback (http and https).

Every server (tests/check/rawserver.py) records the headers of each request it receives; names are
mapped to 127.0.0.2 by linkaudit's resolver, and the URLs carry the ports, so two names (or two ports of
one name) are two origins on one address.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from rawserver import RawServer, answer
from tlsserver import self_signed

from linkaudit.check import CheckItem, check_targets
from linkaudit.check.headers import HeaderPolicy, Redactor
from linkaudit.check.resolve import Resolver
from linkaudit.models import Attempt, ErrorKind, Evidence, Hop, LinkKind, Occurrence, UrlResult
from linkaudit.settings import CheckSettings, HeaderRule, HostPolicy
from linkaudit.urls import normalize

ADDRESS = "127.0.0.2"
SETTINGS = CheckSettings(
    retry_base=0.02,
    retries=0,
    host=HostPolicy(concurrency=2, interval=0.0),
    timeout=5.0,
    verify_tls=False,  # the test certificate is self-signed
    allow_private_nets=(ipaddress.ip_network(f"{ADDRESS}/32"),),
)


class Routes:
    """Answers `routes[path]` (a status and a Location), or 200."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str]] = {}

    def __call__(self, path: str, headers: list[tuple[str, str]]) -> bytes:
        status, location = self.routes.get(path, (200, ""))
        return answer(status, *([("Location", location)] if location else []))


class HeaderServer(RawServer):
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.script = Routes()
        super().__init__(self.script, address=ADDRESS, tls=tls)
        self.routes = self.script.routes


@pytest.fixture
def tls_context(tmp_path: Path) -> ssl.SSLContext:
    cert, key = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


@pytest.fixture
def servers(tls_context: ssl.SSLContext) -> Iterator[tuple[HeaderServer, HeaderServer, HeaderServer]]:
    """Two plain servers and one https server, all on 127.0.0.2."""
    with HeaderServer() as first, HeaderServer() as second, HeaderServer(tls_context) as secure:
        yield first, second, secure


async def check(urls: list[str], headers: tuple[HeaderRule, ...]) -> dict[str, UrlResult]:
    results: list[UrlResult] = []
    items = []
    for url in urls:
        target = normalize(url)
        items.append(CheckItem(target, (Occurrence("a.md", 1, 1, 0, 1, LinkKind.LINK, url, target),)))
    resolver = Resolver({"*": ADDRESS}, system=False)
    settings = dataclasses.replace(SETTINGS, headers=headers)
    await check_targets(items, settings, on_result=results.append, resolver=resolver)
    return {result.target.url: result for result in results}


def values(requests: list[dict[str, list[str]]], name: str) -> set[str | None]:
    """The values `name` had across the requests (None: a request without it)."""
    found: set[str | None] = set()
    for request in requests:
        found.update(request.get(name, [None]))
    return found


async def test_credentials_stay_with_the_origin_of_the_chain(
    servers: tuple[HeaderServer, HeaderServer, HeaderServer],
) -> None:
    a, b, _ = servers
    # a.example -> b.example -> a.example; and a.example to the same name on b's port.
    a.routes.update(
        {"/r": (302, b.url("b.example", "/x")), "/port": (302, b.url("a.example", "/other-port"))}
    )
    b.routes["/x"] = (302, a.url("a.example", "/back"))
    rules = (
        HeaderRule("Authorization", "Bearer global-token-1234"),
        HeaderRule("Cookie", "session=cookie-value-5678"),
        HeaderRule("X-Trace", "trace-1"),
        HeaderRule("X-Key", "per-host-key-999", host="a.example"),
    )
    await check([a.url("a.example", "/r"), a.url("a.example", "/port")], rules)

    assert values(a.headers_at("/r"), "authorization") == {"Bearer global-token-1234"}
    assert values(a.headers_at("/r"), "cookie") == {"session=cookie-value-5678"}
    assert values(a.headers_at("/r"), "x-key") == {"per-host-key-999"}
    to_b = b.headers_at("/x")
    # Another host: no credentials, global or per-host; other global headers as asked.
    assert values(to_b, "authorization") == values(to_b, "cookie") == values(to_b, "x-key") == {None}
    assert values(to_b, "x-trace") == {"trace-1"}
    # Back at the origin, as curl does: the credentials are the origin's own.
    assert values(a.headers_at("/back"), "authorization") == {"Bearer global-token-1234"}
    # The same host on another port is another origin for global credentials (curl since 7.83) ...
    other_port = b.headers_at("/other-port")
    assert values(other_port, "authorization") == values(other_port, "cookie") == {None}
    # ... but still the host a per-host header names.
    assert values(other_port, "x-key") == {"per-host-key-999"}


async def test_no_credentials_after_a_redirect_from_https_to_http(
    servers: tuple[HeaderServer, HeaderServer, HeaderServer],
) -> None:
    plain, _, secure = servers
    secure.routes["/start"] = (302, plain.url("s.example", "/landing"))
    secure.routes["/start2"] = (302, plain.url("s.example", "/hop"))
    plain.routes["/hop"] = (302, secure.url("s.example", "/end"))
    rules = (
        HeaderRule("Authorization", "Bearer s-token-abcdef", host="s.example"),
        HeaderRule("Cookie", "id=global-cookie-42"),
    )
    await check([secure.url("s.example", "/start"), secure.url("s.example", "/start2")], rules)

    assert values(secure.headers_at("/start"), "authorization") == {"Bearer s-token-abcdef"}
    assert values(secure.headers_at("/start"), "cookie") == {"id=global-cookie-42"}
    for path in ("/landing", "/hop"):  # the same host, in clear text: nothing secret
        assert values(plain.headers_at(path), "authorization") == {None}
        assert values(plain.headers_at(path), "cookie") == {None}
    # Trust lost along a chain is not regained when a later hop returns to https.
    assert values(secure.headers_at("/end"), "authorization") == {None}


async def test_user_headers_replace_defaults_whatever_their_case(
    servers: tuple[HeaderServer, HeaderServer, HeaderServer],
) -> None:
    a, _, _ = servers
    rules = (
        HeaderRule("user-agent", "custom-agent/1"),
        HeaderRule("X-Level", "global"),
        HeaderRule("x-level", "host", host="a.example"),  # the more specific rule wins
    )
    await check([a.url("a.example", "/ua")], rules)
    for request in a.headers_at("/ua"):
        assert request["user-agent"] == ["custom-agent/1"]
        assert request["x-level"] == ["host"]


def test_redactor_stars_values_parts_and_encodings() -> None:
    redact = Redactor(["Bearer abcdef123456", "session=s3cr3t-cookie; theme=dark", "en"])
    assert redact.text("got Bearer abcdef123456!") == "got ***!"
    assert redact.text("token=abcdef123456&x=1") == "token=***&x=1"
    assert redact.text("/login?c=s3cr3t-cookie") == "/login?c=***"
    assert redact.text("Bearer%20abcdef123456") == "***"
    assert redact.text("lang=en, theme=dark") == "lang=en, theme=dark"  # short values are not secrets
    evidence = Evidence(
        url="http://a.example/",
        error=ErrorKind.PROTOCOL,
        detail="illegal status line: b'HTTP/1.1 2 abcdef123456'",
        final_url="http://b.example/?t=abcdef123456",
        redirects=(Hop("http://a.example/?t=abcdef123456", 302),),
        attempts=(
            Attempt("GET", "http://b.example/?t=abcdef123456", None, ErrorKind.PROTOCOL, "abcdef123456"),
        ),
        extra={"server": "abcdef123456"},
    )
    assert "abcdef123456" not in repr(redact.evidence(evidence))
    assert redact.evidence(evidence).url == evidence.url


@pytest.mark.parametrize(
    ("spec", "rule"),
    [
        ("Authorization: Bearer x", HeaderRule("Authorization", "Bearer x")),
        ("Cookie: a=b; c=d", HeaderRule("Cookie", "a=b; c=d")),
        ("X-Token:=abc", HeaderRule("X-Token", "=abc")),
        ("API.Example.org.=X-Key:  v\t", HeaderRule("X-Key", "v", host="api.example.org")),
        ("例子.中国=X-Key: v", HeaderRule("X-Key", "v", host="xn--fsqu00a.xn--fiqs8s")),
        ("[::1]=X-Key: v", HeaderRule("X-Key", "v", host="[::1]")),
    ],
)
def test_header_specs(spec: str, rule: HeaderRule) -> None:
    assert HeaderRule.parse(spec) == rule


@pytest.mark.parametrize(
    ("rule_host", "url", "sent"),
    [
        ("api.example.org", "https://api.example.org/x", True),
        ("api.example.org", "https://v2.api.example.org:8443/x", True),
        ("api.example.org", "https://evilapi.example.org/x", False),
        ("api.example.org", "https://api.example.org.evil.example/x", False),
        ("[::1]", "http://[::1]:8080/x", True),
        ("[::1]", "http://[::2]/x", False),
    ],
)
def test_per_host_rules_match_the_host_and_its_subdomains(rule_host: str, url: str, sent: bool) -> None:
    settings = dataclasses.replace(SETTINGS, headers=(HeaderRule("X-Key", "k", host=rule_host),))
    headers = HeaderPolicy(settings).chain(url).headers_for(url)
    assert ("X-Key" in headers) is sent
