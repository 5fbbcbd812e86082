"""A raw HTTP/1.1 server on loopback, for tests that need what SimWeb, a well-behaved server, never sends:
answers built from the request (a header echoed back), malformed status lines, control characters.

Each connection carries one request; the handler returns the whole answer as bytes. Every request's path
and headers are recorded, so a test can assert what each hop of a redirect chain carried.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable
from typing import Self

__all__ = ["Handler", "RawServer", "answer"]

#: (path, headers as received) -> the whole answer, status line included.
Handler = Callable[[str, list[tuple[str, str]]], bytes]


def answer(status: int, *headers: tuple[str, str], body: bytes = b"") -> bytes:
    """A well-formed answer that closes its connection."""
    head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers)
    return (head + "\r\n").encode("utf-8") + body


class RawServer:
    """Serves `handler` on `address` (a fresh port), over TLS when given a server context."""

    def __init__(self, handler: Handler, *, address: str = "127.0.0.2", tls: ssl.SSLContext | None = None):
        self.handler = handler
        self.tls = tls
        self.log: list[tuple[str, list[tuple[str, str]]]] = []
        self.listener = socket.create_server((address, 0))
        self.listener.settimeout(0.1)
        self.address = address
        self.port: int = self.listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def url(self, name: str, path: str) -> str:
        return f"{'https' if self.tls else 'http'}://{name}:{self.port}{path}"

    def headers_at(self, path: str) -> list[dict[str, list[str]]]:
        """Each request to `path`: its header values by lower-case name."""
        seen = []
        for logged_path, headers in list(self.log):
            if logged_path == path:
                by_name: dict[str, list[str]] = {}
                for name, value in headers:
                    by_name.setdefault(name.lower(), []).append(value)
                seen.append(by_name)
        assert seen, f"no request reached {path}"
        return seen

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                with conn if self.tls is None else self.tls.wrap_socket(conn, server_side=True) as stream:
                    self._answer(stream)
            except (OSError, ssl.SSLError):
                conn.close()

    def _answer(self, stream: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = stream.recv(65536)
            if not chunk:
                return
            data += chunk
        request, *lines = data.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
        path = request.split(" ")[1]
        headers = [(name, value) for name, _, value in (line.partition(": ") for line in lines)]
        self.log.append((path, headers))
        stream.sendall(self.handler(path, headers))

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.listener.close()
        self._thread.join(timeout=5)
