"""The catalogue of hostile servers: each case, the verdicts it may get, and how to run one.

Shared by the fault tests (tests/check/test_faults.py) and the fault benchmark
(benchmarks/fault_bench.py, one case per process to measure its peak RSS). Every case runs one URL on
`fault.example`, resolved to a `FaultServer` on loopback and nothing else.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import socket
import ssl
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import trustme
from faults import FaultServer, Handler, RawRequest, reset, respond
from test_engine import FAST, LOOPBACK

from linkaudit.check import CheckItem, check_targets
from linkaudit.check.resolve import Resolver
from linkaudit.models import LinkKind, Occurrence, UrlResult
from linkaudit.settings import CheckSettings
from linkaudit.urls import normalize

__all__ = ["CASES", "LOOPBACK", "SETTINGS", "FaultCase", "run_case"]

#: The engine tests' settings (loopback allowed through the guard), with a short deadline so that the
#: slow cases stay short; retries as by default.
SETTINGS = dataclasses.replace(FAST, retry_base=0.05, max_retry_wait=1.0, timeout=1.0)
_CHUNK = b"x" * 65536


def _page(conn: socket.socket) -> None:
    respond(conn, 200, b"<p>a page</p>", {"Content-Type": "text/html"})


def _get_only(answer: Callable[[RawRequest, socket.socket, FaultServer], None]) -> Handler:
    """HEAD is refused (405), so the GET that follows meets the fault, body and all."""

    def handler(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
        if request.method == "HEAD":
            respond(conn, 405)
        else:
            answer(request, conn, server)

    return handler


def _endless(conn: socket.socket, head: bytes, server: FaultServer) -> None:
    conn.sendall(head)
    while not server.stopping.is_set():
        conn.sendall(_CHUNK)  # raises once the client has hung up, which ends the handler


def endless_body(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
    _endless(conn, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n", server)


def endless_header_line(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
    _endless(conn, b"HTTP/1.1 200 OK\r\nX-Endless: ", server)


def _location(raw: bytes) -> Handler:
    def handler(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
        if request.target == "/a":
            respond(conn, 302, raw_headers=b"Location: " + raw + b"\r\n")
        else:
            _page(conn)

    return handler


def growing_redirects(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
    respond(conn, 302, headers={"Location": request.target + "/" + "g" * 4000})


def http_09(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
    conn.sendall(b"<html><body>an HTTP/0.9 answer: no status line, no headers</body></html>\n")


def silence(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
    server.stopping.wait()


def connection_reset(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
    reset(conn)


def _junk_encoded(coding: str) -> Handler:
    def handler(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
        body = os.urandom(200_000)
        respond(conn, 200, body, {"Content-Type": "text/html", "Content-Encoding": coding})

    return _get_only(handler)


def lying_length(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<p>short")


def bad_chunks(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot a chunk size\r\n0\r\n\r\n")


def page(request: RawRequest, conn: socket.socket, server: FaultServer) -> None:
    _page(conn)


@dataclass(frozen=True, slots=True)
class FaultCase:
    """One hostile server; `verdicts` are the (verdict, reason) pairs it may fairly get."""

    name: str
    handler: Handler
    verdicts: frozenset[tuple[str, str]]
    settings: dict[str, object] = field(default_factory=dict)
    tls: str | None = None  # a certificate problem: "expired", "wrong-host", "self-signed"
    detail: str | None = None  # what `detail` must say
    kind: LinkKind = LinkKind.LINK

    def check_settings(self) -> CheckSettings:
        return dataclasses.replace(SETTINGS, **self.settings)  # type: ignore[arg-type]


def _one(verdict: str, reason: str) -> frozenset[tuple[str, str]]:
    return frozenset({(verdict, reason)})


CASES = [
    FaultCase("endless body", _get_only(endless_body), _one("live", "http-200")),
    FaultCase("endless header line", endless_header_line, _one("unreachable", "protocol-error")),
    FaultCase(
        "100 KB Location", _location(b"/" + b"L" * 100_000), _one("dead", "bad-redirect"), detail="too long"
    ),
    FaultCase("invalid UTF-8 Location", _location(b"/caf\xe9"), _one("redirected", "redirect-302")),
    FaultCase(
        "URL growing each hop",
        growing_redirects,
        _one("dead", "bad-redirect"),
        {"max_redirects": 100},
        detail="too long",
    ),
    FaultCase("URL growing each hop, 10 hops", growing_redirects, _one("dead", "too-many-redirects")),
    FaultCase("HTTP/0.9 answer", http_09, _one("unreachable", "protocol-error")),
    FaultCase(
        "accept, then silence",
        silence,
        frozenset({("unreachable", "timeout"), ("unreachable", "url-budget-exhausted")}),
    ),
    FaultCase("connection reset", connection_reset, _one("unreachable", "connection-reset")),
    FaultCase("Content-Encoding: br of junk", _junk_encoded("br"), _one("live", "http-200")),
    FaultCase("Content-Encoding: zstd of junk", _junk_encoded("zstd"), _one("live", "http-200")),
    FaultCase("lying Content-Length", _get_only(lying_length), _one("live", "http-200")),
    FaultCase("malformed chunked encoding", _get_only(bad_chunks), _one("live", "http-200")),
    FaultCase("expired certificate", page, _one("unreachable", "tls-error"), tls="expired", detail="expired"),
    FaultCase(
        "certificate for another host",
        page,
        _one("unreachable", "tls-error"),
        tls="wrong-host",
        detail="another host",
    ),
    FaultCase(
        "self-signed certificate",
        page,
        _one("unreachable", "tls-error"),
        tls="self-signed",
        detail="self-signed",
    ),
]


@contextmanager
def _certificates(problem: str) -> Iterator[tuple[ssl.SSLContext, str]]:
    """A server context with the `problem`, and a CA bundle holding the test CA (for `--ca-bundle`)."""
    ca = trustme.CA()
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if problem == "self-signed":
        other = trustme.CA()  # its own certificate, self-signed, served as the leaf
        with tempfile.TemporaryDirectory() as folder:
            cert, key = Path(folder) / "cert.pem", Path(folder) / "key.pem"
            other.cert_pem.write_to_path(str(cert))
            other.private_key_pem.write_to_path(str(key))
            server.load_cert_chain(cert, key)
    elif problem == "expired":
        past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
        ca.issue_cert(
            "fault.example", not_before=past - datetime.timedelta(days=30), not_after=past
        ).configure_cert(server)
    else:
        ca.issue_cert("other.example").configure_cert(server)
    with tempfile.TemporaryDirectory() as folder:
        bundle = Path(folder) / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        yield server, str(bundle)


async def run_case(case: FaultCase) -> tuple[UrlResult, float]:
    """Check the case's one URL against its server; the result and the seconds it took."""
    scheme = "https" if case.tls else "http"
    url = f"{scheme}://fault.example/a"
    target = normalize(url)
    occ = Occurrence(
        file="a.md", line=1, column=1, start=0, end=len(url), kind=case.kind, raw=url, target=target
    )
    results: list[UrlResult] = []
    with _tls_for(case) as (tls, bundle), FaultServer(case.handler, tls=tls) as server:
        resolver = Resolver({"fault.example": server.address, "*": None}, system=False)
        started = time.monotonic()
        settings = dataclasses.replace(case.check_settings(), ca_bundle=bundle)
        await check_targets(
            [CheckItem(target, (occ,))], settings, on_result=results.append, resolver=resolver
        )
        elapsed = time.monotonic() - started
    (result,) = results
    return result, elapsed


@contextmanager
def _tls_for(case: FaultCase) -> Iterator[tuple[ssl.SSLContext | None, str | None]]:
    if case.tls is None:
        yield None, None
    else:
        with _certificates(case.tls) as (context, bundle):
            yield context, bundle
