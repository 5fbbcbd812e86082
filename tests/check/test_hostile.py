"""One hostile URL never ends the run, and never runs for long: over-long destinations and redirects,
broken `Location`s, slow endless redirect chains and silent hosts, against raw servers on loopback."""

from __future__ import annotations

import dataclasses
import json
import socket
import time

import pytest
from fault_cases import SETTINGS
from faults import FaultServer, RawRequest, reset, respond

from linkaudit.check import CheckItem, check_targets
from linkaudit.check.resolve import Resolver
from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.models import ErrorKind, LinkKind, Occurrence, UrlResult, Verdict
from linkaudit.report.serialize import url_result_dict
from linkaudit.settings import CheckSettings, HostPolicy
from linkaudit.urls import normalize

# The fault suite's settings (loopback allowed through the guard), with a longer deadline per attempt.
FAST = dataclasses.replace(SETTINGS, retry_base=0.02, timeout=5.0)


def item(url: str, kind: LinkKind = LinkKind.LINK) -> CheckItem:
    target = normalize(url)
    occ = Occurrence(file="a.md", line=1, column=1, start=0, end=len(url), kind=kind, raw=url, target=target)
    return CheckItem(target, (occ,))


async def check(
    urls: list[str], settings: CheckSettings = FAST, hosts: dict[str, str | None] | None = None
) -> list[UrlResult]:
    results: list[UrlResult] = []
    resolver = Resolver({**(hosts or {}), "*": None}, system=False)
    await check_targets([item(url) for url in urls], settings, on_result=results.append, resolver=resolver)
    return results


def redirecting(location: bytes, *, status: int = 302) -> FaultServer:
    """A server whose /start answers `location` byte for byte; every other path is a page."""

    def answer(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
        if request.target == "/start":
            respond(conn, status, raw_headers=b"Location: " + location + b"\r\n")
        else:
            respond(conn, 200, b"<p>page</p>", {"Content-Type": "text/html"})

    return FaultServer(answer)


async def test_a_destination_longer_than_any_client_takes_is_invalid_not_a_crash() -> None:
    urls = ["http://long.example/" + "a" * 70_000, "http://long.example/short"]
    results = {r.target.url[:40]: r for r in await check(urls)}
    long = results["http://long.example/" + "a" * 20]
    assert (long.judgement.verdict, long.judgement.reason) == (Verdict.INVALID, "url-too-long")
    # The run went on: the other URL has its own verdict (its name does not exist).
    assert results["http://long.example/short"].judgement.reason == "dns-not-found"


async def test_relative_redirects_that_join_past_64_kib_are_a_bad_redirect() -> None:
    first, second = "/" + "a" * 40_000 + "/", "b" * 40_000

    def answer(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
        location = first if request.target == "/start" else second
        respond(conn, 302, headers={"Location": location})

    with FaultServer(answer) as server:
        (result,) = await check(["http://grow.example/start"], hosts={"grow.example": server.address})
    assert (result.judgement.verdict, result.judgement.reason) == (Verdict.DEAD, "bad-redirect")
    assert result.evidence is not None
    assert "too long" in (result.evidence.detail or "")


@dataclasses.dataclass(frozen=True)
class BadLocation:
    name: str
    location: bytes
    detail: str


BAD_LOCATIONS = [
    BadLocation("control", b"/a\x01b", "control character"),
    BadLocation("nul", b"/a\x00b", "control character"),
    BadLocation("tab", b"/a\tb", "control character"),
    BadLocation("100 KB", b"/" + b"x" * 100_000, "too long"),
    BadLocation("malformed", b"http://[::1/x", "malformed"),
    BadLocation("not web", b"ftp://files.example/x", "non-web"),
]


async def test_a_bad_location_is_a_bad_redirect_at_once() -> None:
    for case in BAD_LOCATIONS:
        with redirecting(case.location) as server:
            settings = dataclasses.replace(FAST, retries=3)
            (result,) = await check(["http://bad.example/start"], settings, {"bad.example": server.address})
        assert (result.judgement.verdict, result.judgement.reason) == (Verdict.DEAD, "bad-redirect"), case
        assert result.evidence is not None
        assert case.detail in (result.evidence.detail or ""), (case, result.evidence.detail)
        assert len(result.evidence.attempts) == 1, (case, result.evidence.attempts)  # no retries, no GET


async def test_a_location_in_another_encoding_is_followed_byte_for_byte_as_browsers_do() -> None:
    with redirecting(b"/caf\xe9") as server:
        (result,) = await check(["http://latin.example/start"], hosts={"latin.example": server.address})
        seen = list(server.paths())
    assert result.judgement.verdict is Verdict.REDIRECTED
    assert result.evidence is not None
    assert result.evidence.final_url == "http://latin.example/caf%E9"
    assert "/caf%E9" in seen


def slow_chain(delay: float, reset_at: int) -> FaultServer:
    """Each /hopN answers a redirect to /hopN+1 after `delay` seconds; /hop{reset_at} resets."""

    def answer(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
        hop = int(request.target.removeprefix("/hop"))
        if hop >= reset_at:
            reset(conn)
            return
        server.stopping.wait(delay)
        respond(conn, 302, headers={"Location": f"/hop{hop + 1}"})

    return FaultServer(answer)


async def test_a_slow_redirect_chain_that_ends_in_a_reset_stays_within_the_url_budget() -> None:
    # The case, at a tenth of the scale: 4 s per hop, a reset at hop 10, --timeout 5 took 329 s.
    settings = dataclasses.replace(FAST, timeout=0.5)
    assert settings.budget == 1.5  # 3 x --timeout by default
    with slow_chain(0.4, reset_at=10) as server:
        started = time.monotonic()
        (result,) = await check(["http://slow.example/hop0"], settings, {"slow.example": server.address})
        elapsed = time.monotonic() - started
    assert elapsed < settings.budget + 1.0
    assert (result.judgement.verdict, result.judgement.reason) == (
        Verdict.UNREACHABLE,
        "url-budget-exhausted",
    )
    assert result.evidence is not None
    assert len(result.evidence.attempts) <= 5


@pytest.mark.parametrize("interval", [0.0, 0.1])
async def test_an_endless_redirect_chain_with_a_huge_limit_is_bounded_in_time_and_in_the_report(
    interval: float,
) -> None:
    def answer(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
        hop = int(request.target.split("?")[0].removeprefix("/r"))
        respond(conn, 301, headers={"Location": f"/r{hop + 1}?pad={'p' * 2000}"})

    # With the host's spacing between hops too: a chain pays its own hops' spacing.
    policy = HostPolicy(concurrency=4, interval=interval)
    settings = dataclasses.replace(FAST, timeout=0.5, max_redirects=100_000, host=policy)
    with FaultServer(answer) as server:
        started = time.monotonic()
        (result,) = await check(["http://endless.example/r0"], settings, {"endless.example": server.address})
        elapsed = time.monotonic() - started
    assert elapsed < settings.budget + 1.0
    assert result.judgement.verdict is Verdict.UNREACHABLE
    evidence = result.evidence
    assert evidence is not None
    if interval == 0:
        assert evidence.redirects_omitted > 0  # hundreds of hops in the budget, 16 kept
    assert len(evidence.redirects) <= 16
    assert len(evidence.attempts) <= 16
    entry = url_result_dict(result)
    assert entry["redirects_omitted"] == evidence.redirects_omitted
    assert len(json.dumps(entry)) < 128 * 1024  # 16 attempts and 16 hops of 2 KiB at most, not 1,000s


async def test_a_pause_the_host_asks_for_is_not_charged_to_the_url_budget() -> None:
    with SimWeb() as web:
        web.host("busy.example").route(
            "/a", *[Reply(429, headers={"Retry-After": "1"})] * 2, Reply.html("ok")
        )
        settings = dataclasses.replace(FAST, timeout=0.5)  # a budget of 1.5 s, and 2 s of pauses asked for
        (result,) = await check(["http://busy.example/a"], settings, web.resolve)
    assert (result.judgement.verdict, result.judgement.reason) == (Verdict.LIVE, "http-200")


async def test_a_host_that_swallows_requests_is_given_up_on_after_a_few() -> None:
    def swallow(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
        server.stopping.wait()

    settings = dataclasses.replace(FAST, timeout=0.5, retries=3)
    urls = [f"http://silent.example/story/{n}" for n in range(40)]
    with FaultServer(swallow) as server:
        results = await check(urls, settings, {"silent.example": server.address})
        requests = len(server.requests)
    assert len(results) == 40
    assert {r.judgement.verdict for r in results} == {Verdict.UNREACHABLE}
    # One request per slot of the host (4), never each URL retried: the host is given up on together.
    assert requests <= 6, requests
    short = [r for r in results if r.evidence is not None and r.evidence.short_circuited]
    assert len(short) >= 34
    assert {r.judgement.reason for r in short} == {"host-unreachable"}
    assert all(r.evidence is not None and r.evidence.error is ErrorKind.TIMEOUT for r in short)
