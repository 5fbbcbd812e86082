"""Closing idle origin pools: sweeps that overlap (a slow close outlasting the keep-alive expiry) are safe."""

from __future__ import annotations

import ssl

import httpcore
import trio
import trio.testing

from linkaudit.check.pools import OriginPools


class SlowToClosePool(httpcore.AsyncConnectionPool):
    """A pool with no connections whose close takes a while, as closing many sockets under load did."""

    closed = 0

    async def aclose(self) -> None:
        await trio.sleep(3)
        SlowToClosePool.closed += 1


async def test_overlapping_sweeps_close_each_idle_pool_once(autojump_clock: trio.testing.MockClock) -> None:
    pools = OriginPools(
        ssl_context=ssl.create_default_context(),
        max_connections=4,
        max_keepalive_connections=2,
        keepalive_expiry=1.0,
        network_backend=httpcore.AsyncNetworkBackend(),
    )
    for n in range(5):
        key = (b"http", f"h{n}.example".encode(), 80)
        pools._pools[key] = SlowToClosePool()
        pools._last_used[key] = 0.0
    await trio.sleep(2)  # all five are past the expiry
    SlowToClosePool.closed = 0
    async with trio.open_nursery() as nursery:
        nursery.start_soon(pools._sweep, trio.current_time())
        await trio.sleep(1.5)  # the first sweep is still closing when the next one starts
        nursery.start_soon(pools._sweep, trio.current_time())
    assert SlowToClosePool.closed == 5
    assert pools.pools == 0
    assert pools._last_used == {}
