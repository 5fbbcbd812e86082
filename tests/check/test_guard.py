"""The private-network guard: no connection to a non-public address, whichever way the address came.

No test here may connect anywhere but loopback, not even to show that a guard is missing: the checker's
network backend is a `RecordingNetwork` that notes every connection the guard let through and opens only
those to the loopback test servers it is told of. Every other attempt is recorded and refused, never made,
so "the guard let it through" shows up as a recorded attempt, not as traffic.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import pytest

from linkaudit.check import CheckItem, check_targets
from linkaudit.check.guard import AddressGuard, non_public_range
from linkaudit.check.resolve import BlockedAddress, Resolver, ResolvingBackend
from linkaudit.classify import judge
from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.models import ErrorKind, Evidence, LinkKind, Occurrence, UrlResult, Verdict
from linkaudit.settings import CheckSettings, HostPolicy, SettingsError, parse_network
from linkaudit.urls import normalize

SETTINGS = CheckSettings(
    retry_base=0.02, max_retry_wait=2.0, host=HostPolicy(concurrency=4, interval=0.0), timeout=5.0
)


class RecordingNetwork(httpcore.TrioBackend):
    """Records every connection asked of it; opens only those to `servers` (loopback test servers)."""

    def __init__(self, servers: Iterable[str] = ()) -> None:
        self.servers = frozenset(servers)
        for server in self.servers:
            assert ipaddress.ip_address(server).is_loopback, "tests connect to loopback only"
        self.attempts: list[tuple[str, int]] = []

    async def connect_tcp(
        self, host: str, port: int, *args: Any, **kwargs: Any
    ) -> httpcore.AsyncNetworkStream:
        self.attempts.append((host, port))
        if host not in self.servers:
            raise httpcore.ConnectError(f"recorded, not connected: {host}:{port}")
        return await super().connect_tcp(host, port, *args, **kwargs)

    @property
    def others(self) -> list[tuple[str, int]]:
        """Attempts at anything but the test servers: the guard should have stopped every one."""
        return [attempt for attempt in self.attempts if attempt[0] not in self.servers]


@pytest.fixture
def web() -> Iterator[SimWeb]:
    simulated = SimWeb()
    with simulated:
        yield simulated
    assert not simulated.errors


def item(url: str) -> CheckItem:
    target = normalize(url)
    occ = Occurrence("a.md", 1, 1, 0, len(url), LinkKind.LINK, url, target)
    return CheckItem(target, (occ,))


async def check(
    urls: list[str],
    network: RecordingNetwork,
    *,
    settings: CheckSettings = SETTINGS,
    resolver: Resolver | None = None,
) -> dict[str, UrlResult]:
    results: list[UrlResult] = []
    resolver = resolver or Resolver({"*": None}, system=False)
    await check_targets(
        [item(url) for url in urls], settings, on_result=results.append, resolver=resolver, network=network
    )
    return {result.target.url: result for result in results}


def refused(result: UrlResult) -> bool:
    evidence = result.evidence
    return (
        (result.judgement.verdict, result.judgement.reason) == (Verdict.SKIPPED, "private-address")
        and evidence is not None
        and evidence.error is ErrorKind.BLOCKED_ADDRESS
    )


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local (cloud metadata)"),
        ("100.64.0.1", "shared (carrier-grade NAT)"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),
        ("224.0.0.251", "multicast"),
        ("255.255.255.255", "broadcast"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.7", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("::7f00:1", "reserved"),  # IPv4-compatible ::127.0.0.1
        ("fd00:ec2::254", "unique local (private)"),  # AWS's IPv6 metadata address
        ("fc00::1", "unique local (private)"),
        ("fe80::1", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", "documentation"),
        ("::ffff:127.0.0.1", "loopback, IPv4-mapped"),
        ("::ffff:169.254.169.254", "link-local (cloud metadata), IPv4-mapped"),
        ("64:ff9b::a9fe:a9fe", "link-local (cloud metadata), NAT64"),
        ("2002:a00:1::", "private, 6to4"),
        ("64:ff9b:1::1", "NAT64 local-use"),
    ],
)
def test_non_public_ranges_are_named(address: str, kind: str) -> None:
    assert non_public_range(ipaddress.ip_address(address)) == kind
    assert AddressGuard().refusal(address) == kind
    assert AddressGuard(deny_private=False).refusal(address) is None


@pytest.mark.parametrize(
    "address",
    ["93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"],
)
def test_public_addresses_pass(address: str) -> None:
    assert non_public_range(ipaddress.ip_address(address)) is None
    assert AddressGuard().refusal(address) is None


def test_allowed_networks_are_exempt_and_nothing_else() -> None:
    guard = AddressGuard(allowed=(parse_network("127.0.0.2"), parse_network("10.20.0.0/16")))
    assert guard.refusal("127.0.0.2") is None
    assert guard.refusal("::ffff:127.0.0.2") is None  # the same address, reached over IPv6
    assert guard.refusal("10.20.3.4") is None
    assert guard.refusal("127.0.0.1") == "loopback"
    assert guard.refusal("10.21.0.1") == "private"
    assert guard.refusal("::1") == "loopback"
    assert guard.refusal("not-an-address") == "not an IP address"


@pytest.mark.parametrize("spec", ["10.0.0.0/33", "10.0.0.1/8", "intranet", ""])
def test_bad_networks_are_settings_errors(spec: str) -> None:
    with pytest.raises(SettingsError, match="--allow-private-net"):
        parse_network(spec)


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
    ],
)
async def test_numeric_hosts_are_addresses_not_names(host: str, address: str) -> None:
    # Resolvers and browsers read these as IPv4 addresses; so does ours, even with the system resolver off.
    assert await Resolver({"*": None}, system=False).resolve(host, 80) == (address, 80)


def test_blocked_address_is_skipped_private_address() -> None:
    evidence = Evidence(url="http://10.0.0.1/", error=ErrorKind.BLOCKED_ADDRESS, detail="x")
    assert judge(evidence).verdict is Verdict.SKIPPED
    assert judge(evidence).reason == "private-address"


async def test_backend_refuses_before_connecting() -> None:
    network = RecordingNetwork()
    backend = ResolvingBackend(Resolver({"meta.example": "169.254.169.254"}, system=False), network)
    with pytest.raises(BlockedAddress, match="link-local"):
        await backend.connect_tcp("meta.example", 80)
    with pytest.raises(BlockedAddress, match=r"^::1: loopback address, not connected"):
        await backend.connect_tcp("::1", 80)
    assert network.attempts == []


async def test_private_targets_are_skipped_without_a_connection_attempt() -> None:
    network = RecordingNetwork()
    urls = [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://192.168.0.1/admin",
        "http://172.16.0.1/",
        "http://127.0.0.1:9/",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
        "http://[fd00::1]/",
        "https://[fe80::1]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:a9fe:a9fe::]/",
        "http://intranet.example/wiki",  # --resolve'd to a private address
        "https://metadata.example/",  # rebinding: a public-looking name, a link-local answer
    ]
    resolver = Resolver(
        {"intranet.example": "10.0.0.1", "metadata.example": "[fd00:ec2::254]", "*": None}, system=False
    )
    results = await check(urls, network, resolver=resolver)
    assert network.attempts == []
    for url in urls:
        result = results[normalize(url).url]
        assert refused(result), (url, result.judgement, result.evidence)
        assert result.evidence is not None
        assert len(result.evidence.attempts) == 1  # refused at once: no retry, no GET after HEAD


async def test_redirects_to_private_addresses_are_refused(web: SimWeb) -> None:
    news = web.host("news.example")
    server = news.ip
    assert server != "127.0.0.1"  # so that 127.0.0.1 below is not the server itself
    targets = {
        "/meta": "http://169.254.169.254/latest/meta-data/",
        "/ten": "http://10.0.0.1/",
        "/v6": "http://[::1]/",
        "/zero": "http://0.0.0.0/",
        "/mapped": "http://[::ffff:127.0.0.1]/",
        "/local": "http://127.0.0.1/",
        "/named": "http://intranet.example/",
        "/https": "https://intranet.example/secure",
    }
    for path, location in targets.items():
        news.route(path, Reply.redirect(location, 302))
    news.route("/fine", Reply.redirect("/ok", 301))
    news.route("/ok", Reply.html("ok"))
    network = RecordingNetwork([server])
    settings = dataclasses.replace(SETTINGS, allow_private_nets=(parse_network(server),))
    resolver = Resolver({**web.resolve, "intranet.example": "10.0.0.1", "*": None}, system=False)
    urls = [web.url("news.example", path) for path in [*targets, "/fine"]]
    results = await check(urls, network, settings=settings, resolver=resolver)

    assert network.others == []
    assert {address for address, _ in network.attempts} == {server}
    for path, location in targets.items():
        result = results[f"http://news.example{path}"]
        assert refused(result), (path, result.judgement)
        assert result.evidence is not None
        assert [hop.url for hop in result.evidence.redirects] == [f"http://news.example{path}"]
        assert result.evidence.final_url == normalize(location).url
    assert results["http://news.example/fine"].judgement.verdict is Verdict.REDIRECTED  # an allowed hop
    assert web.stats("news.example").paths["/meta"] >= 1  # the public hop itself was asked


async def test_a_name_whose_answer_changes_between_checks_is_judged_again(web: SimWeb) -> None:
    web.host("flip.example").route("/a", Reply.html("a"), Reply.html("a"), Reply.html("a"))
    server = web["flip.example"].ip

    class Rebinding(Resolver):
        """Answers the test server first, then (as a rebinding attacker's DNS would) a private address."""

        def __init__(self, answers: list[tuple[str, int]]) -> None:
            super().__init__({"*": None}, system=False)
            self.answers = answers

        async def resolve(self, host: str, port: int) -> tuple[str, int]:
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    resolver = Rebinding([(server, web["flip.example"].port), ("10.0.0.1", 80)])
    network = RecordingNetwork([server])
    settings = dataclasses.replace(SETTINGS, allow_private_nets=(parse_network(server),))
    url = "http://flip.example/a"
    first = await check([url], network, settings=settings, resolver=resolver)
    second = await check([url], network, settings=settings, resolver=resolver)
    assert first[url].judgement.verdict is Verdict.LIVE
    assert refused(second[url])
    assert network.others == []


async def test_allow_private_turns_the_guard_off(web: SimWeb) -> None:
    web.host("lan.example").route("/a", Reply.html("a"))
    server = web["lan.example"].ip
    network = RecordingNetwork([server])
    resolver = Resolver({**web.resolve, "*": None}, system=False)
    url = "http://lan.example/a"
    guarded = await check([url], network, resolver=resolver)
    assert refused(guarded[url])
    assert network.attempts == []
    open_settings = dataclasses.replace(SETTINGS, deny_private=False)
    assert (await check([url], network, settings=open_settings, resolver=resolver))[
        url
    ].judgement.verdict is Verdict.LIVE
    assert network.others == []
