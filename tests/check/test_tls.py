"""TLS is verified, and a certificate problem is named as such (a real TLS server on loopback)."""

from __future__ import annotations

import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkaudit.check import CheckItem, check_targets
from linkaudit.check.resolve import Resolver
from linkaudit.models import LinkKind, Occurrence, UrlResult, Verdict
from linkaudit.settings import CheckSettings
from linkaudit.urls import normalize


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for tls.example, made with openssl (or Python's test cert)."""
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
            "/CN=tls.example",
            "-addext",
            "subjectAltName=DNS:tls.example",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[str]:
    cert, key = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.bind(("127.0.0.2", 0))
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
    yield f"{host}:{port}"
    stop.set()
    listener.close()
    thread.join(timeout=5)


async def test_untrusted_certificate_is_named(tls_server: str) -> None:
    url = "https://tls.example/page"
    target = normalize(url)
    occ = Occurrence(
        file="a.md", line=1, column=1, start=0, end=1, kind=LinkKind.LINK, raw=url, target=target
    )
    results: list[UrlResult] = []
    resolver = Resolver({"tls.example": tls_server, "*": None}, system=False)
    settings = CheckSettings(
        retry_base=0.01, timeout=5, allow_private_nets=(ipaddress.ip_network("127.0.0.0/8"),)
    )
    await check_targets([CheckItem(target, (occ,))], settings, on_result=results.append, resolver=resolver)
    (result,) = results
    assert (result.judgement.verdict, result.judgement.reason) == (Verdict.UNREACHABLE, "tls-error")
    assert result.evidence is not None
    assert result.evidence.detail is not None
    assert "certificate" in result.evidence.detail
    assert len(result.evidence.attempts) == 1  # a bad certificate is not retried
