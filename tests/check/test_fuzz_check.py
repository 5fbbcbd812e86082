"""Property tests: any bytes as a `Location`, any text as a destination, through the whole check.

A loopback server answers /start with the `Location` the example chose, byte for byte, and every other
path with a page; every name resolves to it. Whatever the bytes, each URL gets exactly one result with a
slug for a reason, and never `error` (the engine's last-resort net for an exception it did not expect).
Addresses in the examples themselves (`http://10.1.2.3/`) never get a connection: the private-network
guard refuses private ones and the test's network backend any other that is not loopback.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults import FaultServer, RawRequest, respond
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_guard import RecordingNetwork

from linkaudit.check import CheckItem, check_targets
from linkaudit.check.resolve import Resolver
from linkaudit.models import LinkKind, Occurrence, UrlResult
from linkaudit.settings import CheckSettings, HostPolicy
from linkaudit.urls import normalize

SETTINGS = CheckSettings(
    retry_base=0.01,
    max_retry_wait=0.1,
    retries=1,
    host=HostPolicy(concurrency=4, interval=0.0),
    timeout=2.0,
    allow_private_nets=(ipaddress.ip_network("127.0.0.0/8"),),  # the echo server; the guard stays on
)
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Echo:
    """A server whose /start redirects to `location`, whatever those bytes are."""

    def __init__(self) -> None:
        self.location = b"/"
        self.server = FaultServer(self.answer)

    def answer(self, request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
        if request.target == "/start":
            respond(conn, 302, raw_headers=b"Location: " + self.location + b"\r\n")
        else:
            respond(conn, 200, b"<p>page</p>", {"Content-Type": "text/html"})


def item(dest: str, source: Path) -> CheckItem:
    target = normalize(dest, source=source)
    occ = Occurrence(
        file="a.md", line=1, column=1, start=0, end=len(dest), kind=LinkKind.LINK, raw=dest, target=target
    )
    return CheckItem(target, (occ,))


async def check(echo: Echo, items: list[CheckItem]) -> list[UrlResult]:
    results: list[UrlResult] = []
    resolver = Resolver({"*": echo.server.address}, system=False)
    # Only the echo server is connected to; any other address is recorded and refused, never contacted.
    network = RecordingNetwork([echo.server.address.rsplit(":", 1)[0]])
    await check_targets(items, SETTINGS, on_result=results.append, resolver=resolver, network=network)
    return results


def assert_sound(results: list[UrlResult], items: list[CheckItem]) -> None:
    assert len(results) == len(items)
    for result in results:
        if result.target.is_http:
            assert _SLUG.match(result.judgement.reason), result.judgement
            assert result.judgement.reason != "error", result.evidence


# Around httpx's 64 KiB limit; built from a short pattern, since Hypothesis draws at most a few KiB.
HUGE_LOCATIONS = st.builds(
    lambda prefix, pattern, size: (prefix + pattern * size)[:size],
    st.sampled_from([b"/", b"http://fuzz.example/", b"", b"?"]),
    st.binary(min_size=1, max_size=8),
    st.integers(60_000, 70_000),
)


@pytest.fixture(scope="module")
def echo() -> Iterator[Echo]:
    serving = Echo()
    with serving.server:
        yield serving


@EXAMPLES
@given(location=st.binary(max_size=300) | HUGE_LOCATIONS)
async def test_any_location_gets_a_verdict(echo: Echo, location: bytes) -> None:
    echo.location = location
    with tempfile.TemporaryDirectory() as folder:
        items = [item("http://fuzz.example/start", Path(folder) / "a.md")]
        results = await check(echo, items)
        assert_sound(results, items)
        evidence = results[0].evidence
        assert evidence is not None
        # The server was really reached (not refused by the guard), whatever came of its answer.
        assert evidence.attempts, evidence
        assert evidence.attempts[0].connected, evidence


_URL_CHARS = st.characters(codec="utf-8")
DESTINATIONS = (
    st.text(_URL_CHARS, max_size=200)
    | st.builds(lambda rest: "http://fuzz.example/" + rest, st.text(_URL_CHARS, max_size=200))
    | st.builds(lambda rest: "http://" + rest, st.text(_URL_CHARS, max_size=80))
    | st.builds(lambda n: "http://fuzz.example/" + "a" * n, st.integers(60_000, 70_000))
)


@EXAMPLES
@given(destinations=st.lists(DESTINATIONS, min_size=1, max_size=4))
async def test_any_destination_gets_a_verdict(echo: Echo, destinations: list[str]) -> None:
    echo.location = b"/page"
    with tempfile.TemporaryDirectory() as folder:
        seen: dict[tuple[object, str], CheckItem] = {}
        for dest in destinations:
            one = item(dest, Path(folder) / "a.md")
            seen.setdefault((one.target.status, one.target.url or dest), one)
        items = list(seen.values())
        assert_sound(await check(echo, items), items)
