"""A simulated web on loopback, for tests, the `linkaudit demo` command and benchmarks.

`SimWeb` is a real HTTP/1.1 server: every virtual host gets its own loopback address (127.0.0.N) and
port, and `web.resolve` maps the host names an article cites to them. A checker that resolves names
through that map talks to it over real TCP, as it would to the internet, while nothing leaves the
machine. Each path answers a script of `Reply`s (429, 429, then 200 ...); hosts can be slow or
rate-limited; replies can misbehave as real servers do (trickling, truncated or malformed responses,
huge headers, gzip bombs). Everything a host receives is recorded, so a test can assert how polite the
checker was: `web.stats(name)`. What a reply is and how it is written lives in `linkaudit.demo.replies`
(re-exported here); this module is the hosts, the request parser and the server loop.

The server runs its own asyncio loop in a daemon thread, so it works beside trio (or plain threads) in
the main thread:

    with SimWeb() as web:
        web.host("news.example").route("/a", Reply(429, headers={"Retry-After": "1"}), Reply(200))
        settings = CheckSettings(resolve=web.resolve, allow_private_nets=(ip_network("127.0.0.0/8"),))
        ...  # check web.url("news.example", "/a")
        assert web.stats("news.example").max_in_flight <= 2
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import itertools
import re
import socket
import threading
import time
import traceback
from collections import Counter, deque
from dataclasses import dataclass, replace
from html import escape
from types import TracebackType
from urllib.parse import quote

from linkaudit.demo.replies import (
    GZIP_BOMB_INFLATED_SIZE,
    Fault,
    Reply,
    gzip_bomb,
    image_bytes,
    reason_phrase,
    write_reply,
)

__all__ = [
    "GZIP_BOMB_INFLATED_SIZE",
    "Fault",
    "HostStats",
    "Reply",
    "RequestRecord",
    "SimHost",
    "SimWeb",
    "gzip_bomb",
    "image_bytes",
]

# Requests: a line may be this long (StreamReader limit), the whole head too; beyond that, 431.
_MAX_LINE = 64 * 1024
_MAX_HEAD = 64 * 1024
_MAX_REQUEST_BODY = 1024 * 1024
# Accept queue of each listener: the benchmark opens hundreds of connections at once.
_BACKLOG = 1024
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_REQUEST_LINE = re.compile(r"^([^ ]+) ([^ ]+) HTTP/(\d)\.(\d)$")


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as a host received it. `path` is the request target as sent (latin-1 decoded, so
    `path.encode("latin-1")` gives the bytes back); `time` is `time.monotonic()` when its head was read."""

    time: float
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


@dataclass(frozen=True, slots=True)
class HostStats:
    """A snapshot of what one host received.

    `requests` counts every request with a readable head (including those `rejected` with 429 by the
    host's limits); `bad_requests` those answered 400 (or 431, 501 ...) because they could not be parsed.
    `in_flight` counts requests whose answer is not fully written yet; `paths` counts requests per path.
    """

    name: str
    requests: int
    in_flight: int
    max_in_flight: int
    rejected: int
    bad_requests: int
    connections: int
    paths: dict[str, int]
    log: tuple[RequestRecord, ...]

    def starts(self) -> list[float]:
        return sorted(record.time for record in self.log)

    def min_gap(self) -> float | None:
        """The smallest time between two successive request starts (None for fewer than two requests)."""
        return min((b - a for a, b in itertools.pairwise(self.starts())), default=None)

    def saw_header(self, name: str, value: str | None = None) -> bool:
        """Whether any request carried header `name` (with exactly `value`, when given)."""
        return any(
            (found := record.header(name)) is not None and (value is None or found == value)
            for record in self.log
        )


_PRINTABLE_ASCII = "".join(chr(c) for c in range(0x21, 0x7F))


def _route_key(path: str) -> str:
    # A correct client sends spaces and non-ASCII percent-encoded (as UTF-8), so that is what a route
    # must match; everything else, escapes included, stays exactly as given.
    return quote(path, safe=_PRINTABLE_ASCII)


class SimHost:
    """A virtual host: its address, its scripted paths and what it has received (thread-safe)."""

    def __init__(
        self,
        name: str,
        ip: str,
        port: int,
        *,
        latency: float = 0.0,
        max_inflight: int | None = None,
        max_per_second: int | None = None,
    ) -> None:
        self.name = name
        self.ip = ip
        self.port = port
        self.latency = latency
        self.max_inflight = max_inflight
        self.max_per_second = max_per_second
        # The test thread scripts and reads while the server thread serves.
        self._lock = threading.Lock()
        self._routes: dict[str, tuple[Reply, ...]] = {}
        self._next_step: dict[str, int] = {}
        self._otherwise: dict[str, tuple[Reply, ...]] = {}  # path prefix -> replies for paths not routed
        self._requests = 0
        self._in_flight = 0
        self._max_in_flight = 0
        self._rejected = 0
        self._bad_requests = 0
        self._connections = 0
        self._paths: Counter[str] = Counter()
        self._log: list[RequestRecord] = []
        self._recent_starts: deque[float] = deque()

    def __repr__(self) -> str:
        return f"SimHost({self.name!r} at {self.address})"

    @property
    def address(self) -> str:
        return f"{self.ip}:{self.port}"

    def url(self, path: str = "/") -> str:
        return f"http://{self.name}{path if path.startswith('/') else '/' + path}"

    def route(self, path: str, *replies: Reply) -> SimHost:
        """Script `path` (with its query string, as sent): successive requests get successive replies,
        the last one repeating. Scripting a path again starts its script over."""
        if not replies:
            raise ValueError("route() needs at least one reply")
        key = _route_key(path)
        with self._lock:
            self._routes[key] = replies
            self._next_step[key] = 0
        return self

    def otherwise(self, *replies: Reply, under: str = "/") -> SimHost:
        """Answer every path under `under` that has no route of its own (the longest prefix wins; without
        one, 404): a site whose unknown pages answer 200 (a soft 404), or redirect home. Successive
        requests get successive replies, round and round (a page whose widgets change at each visit);
        `{path}` in a body becomes the path asked for, HTML-escaped (a page that says what it lacks)."""
        if not replies:
            raise ValueError("otherwise() needs at least one reply")
        with self._lock:
            self._otherwise[_route_key(under)] = replies
            self._next_step[f"otherwise:{_route_key(under)}"] = 0
        return self

    def stats(self) -> HostStats:
        with self._lock:
            return HostStats(
                name=self.name,
                requests=self._requests,
                in_flight=self._in_flight,
                max_in_flight=self._max_in_flight,
                rejected=self._rejected,
                bad_requests=self._bad_requests,
                connections=self._connections,
                paths=dict(self._paths),
                log=tuple(self._log),
            )

    # The server thread's side.

    def _connection_opened(self) -> None:
        with self._lock:
            self._connections += 1

    def _bad_request(self) -> None:
        with self._lock:
            self._bad_requests += 1

    def _begin(self, method: str, path: str, headers: tuple[tuple[str, str], ...]) -> tuple[Reply, bool]:
        """Record a request and choose its reply; the flag says the host's limits rejected it."""
        now = time.monotonic()
        with self._lock:
            self._requests += 1
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            self._paths[path] += 1
            self._log.append(RequestRecord(now, method, path, headers))
            self._recent_starts.append(now)
            while self._recent_starts[0] <= now - 1.0:
                self._recent_starts.popleft()
            too_many = self.max_inflight is not None and self._in_flight > self.max_inflight
            too_fast = self.max_per_second is not None and len(self._recent_starts) > self.max_per_second
            if too_many or too_fast:
                self._rejected += 1
                # A rejected request never reached the "application", so its script does not move on.
                return _RATE_LIMITED, True
            script = self._routes.get(path)
            if script is None:
                prefixes = [prefix for prefix in self._otherwise if path.startswith(prefix)]
                if not prefixes:
                    return _NOT_FOUND, False
                prefix = max(prefixes, key=len)
                cycle, key = self._otherwise[prefix], f"otherwise:{prefix}"
                reply = cycle[self._next_step[key] % len(cycle)]
                self._next_step[key] += 1
                if b"{path}" in reply.body:
                    reply = replace(reply, body=reply.body.replace(b"{path}", escape(path).encode("latin-1")))
                return (reply.head if method == "HEAD" and reply.head is not None else reply), False
            step = self._next_step[path]
            reply = script[min(step, len(script) - 1)]
            if method != "HEAD" or reply.head_advances:
                self._next_step[path] = step + 1
        if method == "HEAD" and reply.head is not None:
            reply = reply.head
        return reply, False

    def _end(self) -> None:
        with self._lock:
            self._in_flight -= 1


_NOT_FOUND = Reply.html("Not Found", status=404)
_RATE_LIMITED = replace(Reply.html("Too Many Requests", status=429), headers={"Retry-After": "1"})


# A reply slower than this notices a client that hangs up meanwhile (checked every `_WATCH_EVERY` s), so a
# request the client timed out does not count against the host's limit on requests in flight.
_WATCHED_DELAY = 1.0
_WATCH_EVERY = 0.005


async def _sleep_unless_gone(reader: asyncio.StreamReader, delay: float) -> bool:
    """Sleep `delay` seconds; False as soon as the client has closed its end."""
    loop = asyncio.get_running_loop()
    until = loop.time() + delay
    while (left := until - loop.time()) > 0:
        await asyncio.sleep(min(_WATCH_EVERY, left))
        if reader.at_eof():
            return False
    return True


class _BadRequest(Exception):
    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status


@dataclass(frozen=True, slots=True)
class _Request:
    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    keep_alive: bool


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    """The next request on a connection, None when the client has gone (cleanly or not)."""
    try:
        line = await reader.readline()
        # RFC 9112 §2.2: a server should ignore empty lines received before a request line.
        while line in (b"\r\n", b"\n"):
            line = await reader.readline()
        if not line.endswith(b"\n"):
            return None
        match = _REQUEST_LINE.match(line.rstrip(b"\r\n").decode("latin-1"))
        if match is None:
            raise _BadRequest(400, "malformed request line")
        method, target, major, minor = match.groups()
        if not _TOKEN.match(method) or any(ord(c) < 0x21 or ord(c) == 0x7F for c in target):
            raise _BadRequest(400, "malformed request line")
        if major != "1":
            raise _BadRequest(505, "only HTTP/1.x is spoken here")
        headers: list[tuple[str, str]] = []
        size = len(line)
        while True:
            line = await reader.readline()
            if not line.endswith(b"\n"):
                return None
            if line in (b"\r\n", b"\n"):
                break
            size += len(line)
            if size > _MAX_HEAD:
                raise _BadRequest(431, "request head too large")
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon or not _TOKEN.match(name):  # also rejects obsolete line folding
                raise _BadRequest(400, f"malformed header line {name[:40]!r}")
            headers.append((name, value.strip()))
    except ValueError as exc:  # StreamReader: a line longer than its limit
        raise _BadRequest(431, "request line or header too long") from exc
    lowered = {name.lower(): value for name, value in headers}
    if minor != "0" and "host" not in lowered:
        raise _BadRequest(400, "HTTP/1.1 request without Host")
    if "transfer-encoding" in lowered:
        raise _BadRequest(501, "request bodies must come with Content-Length")
    length = lowered.get("content-length", "0").strip()
    if not length.isdigit():
        raise _BadRequest(400, "bad Content-Length")
    if int(length) > _MAX_REQUEST_BODY:
        raise _BadRequest(413, "request body too large")
    if int(length):
        await reader.readexactly(int(length))
    connection = lowered.get("connection", "").lower()
    keep_alive = "keep-alive" in connection if minor == "0" else "close" not in connection
    if target.startswith(("http://", "https://")):  # absolute form: only the path matters here
        target = "/" + target.split("://", 1)[1].partition("/")[2]
    return _Request(method.upper(), target, tuple(headers), keep_alive)


@dataclass(slots=True)
class _Listener:
    """A bound socket waiting to be served: by a host, or by a host that accepts and never answers."""

    sock: socket.socket
    host: SimHost | None


class SimWeb:
    """Many virtual hosts on loopback, served from a background thread. See the module docstring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hosts: dict[str, SimHost] = {}
        self._resolve: dict[str, str | None] = {}
        self._listeners: list[_Listener] = []
        self._dead_sockets: list[socket.socket] = []
        self._next_address = 2
        self._errors: list[str] = []
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._stopped = False
        # Owned by the server thread.
        self._servers: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._closing = False

    # Scripting (any thread, before or after start).

    def host(
        self,
        name: str,
        *,
        latency: float = 0.0,
        max_inflight: int | None = None,
        max_per_second: int | None = None,
    ) -> SimHost:
        """A new virtual host on its own address and port, bound (and accepting) at once."""
        name = self._claim(name)
        sock, ip, port = self._bind(listen=True)
        host = SimHost(
            name, ip, port, latency=latency, max_inflight=max_inflight, max_per_second=max_per_second
        )
        with self._lock:
            self._hosts[name] = host
            self._resolve[name] = host.address
        self._serve(_Listener(sock, host))
        return host

    def dead_host(self, name: str, *, refused: bool = True) -> str:
        """A name whose address refuses connections, or with `refused=False` accepts them and never
        answers (so the client times out). Returns its "ADDR:PORT"."""
        name = self._claim(name)
        # A bound socket that does not listen keeps the port ours and makes the kernel refuse connections.
        sock, ip, port = self._bind(listen=not refused)
        with self._lock:
            self._resolve[name] = f"{ip}:{port}"
            if refused:
                self._dead_sockets.append(sock)
        if not refused:
            self._serve(_Listener(sock, None))
        return f"{ip}:{port}"

    def missing_host(self, name: str) -> None:
        """A name that does not resolve."""
        name = self._claim(name)
        with self._lock:
            self._resolve[name] = None

    @property
    def resolve(self) -> dict[str, str | None]:
        """Host name -> "127.0.0.N:PORT", or None for a name that is not found (a copy)."""
        with self._lock:
            return dict(self._resolve)

    def url(self, name: str, path: str = "/") -> str:
        """The URL an article cites: no port, since the resolve map supplies it."""
        return f"http://{name.lower()}{path if path.startswith('/') else '/' + path}"

    def __getitem__(self, name: str) -> SimHost:
        with self._lock:
            return self._hosts[name.lower()]

    def stats(self, name: str) -> HostStats:
        return self[name].stats()

    @property
    def errors(self) -> list[str]:
        """Tracebacks of failures inside the server itself (bugs in simweb, not client misbehaviour)."""
        with self._lock:
            return list(self._errors)

    def _claim(self, name: str) -> str:
        if self._stopped:
            raise RuntimeError("this SimWeb has stopped")
        name = name.lower()
        if not name or any(c in name for c in ":/ ") or not name.isascii():
            raise ValueError(f"not a host name: {name!r}")
        with self._lock:
            if name in self._resolve:
                raise ValueError(f"host {name!r} is already part of this web")
        return name

    def _bind(self, *, listen: bool) -> tuple[socket.socket, str, int]:
        with self._lock:
            n = self._next_address
            self._next_address += 1 if n % 256 != 254 else 4  # skip x.x.x.255 and x.x.x.0 (and .1)
        ip = f"127.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            try:
                sock.bind((ip, 0))
            except OSError as exc:
                # Linux routes all of 127/8 to loopback; macOS only 127.0.0.1 unless aliases are added.
                if exc.errno != errno.EADDRNOTAVAIL:
                    raise
                ip = "127.0.0.1"
                sock.bind((ip, 0))
            if listen:
                sock.listen(_BACKLOG)
        except BaseException:
            sock.close()
            raise
        return sock, ip, sock.getsockname()[1]

    def _serve(self, listener: _Listener) -> None:
        with self._lock:
            loop = self._loop
            if loop is None:  # not started yet: the kernel queues connections until start()
                self._listeners.append(listener)
                return
        asyncio.run_coroutine_threadsafe(self._open(listener), loop).result()

    # Lifetime.

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> SimWeb:
        if self._thread is not None or self._stopped:
            raise RuntimeError("a SimWeb starts once")
        self._thread = threading.Thread(target=self._run, name="simweb", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._startup_error is not None:
            self._thread.join()
            raise RuntimeError("simweb failed to start") from self._startup_error
        return self

    def stop(self) -> None:
        """Stop serving, drop every connection and join the thread; also fine if never started."""
        if self._stopped:
            return
        self._stopped = True
        with self._lock:
            loop, stop_event = self._loop, self._stop_event
        if loop is not None and stop_event is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(stop_event.set)
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            for listener in self._listeners:
                listener.sock.close()
            for sock in self._dead_sockets:
                sock.close()
            self._listeners.clear()
            self._dead_sockets.clear()

    def __enter__(self) -> SimWeb:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # The server thread.

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:
            if not self._ready.is_set():
                self._startup_error = exc
            else:
                self._record_error()
        finally:
            self._ready.set()

    async def _main(self) -> None:
        stop_event = asyncio.Event()
        with self._lock:
            self._loop, self._stop_event = asyncio.get_running_loop(), stop_event
            pending, self._listeners = self._listeners, []
        for listener in pending:
            await self._open(listener)
        self._ready.set()
        await stop_event.wait()
        await self._shutdown()

    async def _open(self, listener: _Listener) -> None:
        host = listener.host

        async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await self._connection(host, reader, writer)

        server = await asyncio.start_server(
            on_connection, sock=listener.sock, limit=_MAX_LINE, backlog=_BACKLOG
        )
        self._servers.append(server)

    async def _shutdown(self) -> None:
        self._closing = True
        for server in self._servers:
            server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        # Connections still flushing a response to a client that stopped reading.
        for writer in list(self._writers):
            writer.transport.abort()
        for server in self._servers:
            await server.wait_closed()
        # Let the transports' connection_lost callbacks run before the loop closes.
        for _ in range(3):
            await asyncio.sleep(0)

    async def _connection(
        self, host: SimHost | None, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            if host is None:
                while await reader.read(65536):  # a host that accepts and never answers
                    pass
            elif not self._closing:
                host._connection_opened()
                await self._converse(host, reader, writer)
            writer.close()
            # Stays tracked until flushed, so that shutdown can abort a connection nobody reads.
            await writer.wait_closed()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away: its business, not an error
        except asyncio.CancelledError:
            # Only shutdown cancels us. End normally rather than cancelled: Python 3.11's stream protocol
            # calls task.exception() on the finished task, and logs the CancelledError that raises.
            if not self._closing:
                raise
        except Exception:
            self._record_error()
        finally:
            writer.transport.abort()  # a no-op once closed; otherwise nobody is left to close it
            self._writers.discard(writer)
            self._tasks.discard(task)

    async def _converse(
        self, host: SimHost, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            try:
                request = await _read_request(reader)
            except _BadRequest as exc:
                host._bad_request()
                page = Reply.html(f"{exc.status} {reason_phrase(exc.status)}: {exc}", status=exc.status)
                await write_reply(writer, page, head_only=False, keep_alive=False)
                return
            if request is None:
                return
            reply, rejected = host._begin(request.method, request.target, request.headers)
            try:
                delay = 0.0 if rejected else (reply.latency if reply.latency is not None else host.latency)
                if delay > _WATCHED_DELAY:
                    if not await _sleep_unless_gone(reader, delay):
                        return  # the client gave up waiting: the request is no longer in flight
                elif delay > 0:
                    await asyncio.sleep(delay)
                keep = await write_reply(
                    writer, reply, head_only=request.method == "HEAD", keep_alive=request.keep_alive
                )
            finally:
                host._end()
            if not keep:
                return

    def _record_error(self) -> None:
        with self._lock:
            self._errors.append(traceback.format_exc())
