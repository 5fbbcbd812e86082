"""A TLS server on loopback with a throwaway self-signed certificate, for the TLS, proxy and https-available
tests."""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DualServer", "Seen", "self_signed", "serve_http_and_tls", "serve_tls"]


def self_signed(folder: Path, name: str = "tls.example") -> tuple[Path, Path]:
    """A throwaway self-signed certificate (and its key) for `name`, made with openssl."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    openssl = shutil.which("openssl")
    assert openssl is not None, "openssl is needed to make a test certificate"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={name}",
            "-addext",
            f"subjectAltName=DNS:{name}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@contextlib.contextmanager
def serve_tls(cert: Path, key: Path, address: str = "127.0.0.2") -> Iterator[str]:
    """Answer every request over TLS with `200 ok` (one per connection); yields "ADDR:PORT"."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.bind((address, 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(4096)
                    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            except (ssl.SSLError, OSError):
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    host, port = listener.getsockname()
    try:
        yield f"{host}:{port}"
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


@dataclass(frozen=True, slots=True)
class Seen:
    """One request a `DualServer` answered: over TLS or not, its method and path, when it arrived."""

    tls: bool
    method: str
    path: str
    at: float


@dataclass
class DualServer:
    """What `serve_http_and_tls` yields: its "ADDR:PORT" and every request it answered, in order."""

    address: str
    seen: list[Seen] = field(default_factory=list)


@contextlib.contextmanager
def serve_http_and_tls(
    cert: Path,
    key: Path,
    routes: Mapping[tuple[bool, str], int],
    address: str = "127.0.0.2",
) -> Iterator[DualServer]:
    """One port that speaks plain HTTP and TLS, as a host's ports 80 and 443 do (the first byte tells:
    22 opens a TLS handshake), so `--resolve NAME:ADDR:PORT` serves both `http://NAME` and
    `https://NAME`. `routes` maps (tls, path) to a status (200 with a small page, else that status with
    none); anything else is 404. One request per connection."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.bind((address, 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()
    host, port = listener.getsockname()
    server = DualServer(f"{host}:{port}")

    def answer(conn: socket.socket) -> None:
        conn.settimeout(5)
        tls = conn.recv(1, socket.MSG_PEEK) == b"\x16"
        stream: socket.socket = context.wrap_socket(conn, server_side=True) if tls else conn
        with stream:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = stream.recv(4096)
                if not chunk:
                    return
                head += chunk
            method, path, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
            server.seen.append(Seen(tls, method, path, time.monotonic()))
            status = routes.get((tls, path.split("?", 1)[0]), 404)
            body = b"<html><title>ok</title><body>ok</body></html>" if status == 200 else b""
            stream.sendall(
                f"HTTP/1.1 {status} X\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n".encode()
                + (b"" if method == "HEAD" else body)
            )

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                answer(conn)
            except (ssl.SSLError, OSError, ValueError):
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)
