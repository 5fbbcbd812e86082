"""A small HTTP forward proxy on loopback, for the proxy tests: absolute-form requests and CONNECT tunnels.

Like a real proxy it resolves the names it is asked for, but only through its own table (name ->
"ADDR:PORT", as `SimWeb.resolve` gives them), never the system resolver, and it only ever connects to
loopback. A name missing from the table, mapped to None, or an address where nothing listens is answered
502 Bad Gateway; a name mapped to `TIMEOUT` is answered 504. Every request line it receives is recorded.
Each request gets its own upstream connection (`Connection: close` both ways): enough for tests.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

__all__ = ["TIMEOUT", "ForwardProxy", "ProxiedRequest"]

TIMEOUT = "timeout"


@dataclass(frozen=True, slots=True)
class ProxiedRequest:
    """A request the proxy received: method, target as sent (absolute URL or host:port), and headers."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...]

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


class ForwardProxy:
    """A forward proxy in daemon threads: `with ForwardProxy(web.resolve) as proxy: ... proxy.url`."""

    def __init__(self, hosts: Mapping[str, str | None], address: str = "127.0.0.99") -> None:
        self.hosts = dict(hosts)
        self.requests: list[ProxiedRequest] = []
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.bind((address, 0))
        self._listener.listen(64)
        self._threads: list[threading.Thread] = []
        self._closed = threading.Event()
        host, port = self._listener.getsockname()[:2]
        self.url = f"http://{host}:{port}"

    def targets(self, method: str | None = None) -> list[str]:
        with self._lock:
            return [r.target for r in self.requests if method is None or r.method == method]

    def __enter__(self) -> ForwardProxy:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for thread in list(self._threads):
            thread.join(timeout=5)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        with client:
            client.settimeout(10)
            try:
                head = _read_head(client)
                if head is None:
                    return
                request_line, *lines = head.decode("latin-1").split("\r\n")
                method, target, _ = request_line.split(" ", 2)
                headers = tuple(
                    (name.strip(), value.strip())
                    for name, _, value in (line.partition(":") for line in lines if line)
                )
                with self._lock:
                    self.requests.append(ProxiedRequest(method, target, headers))
                if method == "CONNECT":
                    self._tunnel(client, target)
                else:
                    self._forward(client, method, target, headers)
            except (OSError, ValueError):
                return

    def _upstream(self, client: socket.socket, host: str, port: int) -> socket.socket | None:
        """A connection to what the proxy's table says `host` is, or None after answering 502/504."""
        mapped = self.hosts.get(host.lower())
        if mapped == TIMEOUT:
            client.sendall(_answer(504, "Gateway Timeout"))
            return None
        if mapped is None:
            client.sendall(_answer(502, "Bad Gateway"))
            return None
        address, _, mapped_port = mapped.rpartition(":")
        if not ipaddress.ip_address(address).is_loopback:  # a test proxy never leaves the machine
            raise ValueError(f"not a loopback address: {address}")
        try:
            return socket.create_connection((address, int(mapped_port or port)), timeout=5)
        except OSError:
            client.sendall(_answer(502, "Bad Gateway"))
            return None

    def _tunnel(self, client: socket.socket, target: str) -> None:
        host, _, port = target.rpartition(":")
        upstream = self._upstream(client, host.strip("[]"), int(port))
        if upstream is None:
            return
        with upstream:
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            pump = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
            pump.start()
            _pipe(client, upstream)
            pump.join(timeout=10)

    def _forward(
        self, client: socket.socket, method: str, target: str, headers: tuple[tuple[str, str], ...]
    ) -> None:
        parts = urlsplit(target)
        if parts.scheme != "http" or not parts.hostname:
            client.sendall(_answer(400, "Bad Request"))
            return
        upstream = self._upstream(client, parts.hostname, parts.port or 80)
        if upstream is None:
            return
        with upstream:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            kept = [
                f"{name}: {value}"
                for name, value in headers
                if name.lower() not in ("connection", "proxy-connection", "proxy-authorization", "keep-alive")
            ]
            request = "\r\n".join([f"{method} {path} HTTP/1.1", *kept, "Connection: close", "", ""])
            upstream.sendall(request.encode("latin-1"))
            answer = _read_all(upstream)
            head, sep, body = answer.partition(b"\r\n\r\n")
            status_line, *lines = head.split(b"\r\n")
            lines = [line for line in lines if not line.lower().startswith(b"connection:")]
            client.sendall(b"\r\n".join([status_line, *lines, b"Connection: close"]) + sep + body)


def _answer(status: int, reason: str) -> bytes:
    body = f"{status} {reason} (test proxy)".encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode() + body


def _read_head(sock: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return None
        data += chunk
    return data.split(b"\r\n\r\n", 1)[0]


def _read_all(sock: socket.socket) -> bytes:
    parts: list[bytes] = []
    while chunk := sock.recv(65536):
        parts.append(chunk)
    return b"".join(parts)


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)
