"""linkaudit's HTTP transport: httpx's public transport interface over our own httpcore pool.

What it must keep from httpx's own transport, checked here against the pinned versions: the same httpx
exception for each httpcore one, and (the one internal left, of httpcore) a way to see bytes a server sent
after a HEAD answer. If a version bump changes either, these tests fail by name.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Iterator

import httpcore
import httpx
import pytest

from linkaudit.check.pools import OriginPools
from linkaudit.check.resolve import NameNotFound, Resolver
from linkaudit.check.transport import PoolTransport, _as_httpx, build_client, bytes_after_head
from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.settings import CheckSettings

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)


def _httpcore_exceptions() -> list[type[Exception]]:
    return [
        value
        for value in vars(httpcore).values()
        if isinstance(value, type)
        and issubclass(value, Exception)
        and value.__module__.startswith("httpcore")
    ]


def _as_httpx_does(exc: Exception) -> type[BaseException]:
    """What httpx's own transport raises for `exc` (its private mapping: the reference we must match)."""
    from httpx._transports.default import map_httpcore_exceptions  # noqa: PLC0415

    try:
        with map_httpcore_exceptions():
            raise exc
    except Exception as mapped:  # whatever it became is the answer
        return type(mapped)
    raise AssertionError("not raised")


@pytest.mark.parametrize("core_error", _httpcore_exceptions(), ids=lambda cls: cls.__name__)
def test_each_httpcore_error_becomes_the_httpx_error_httpx_itself_would_raise(
    core_error: type[Exception],
) -> None:
    original = core_error("boom")
    mapped = _as_httpx(original)
    assert type(mapped) is _as_httpx_does(core_error("boom"))
    if mapped is not original:
        assert str(mapped) == "boom"


def test_our_own_httpcore_errors_map_by_their_base() -> None:
    assert type(_as_httpx(NameNotFound("no such name"))) is httpx.ConnectError
    assert type(_as_httpx(ValueError("x"))) is ValueError


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as running:
        yield running
        assert running.errors == []


def _client(web: SimWeb) -> httpx.AsyncClient:
    return build_client(
        CheckSettings(timeout=5, allow_private_nets=LOOPBACK),
        Resolver({**web.resolve, "*": None}, system=False),
    )


async def test_the_client_goes_through_our_pool_and_resolver(web: SimWeb) -> None:
    web.host("a.example").route("/", Reply.html("hello"))
    async with _client(web) as client:
        assert isinstance(client._transport, PoolTransport)
        assert isinstance(client._transport.pool, OriginPools)
        answer = await client.get(web.url("a.example"))
        assert answer.status_code == 200
        assert "hello" in answer.text
        with pytest.raises(httpx.ConnectError) as caught:
            await client.get("http://elsewhere.example/")
        assert isinstance(caught.value.__cause__, NameNotFound)
        assert caught.value.request.url == "http://elsewhere.example/"


async def test_a_timeout_in_the_body_is_httpx_s_read_timeout(web: SimWeb) -> None:
    web.host("slow.example").route("/", Reply.trickle(1.0, head_first=True))  # a byte a second
    client = build_client(
        CheckSettings(timeout=0.3, allow_private_nets=LOOPBACK),
        Resolver({**web.resolve, "*": None}, system=False),
    )
    async with client, client.stream("GET", web.url("slow.example")) as answer:
        assert answer.status_code == 200
        with pytest.raises(httpx.ReadTimeout) as caught:
            await answer.aread()
        assert isinstance(caught.value.__cause__, httpcore.ReadTimeout)


async def test_bytes_after_a_head_answer_are_seen_through_httpcore(web: SimWeb) -> None:
    host = web.host("h.example")
    host.route("/clean", Reply.html("fine"))
    host.route("/broken", dataclasses.replace(Reply.html("body sent to HEAD"), send_body_to_head=True))
    async with _client(web) as client:
        clean = await client.head(web.url("h.example", "/clean"))
        # False only if the walk into httpcore's connection still works: a changed internal says True.
        assert bytes_after_head(clean) is False
        await clean.aclose()
        broken = await client.head(web.url("h.example", "/broken"))
        assert bytes_after_head(broken) is True
        await broken.aclose()
