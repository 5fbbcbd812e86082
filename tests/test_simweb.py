"""The simulated web: real sockets on loopback only, each behaviour asserted on the wire."""

from __future__ import annotations

import ast
import gc
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator

import httpx
import pytest
import trio

from linkaudit.demo.simweb import GZIP_BOMB_INFLATED_SIZE, Reply, SimWeb, gzip_bomb, image_bytes


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as running:
        yield running
        assert running.errors == []


def _address(web: SimWeb, name: str) -> tuple[str, int]:
    address = web.resolve[name]
    assert address is not None
    ip, port = address.rsplit(":", 1)
    return ip, int(port)


def request(web: SimWeb, name: str, path: str, method: str = "GET", **headers: str) -> httpx.Response:
    ip, port = _address(web, name)
    # Plain HTTP on loopback: verify=False only spares loading CA certificates (0.2 s a client).
    return httpx.request(
        method,
        f"http://{ip}:{port}{path}",
        headers={"Host": name, **headers},
        trust_env=False,
        verify=False,
        timeout=5,
    )


def raw_exchange(web: SimWeb, name: str, data: bytes, *, wait: float = 2.0) -> bytes:
    """Send raw bytes and collect everything until the server closes (or `wait` passes)."""
    with socket.create_connection(_address(web, name), timeout=wait) as sock:
        sock.sendall(data)
        chunks: list[bytes] = []
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def _get(path: str, name: str = "a.example", method: str = "GET") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: {name}\r\nConnection: close\r\n\r\n".encode()


def _simweb_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "simweb"]


# Lifetime and addressing.


def test_start_stop_joins_the_thread() -> None:
    web = SimWeb()
    web.host("a.example").route("/", Reply.html("home"))
    web.start()
    assert web.running
    assert request(web, "a.example", "/").status_code == 200
    web.stop()
    web.stop()  # idempotent
    assert not web.running
    assert _simweb_threads() == []
    with pytest.raises(RuntimeError):
        web.start()
    with pytest.raises(RuntimeError):
        web.host("b.example")


def test_never_started_web_releases_its_sockets() -> None:
    web = SimWeb()
    web.host("a.example")
    web.dead_host("b.example")
    web.stop()
    gc.collect()  # an unclosed socket would warn here, and warnings are errors


def test_each_host_has_its_own_loopback_address_and_port() -> None:
    with SimWeb() as web:
        a = web.host("A.example")
        b = web.host("b.example")
        refused = web.dead_host("gone.example")
        web.missing_host("nowhere.example")
        resolve = web.resolve
        assert set(resolve) == {"a.example", "b.example", "gone.example", "nowhere.example"}
        assert resolve["a.example"] == a.address and a.address.startswith("127.")
        assert resolve["gone.example"] == refused
        assert resolve["nowhere.example"] is None
        assert len({a.address, b.address, refused}) == 3
        assert a.ip != "127.0.0.1" or b.ip == "127.0.0.1"  # distinct addresses where the OS allows them
        assert web.url("a.example", "/x?y=1") == "http://a.example/x?y=1" == a.url("/x?y=1")
        assert web.url("a.example", "x") == "http://a.example/x"
        with pytest.raises(ValueError, match="already"):
            web.host("a.example")
        with pytest.raises(ValueError, match="not a host name"):
            web.host("a.example:8080")
        assert web["a.example"] is a


def test_hosts_accept_before_start_and_can_be_added_after() -> None:
    web = SimWeb()
    try:
        web.host("early.example").route("/", Reply.html("early"))
        # Connect and send before the server runs: the kernel queues it, and start() answers it.
        with socket.create_connection(_address(web, "early.example"), timeout=5) as sock:
            sock.sendall(_get("/", "early.example"))
            web.start()
            assert sock.recv(65536).startswith(b"HTTP/1.1 200 OK\r\n")
        web.host("late.example").route("/", Reply.html("late"))
        assert request(web, "late.example", "/").text.endswith("<p>late</p></body></html>")
        assert web.errors == []
    finally:
        web.stop()


# Scripts and matching.


def test_script_runs_in_order_then_repeats_its_last_reply(web: SimWeb) -> None:
    web.host("a.example").route(
        "/x", Reply(429, headers={"Retry-After": "1"}), Reply(429), Reply(200, b"finally")
    )
    answers = [request(web, "a.example", "/x", method) for method in ("HEAD", "GET", "GET", "GET")]
    assert [r.status_code for r in answers] == [429, 429, 200, 200]
    assert answers[0].headers["Retry-After"] == "1"
    assert "Retry-After" not in answers[1].headers
    assert answers[3].content == b"finally"
    assert web.stats("a.example").paths == {"/x": 4}


def test_head_can_keep_a_step_for_the_following_get(web: SimWeb) -> None:
    web.host("a.example").route(
        "/y", Reply(503, head=Reply(405), head_advances=False), Reply(200, head=Reply(405))
    )
    statuses = [
        request(web, "a.example", "/y", m).status_code for m in ("HEAD", "HEAD", "GET", "HEAD", "GET")
    ]
    assert statuses == [405, 405, 503, 405, 200]


def test_unknown_path_is_an_html_404(web: SimWeb) -> None:
    web.host("a.example")
    answer = request(web, "a.example", "/nothing/here")
    assert answer.status_code == 404
    assert answer.headers["Content-Type"].startswith("text/html")
    assert b"Not Found" in answer.content


def test_paths_match_exactly_as_sent_with_query_string(web: SimWeb) -> None:
    host = web.host("a.example")
    host.route("/专题/洪灾", Reply.html("topic"))  # registered as a correct client sends it
    host.route("/wiki/Linjiang_(city)", Reply.html("wiki"))
    host.route("/cgi-bin/a.pl?id=7", Reply.html("cgi"))
    assert request(web, "a.example", "/%E4%B8%93%E9%A2%98/%E6%B4%AA%E7%81%BE").status_code == 200
    assert request(web, "a.example", "/%e4%b8%93%e9%a2%98/%e6%b4%aa%e7%81%be").status_code == 404
    assert request(web, "a.example", "/wiki/Linjiang_(city)").status_code == 200
    assert request(web, "a.example", "/wiki/Linjiang_%28city%29").status_code == 404
    assert request(web, "a.example", "/cgi-bin/a.pl?id=7").status_code == 200
    assert request(web, "a.example", "/cgi-bin/a.pl").status_code == 404
    assert request(web, "a.example", "/cgi-bin/a.pl?id=8").status_code == 404
    logged = [record.path for record in web.stats("a.example").log]
    assert logged[1] == "/%e4%b8%93%e9%a2%98/%e6%b4%aa%e7%81%be"


def test_head_gets_headers_only_unless_the_server_is_broken(web: SimWeb) -> None:
    host = web.host("a.example")
    host.route("/page", Reply.html("<p>" + "text " * 100 + "</p>"))
    host.route("/no-head", Reply(200, b"ok", head=Reply(405)))
    host.route("/moved", Reply(302, b"<p>moved</p>", headers={"Location": "/page"}, send_body_to_head=True))
    got, head = request(web, "a.example", "/page"), request(web, "a.example", "/page", "HEAD")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == got.headers["Content-Length"] == str(len(got.content))
    assert request(web, "a.example", "/no-head", "HEAD").status_code == 405
    assert request(web, "a.example", "/no-head").status_code == 200
    answer = raw_exchange(web, "a.example", _get("/moved", method="HEAD"))
    assert answer.startswith(b"HTTP/1.1 302 Found\r\n")
    assert answer.endswith(b"\r\n\r\n<p>moved</p>")


def test_convenience_replies(web: SimWeb) -> None:
    host = web.host("a.example")
    host.route("/old", Reply.redirect("http://b.example/new", status=308))
    host.route("/temp", Reply.redirect("/elsewhere", status=302))
    host.route("/page", Reply.html("Hello"))
    for kind in ("png", "jpeg", "gif"):
        host.route(f"/img.{kind}", Reply.image(kind))
    old, temp = request(web, "a.example", "/old"), request(web, "a.example", "/temp")
    assert (old.status_code, old.headers["Location"]) == (308, "http://b.example/new")
    assert (temp.status_code, temp.headers["Location"]) == (302, "/elsewhere")
    assert b"<title>Hello</title>" in request(web, "a.example", "/page").content
    magic = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff", "gif": b"GIF89a"}
    for kind, prefix in magic.items():
        answer = request(web, "a.example", f"/img.{kind}")
        assert answer.headers["Content-Type"] == f"image/{kind}"
        assert answer.content.startswith(prefix)
    assert Reply.image("jpg").content_type == "image/jpeg"
    with pytest.raises(ValueError, match="tiny image"):
        Reply.image("bmp")


def test_images_are_well_formed() -> None:
    png = image_bytes("png")
    offset, kinds = 8, []
    while offset < len(png):  # every chunk's CRC is right, and the pixel data inflates
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind, data = png[offset + 4 : offset + 8], png[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", png[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + data)
        if kind == b"IDAT":
            assert len(zlib.decompress(data)) == 4
        kinds.append(kind)
        offset += 12 + length
    assert kinds == [b"IHDR", b"IDAT", b"IEND"]
    jpeg = image_bytes("jpeg")
    assert jpeg.startswith(b"\xff\xd8") and jpeg.endswith(b"\xff\xd9")
    assert b"\xff\xc0" in jpeg and b"\xff\xda" in jpeg  # baseline frame and a scan
    assert image_bytes("gif").endswith(b";")


# Timing, limits and statistics.


def test_latency_of_host_and_of_reply(web: SimWeb) -> None:
    host = web.host("slow.example", latency=0.25)
    host.route("/slow", Reply.html("slow"))
    host.route("/fast", Reply(200, latency=0.0))
    started = time.monotonic()
    assert request(web, "slow.example", "/slow").status_code == 200
    assert time.monotonic() - started >= 0.25
    started = time.monotonic()
    assert request(web, "slow.example", "/fast").status_code == 200
    assert time.monotonic() - started < 0.2


@pytest.mark.trio
async def test_max_inflight_answers_429_and_stats_see_the_concurrency() -> None:
    with SimWeb() as web:
        web.host("busy.example", latency=0.5, max_inflight=2).route("/", Reply.html("ok"))
        ip, port = _address(web, "busy.example")
        statuses: list[int] = []
        async with httpx.AsyncClient(trust_env=False, verify=False, timeout=5) as client:

            async def fetch() -> None:
                answer = await client.get(f"http://{ip}:{port}/", headers={"Host": "busy.example"})
                statuses.append(answer.status_code)

            async with trio.open_nursery() as nursery:
                for _ in range(5):
                    nursery.start_soon(fetch)
        # The server counts a request done once its answer is written, which the client may read
        # first: wait (briefly) for the last one to be counted.
        with trio.move_on_after(2):
            while web.stats("busy.example").in_flight:  # noqa: ASYNC110 - the server is a thread
                await trio.sleep(0.01)
        stats = web.stats("busy.example")
        assert sorted(statuses) == [200, 200, 429, 429, 429]
        # A rejected request is answered at once, so at most one joins the two being served.
        assert (stats.requests, stats.max_in_flight, stats.in_flight, stats.rejected) == (5, 3, 0, 3)
        assert web.errors == []


def test_max_per_second_answers_429(web: SimWeb) -> None:
    web.host("strict.example", max_per_second=3).route("/", Reply.html("ok"))
    statuses = [request(web, "strict.example", "/").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert request(web, "strict.example", "/").headers["Retry-After"] == "1"


def test_stats_record_gaps_and_headers_per_host(web: SimWeb) -> None:
    web.host("a.example").route("/", Reply.html("a"))
    web.host("b.example").route("/", Reply.html("b"))
    for _ in range(3):
        request(web, "a.example", "/", **{"X-Api-Key": "secret"})
        request(web, "b.example", "/")
        time.sleep(0.06)
    a, b = web.stats("a.example"), web.stats("b.example")
    assert a.requests == b.requests == 3
    gap = a.min_gap()
    assert gap is not None and gap >= 0.05
    assert a.saw_header("x-api-key", "secret") and not b.saw_header("X-Api-Key")
    assert a.log[0].header("host") == "a.example"
    assert a.max_in_flight == 1 and a.in_flight == 0


def test_keep_alive_and_connection_close(web: SimWeb) -> None:
    web.host("a.example").route("/", Reply.html("a"))
    ip, port = _address(web, "a.example")
    with httpx.Client(trust_env=False, verify=False, timeout=5) as client:
        for _ in range(3):
            assert client.get(f"http://{ip}:{port}/", headers={"Host": "a.example"}).status_code == 200
    assert web.stats("a.example").connections == 1
    # Two pipelined requests, the second asking to close: two answers, then the server hangs up.
    pipelined = b"GET / HTTP/1.1\r\nHost: a.example\r\n\r\n" + _get("/")
    answer = raw_exchange(web, "a.example", pipelined)
    assert answer.count(b"HTTP/1.1 200 OK\r\n") == 2
    assert answer.count(b"Connection: close") == 1
    http10 = raw_exchange(web, "a.example", b"GET / HTTP/1.0\r\n\r\n")
    assert http10.startswith(b"HTTP/1.1 200 OK\r\n")  # and closed, or raw_exchange would have waited


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"NONSENSE\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\n\r\n", 400),  # no Host
        (b"GET / HTTP/1.1\r\nHost: a.example\r\nno colon here\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: a.example\r\n folded\r\n\r\n", 400),
        (b"GET /\x00 HTTP/1.1\r\nHost: a.example\r\n\r\n", 400),
        (b"GET / HTTP/2.0\r\nHost: a.example\r\n\r\n", 505),
        (b"POST / HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
        (b"POST / HTTP/1.1\r\nHost: a.example\r\nContent-Length: x\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: a.example\r\nX-Long: " + b"y" * 70_000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\nHost: a.example\r\n" + b"X-Many: zzzzzzzz\r\n" * 5000 + b"\r\n", 431),
    ],
)
def test_broken_requests_get_an_error_and_the_server_lives_on(web: SimWeb, data: bytes, status: int) -> None:
    web.host("a.example").route("/", Reply.html("fine"))
    answer = raw_exchange(web, "a.example", data)
    assert answer.startswith(f"HTTP/1.1 {status} ".encode())
    assert b"Connection: close" in answer
    assert request(web, "a.example", "/").status_code == 200
    assert web.stats("a.example").bad_requests == 1


def test_request_bodies_are_read_and_clients_may_vanish(web: SimWeb) -> None:
    web.host("a.example").route("/form", Reply.html("thanks"))
    post = b"POST /form HTTP/1.1\r\nHost: a.example\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
    assert raw_exchange(web, "a.example", post).startswith(b"HTTP/1.1 200 OK")
    for partial in (
        b"GET / HTTP/1.1\r\nHost: a.ex",
        b"POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nab",
    ):
        with socket.create_connection(_address(web, "a.example"), timeout=2) as sock:
            sock.sendall(partial)
    assert request(web, "a.example", "/form").status_code == 200


# Misbehaviours.


def test_trickle_drips_the_whole_response(web: SimWeb) -> None:
    web.host("a.example").route("/", Reply.trickle(rate=40))
    answer = raw_exchange(web, "a.example", _get("/"), wait=0.5)
    assert answer.startswith(b"HTTP/1.1 2")
    assert 5 <= len(answer) <= 30


def test_trickle_body_sends_headers_at_once(web: SimWeb) -> None:
    web.host("a.example").route("/", Reply.trickle(rate=40, head_first=True))
    answer = raw_exchange(web, "a.example", _get("/"), wait=0.5)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK") and b"Content-Length: 10022" in head
    assert 5 <= len(body) <= 30


def test_truncated_and_malformed_responses(web: SimWeb) -> None:
    host = web.host("a.example")
    host.route("/cut", Reply.close_mid_headers())
    host.route("/bad", Reply.malformed_status())
    assert raw_exchange(web, "a.example", _get("/cut")) == b"HTTP/1.1 200 OK\r\nContent-Type: text/ht"
    assert raw_exchange(web, "a.example", _get("/bad")).startswith(b"HTTP/1.1 2OO OK\r\n")
    for path in ("/cut", "/bad"):
        with pytest.raises(httpx.RemoteProtocolError):
            request(web, "a.example", path)


def test_huge_headers(web: SimWeb) -> None:
    web.host("a.example").route("/", Reply.huge_headers())
    head, _, body = raw_exchange(web, "a.example", _get("/")).partition(b"\r\n\r\n")
    assert len(head) >= 100 * 1024
    assert body == b"<!doctype html><p>fine, after all those headers</p>"


def test_gzip_bomb_is_small_and_inflates_to_a_gibibyte(web: SimWeb) -> None:
    web.host("a.example").route("/", Reply.gzip_bomb())
    assert gzip_bomb() is gzip_bomb()  # built once
    ip, port = _address(web, "a.example")
    with (
        httpx.Client(trust_env=False, verify=False, timeout=5) as client,
        client.stream("GET", f"http://{ip}:{port}/", headers={"Host": "a.example"}) as answer,
    ):
        assert answer.headers["Content-Encoding"] == "gzip"
        body = b"".join(answer.iter_raw())
    assert len(body) < 2 * 1024 * 1024
    assert struct.unpack("<I", body[-4:])[0] == GZIP_BOMB_INFLATED_SIZE  # gzip's ISIZE trailer
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    assert len(inflater.decompress(body[: 32 * 1024])) >= 16 * 1024 * 1024


def test_partial_content(web: SimWeb) -> None:
    web.host("a.example").route("/", Reply.partial(b"0123456789", total=100))
    answer = request(web, "a.example", "/")
    assert (answer.status_code, answer.headers["Content-Range"]) == (206, "bytes 0-9/100")
    assert answer.content == b"0123456789"


# Hosts that are not there.


def test_dead_and_missing_hosts(web: SimWeb) -> None:
    refused = web.dead_host("refused.example")
    silent = web.dead_host("silent.example", refused=False)
    web.missing_host("missing.example")
    assert web.resolve["missing.example"] is None
    ip, port = refused.rsplit(":", 1)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((ip, int(port)), timeout=2).close()
    ip, port = silent.rsplit(":", 1)
    with socket.create_connection((ip, int(port)), timeout=0.3) as sock:
        sock.sendall(_get("/"))
        with pytest.raises(TimeoutError):
            sock.recv(1)
    with pytest.raises(KeyError):
        web.stats("missing.example")


# Scale and shutdown.


async def _exchange(stream: trio.SocketStream, name: str, path: str) -> int:
    """One keep-alive request over a raw stream; returns the status."""
    await stream.send_all(f"GET {path} HTTP/1.1\r\nHost: {name}\r\n\r\n".encode())
    received = b""
    while b"\r\n\r\n" not in received:
        received += await stream.receive_some(65536)
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    while len(body) < length:
        body += await stream.receive_some(65536)
    return int(head[9:12])


@pytest.mark.trio
async def test_fifty_hosts_thousands_of_requests_hundreds_in_flight() -> None:
    # Raw trio streams, not httpx: httpx spends milliseconds of CPU a request, which would measure it.
    with SimWeb() as web:
        hosts = [web.host(f"site{i}.example", latency=0.02) for i in range(50)]
        for host in hosts:
            for page in range(4):
                host.route(f"/story/{page}", Reply.html(f"{host.name} story {page}"))
        statuses: list[int] = []

        async def client(k: int) -> None:
            host = hosts[k % len(hosts)]
            async with await trio.open_tcp_stream(host.ip, host.port) as stream:
                for n in range(8):
                    statuses.append(await _exchange(stream, host.name, f"/story/{n % 4}"))

        started = time.monotonic()
        async with trio.open_nursery() as nursery:
            for k in range(250):
                nursery.start_soon(client, k)
        elapsed = time.monotonic() - started
        all_stats = [web.stats(host.name) for host in hosts]
        assert statuses == [200] * 2000
        assert sum(s.requests for s in all_stats) == 2000
        assert sum(s.connections for s in all_stats) == 250
        assert sum(s.max_in_flight for s in all_stats) > 100  # hundreds were in flight at once
        assert elapsed < 8
        assert web.errors == []


def test_stop_drops_busy_and_idle_connections_cleanly() -> None:
    web = SimWeb()
    web.host("a.example").route("/drip", Reply.trickle(rate=2)).route("/bomb", Reply.gzip_bomb())
    web.host("b.example").route("/", Reply.html("b"))
    web.dead_host("silent.example", refused=False)
    with web:
        dripping = socket.create_connection(_address(web, "a.example"), timeout=2)
        dripping.sendall(_get("/drip"))
        unread = socket.create_connection(_address(web, "a.example"), timeout=2)
        unread.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        unread.sendall(_get("/bomb"))  # a megabyte nobody reads
        idle = socket.create_connection(_address(web, "b.example"), timeout=2)
        idle.sendall(b"GET / HTTP/1.1\r\nHost: b.example\r\n\r\n")
        assert idle.recv(65536).startswith(b"HTTP/1.1 200")
        silent = socket.create_connection(_address(web, "silent.example"), timeout=2)
        time.sleep(0.2)
        started = time.monotonic()
    assert time.monotonic() - started < 2
    assert _simweb_threads() == []
    assert web.errors == []
    for sock in (dripping, unread, idle, silent):
        sock.close()
    gc.collect()  # an unclosed transport would warn here, and warnings are errors


def test_importing_the_simulated_web_pulls_in_only_the_standard_library() -> None:
    """Tests, benchmarks and the demo import it; it must not drag the checker or the CLI in with it."""
    code = (
        "import sys; import linkaudit.demo.simweb as s; from linkaudit.demo.simweb import SimWeb, Reply; "
        "import linkaudit.demo.replies as r; assert s.Reply is r.Reply; "
        "print(sorted(m.split('.')[0] if not m.startswith('linkaudit') else m for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(ast.literal_eval(done.stdout))
    assert loaded & {"httpx", "httpcore", "trio", "rich", "typer", "pyromark", "charset_normalizer"} == set()
    assert {m for m in loaded if m.startswith("linkaudit")} == {
        "linkaudit",
        "linkaudit.demo",
        "linkaudit.demo.replies",
        "linkaudit.demo.simweb",
        "linkaudit.demo.soft_scene",  # the demo's soft-rot scene: standard library only, like the web
    }


def test_a_client_hanging_up_on_a_slow_reply_is_no_longer_in_flight(web: SimWeb) -> None:
    # A request the client timed out must not count against the host's limit on requests in flight.
    host = web.host("slow.example", max_inflight=1)
    host.route("/slow", Reply(200, b"late", latency=30.0))
    host.route("/next", Reply(200, b"fine"))
    with socket.create_connection(_address(web, "slow.example")) as conn:
        conn.sendall(b"GET /slow HTTP/1.1\r\nHost: slow.example\r\n\r\n")
        deadline = time.monotonic() + 10
        while web.stats("slow.example").in_flight == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert web.stats("slow.example").in_flight == 1
    deadline = time.monotonic() + 10  # far less than the reply's 30 s
    while web.stats("slow.example").in_flight and time.monotonic() < deadline:
        time.sleep(0.01)
    assert web.stats("slow.example").in_flight == 0
    assert request(web, "slow.example", "/next").status_code == 200  # not refused as one too many
    assert web.stats("slow.example").rejected == 0
