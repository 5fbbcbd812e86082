"""Review of issue 9 §3: the private-network guard must hold when requests go through a proxy.

`HTTP_PROXY` is honoured by default (CI runners and corporate machines set it), and through a proxy
linkaudit hands the target to the proxy, which connects on our behalf: an article's
`http://169.254.169.254/latest/meta-data/` reaches the metadata service all the same. At the least an
address linkaudit can see (an IP literal in the URL, or a redirect's) must be judged before it is handed
on. The "proxy" here is a loopback socket that records the request line and answers 404 itself: it
connects nowhere.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
from collections.abc import Iterator

import pytest
from test_guard import SETTINGS, RecordingNetwork, check

from linkaudit.check.resolve import Resolver
from linkaudit.models import Verdict

PRIVATE_URLS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/admin",
    "http://2130706433/",
    "http://[::ffff:127.0.0.1]/",
]


@pytest.fixture
def recording_proxy() -> Iterator[tuple[str, list[bytes]]]:
    seen: list[bytes] = []
    server = socket.socket()
    server.bind(("127.0.0.9", 0))
    server.listen(16)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                seen.append(data.split(b"\r\n", 1)[0])
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.9:{server.getsockname()[1]}", seen
    stop.set()
    thread.join()
    server.close()


async def test_private_addresses_are_refused_through_a_proxy_too(
    recording_proxy: tuple[str, list[bytes]],
) -> None:
    proxy, seen = recording_proxy
    settings = dataclasses.replace(SETTINGS, proxies={"http": proxy, "https": proxy}, retries=0)
    network = RecordingNetwork(["127.0.0.9"])  # the proxy itself is the user's, trusted
    results = await check(
        PRIVATE_URLS, network, settings=settings, resolver=Resolver({"*": None}, system=False)
    )
    assert seen == [], "the proxy was asked to fetch a private address"
    for url, result in results.items():
        assert (result.judgement.verdict, result.judgement.reason) == (Verdict.SKIPPED, "private-address"), (
            url
        )
