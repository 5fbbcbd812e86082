"""Raw-socket HTTP servers on loopback that misbehave on purpose, for the checker's fault tests.

A `FaultServer` listens on a loopback address (over TLS when given a context) and hands each
connection's first request to a handler, in a thread of its own, with the socket: the handler writes
whatever bytes it likes (or nothing, or waits) and the connection is closed when it returns. Unlike
linkaudit.demo.simweb nothing frames the answer, so it can be what no server library would send: an
endless header line, a lying Content-Length, HTTP/0.9. Handlers that stay silent wait on
`server.stopping`, so closing the server ends them.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType

__all__ = ["FaultServer", "Handler", "RawRequest", "closed_port", "reset", "respond"]

_MAX_HEAD = 64 * 1024


@dataclass(frozen=True, slots=True)
class RawRequest:
    """What the client asked: method, request target (as sent) and headers (names lower-cased)."""

    method: str
    target: str
    headers: Mapping[str, str]


Handler = Callable[[RawRequest, socket.socket, "FaultServer"], None]


def respond(
    conn: socket.socket,
    status: int,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    *,
    raw_headers: bytes = b"",
) -> None:
    """A well-formed answer that closes the connection; `raw_headers` go out byte for byte."""
    head = f"HTTP/1.1 {status} X\r\n".encode()
    fields = {"Content-Length": str(len(body)), "Connection": "close", **(headers or {})}
    head += b"".join(f"{name}: {value}\r\n".encode() for name, value in fields.items())
    conn.sendall(head + raw_headers + b"\r\n" + body)


def reset(conn: socket.socket) -> None:
    """Abort the connection: the peer sees a reset (RST), not an orderly close."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def closed_port(address: str = "127.0.0.1") -> int:
    """A port nothing listens on (connections to it are refused): bound, then released."""
    with socket.socket() as probe:
        probe.bind((address, 0))
        port: int = probe.getsockname()[1]
    return port


class FaultServer:
    """A loopback server whose every connection is answered by `handler` (see the module docstring)."""

    def __init__(
        self,
        handler: Handler,
        *,
        address: str = "127.0.0.1",
        accept: bool = True,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.handler = handler
        self.tls = tls
        self.stopping = threading.Event()
        self.requests: list[RawRequest] = []  # method and target (at most 1 KiB of it) of each request
        self.connections = 0
        self._accept = accept
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._open: set[socket.socket] = set()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((address, 0))
        self._listener.listen(128)
        self._listener.settimeout(0.1)
        host, port = self._listener.getsockname()
        self.address = f"{host}:{port}"

    def __enter__(self) -> FaultServer:
        self._spawn(self._serve)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stopping.set()
        with self._lock:
            for conn in self._open:
                _quietly_close(conn)
        for thread in list(self._threads):
            thread.join(timeout=5)
        self._listener.close()

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            if not self._accept:  # leave connections in the backlog: the kernel completes them, nobody reads
                self.stopping.wait(0.1)
                continue
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._open.add(conn)
            self._spawn(self._converse, conn)

    def _converse(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(10)
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)  # a bad certificate fails here
            request = _read_request(conn)
            if request is not None:
                # The log keeps targets short: a benchmark's 60 KB URLs would make it the largest memory user.
                logged = RawRequest(request.method, request.target[:1024], {})
                with self._lock:
                    self.requests.append(logged)
                self.handler(request, conn, self)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open.discard(conn)
            _quietly_close(conn)

    def paths(self) -> Iterator[str]:
        with self._lock:
            requests = list(self.requests)
        return (request.target for request in requests)


def _read_request(conn: socket.socket) -> RawRequest | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > _MAX_HEAD:
            return None
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    line, *fields = head.split("\r\n")
    parts = line.split(" ")
    if len(parts) != 3:
        return None
    headers = {}
    for field in fields:
        name, _, value = field.partition(":")
        headers[name.strip().lower()] = value.strip()
    return RawRequest(parts[0], parts[1], headers)


def _quietly_close(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)
    conn.close()
