"""A small web archive on loopback that speaks the Wayback Machine's CDX API, for tests and the demo.

`SimArchive` is a real HTTP/1.1 server in a background thread. It holds captures (`capture(url,
timestamp, status, body=...)`) and answers what linkaudit asks of the Wayback Machine, the way it does:

- `/cdx/search/cdx?url=…&output=json&fl=…&from=…&to=…&filter=[!]field:regex&limit=±N`: a header row, then
  rows of strings, oldest first (`limit=-N` keeps the last N); `[]` when nothing matches (or an empty
  body, with `empty_body=True`, as some deployments answer). `from`/`to` take 1 to 14 digits, padded
  to the lower and upper end of the period they name. Filters are whole-field regexes, as in Java.
- `/web/{timestamp}{flag}/{url}`: the capture closest to the timestamp; a redirect to it when that is not
  the one asked for; with the `id_` flag the bytes as captured, otherwise behind a toolbar, as replay does.

URLs are matched as the archive's SURT keys match them: scheme, `www.`, default port and case of the host
ignored. Faults are scripted (`fail_next(Fault(429, retry_after="2"), Fault(503))`, or `fail_always`),
and every request is recorded with when it began and ended, so that a test can assert how politely it
was asked: `archive.requests`, `archive.max_in_flight`, `archive.min_gap()`.

    with SimArchive() as archive:
        archive.capture("http://news.example/a", "20211230120000")
        settings = ArchiveSettings(archive_url=archive.archive_url)
        resolver = Resolver({**archive.resolve, "*": None}, system=False)
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["ArchiveRequest", "Fault", "SimArchive", "Snapshot", "url_key"]

_CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
_REPLAY = re.compile(r"/web/(?P<stamp>\d{1,14})(?P<flag>[a-z]{2}_)?/(?P<url>.+)", re.S)
_TOOLBAR = (
    b"<!-- BEGIN WAYBACK TOOLBAR INSERT --><div>Simulated archive</div><!-- END WAYBACK TOOLBAR INSERT -->"
)


def url_key(url: str) -> str:
    """What the archive files a URL under: no scheme, host lower-cased without `www.` or its default
    port, the path and query as given (a SURT key, simplified)."""
    parts = urlsplit(url if "://" in url else "http://" + url)
    host = (parts.hostname or "").removeprefix("www.")
    port = parts.port
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path or "/"
    return host + path + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One capture: what the archive's crawler received for `url` at `timestamp` (14 digits)."""

    url: str
    timestamp: str
    status: int = 200
    body: bytes = b""
    mimetype: str = "text/html"
    location: str | None = None

    def row(self) -> dict[str, str]:
        digest = base64.b32encode(hashlib.sha1(self.body).digest()).decode()
        return {
            "urlkey": _surt(self.url),
            "timestamp": self.timestamp,
            "original": self.url,
            "mimetype": self.mimetype,
            "statuscode": str(self.status) if self.status else "-",
            "digest": digest,
            "length": str(len(self.body) + 300),
        }


@dataclass(frozen=True, slots=True)
class Fault:
    """A scripted failure: an HTTP status (with Retry-After, and a body such as a portal's page), or
    `status=0` for a connection closed with no answer. `delay` holds the answer back first (past the
    client's timeout, for a hanging archive)."""

    status: int
    retry_after: str | None = None
    delay: float = 0.0
    body: bytes | None = None


@dataclass(frozen=True, slots=True)
class ArchiveRequest:
    """One request as the archive received it: `start` when its head was read, `end` when the answer was
    written (`time.monotonic()`), the query as parsed, and the status answered (0: closed unanswered)."""

    start: float
    end: float
    path: str
    query: dict[str, list[str]]
    status: int
    user_agent: str = ""

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


def _surt(url: str) -> str:
    key = url_key(url)
    host, _, rest = key.partition("/")
    return ",".join(reversed(host.split("."))) + ")/" + rest


@dataclass
class _State:
    captures: dict[str, list[Snapshot]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    always: Fault | None = None
    requests: list[ArchiveRequest] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    errors: list[str] = field(default_factory=list)


class SimArchive:
    """A web archive on loopback. See the module docstring."""

    def __init__(
        self,
        name: str = "archive.example",
        *,
        address: str = "127.0.0.1",
        latency: float = 0.0,
        empty_body: bool = False,
    ) -> None:
        self.name = name.lower()
        self.latency = latency
        self.empty_body = empty_body
        self._lock = threading.Lock()
        self._state = _State()
        self._server = _Server((address, 0), _Handler)
        self._server.archive = self
        self._thread: threading.Thread | None = None

    # Scripting (any thread).

    def capture(
        self,
        url: str,
        timestamp: str,
        status: int = 200,
        *,
        body: bytes | str = b"",
        mimetype: str = "text/html",
        location: str | None = None,
    ) -> SimArchive:
        """Add a capture of `url`; a 3xx capture redirected to `location`."""
        if not (timestamp.isdigit() and len(timestamp) == 14):
            raise ValueError(f"a capture's timestamp is 14 digits, not {timestamp!r}")
        data = body.encode("utf-8") if isinstance(body, str) else body
        snapshot = Snapshot(url, timestamp, status, data, mimetype, location)
        with self._lock:
            rows = self._state.captures.setdefault(url_key(url), [])
            rows.append(snapshot)
            rows.sort(key=lambda s: s.timestamp)
        return self

    def fail_next(self, *faults: Fault) -> SimArchive:
        """Answer the next requests (any path) with these faults, in order."""
        with self._lock:
            self._state.faults.extend(faults)
        return self

    def fail_always(self, fault: Fault | None) -> SimArchive:
        """Answer every request with `fault` from now on (None: answer normally again)."""
        with self._lock:
            self._state.always = fault
        return self

    # What a test reads.

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    @property
    def archive_url(self) -> str:
        """The archive's base URL, by name: `resolve` maps the name to the server."""
        return f"http://{self.name}"

    @property
    def resolve(self) -> dict[str, str | None]:
        return {self.name: self.address}

    @property
    def requests(self) -> list[ArchiveRequest]:
        with self._lock:
            return list(self._state.requests)

    @property
    def max_in_flight(self) -> int:
        with self._lock:
            return self._state.max_in_flight

    @property
    def errors(self) -> list[str]:
        """Failures inside the server itself (its bugs, not the client's misbehaviour)."""
        with self._lock:
            return list(self._state.errors)

    def min_gap(self) -> float | None:
        """The shortest time between two successive request starts (None for fewer than two)."""
        starts = sorted(request.start for request in self.requests)
        return min((b - a for a, b in itertools.pairwise(starts)), default=None)

    # Lifetime.

    def start(self) -> SimArchive:
        if self._thread is not None:
            raise RuntimeError("a SimArchive starts once")
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name="simarchive", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> SimArchive:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # Serving (handler threads).

    def _begin(self) -> Fault | None:
        with self._lock:
            state = self._state
            state.in_flight += 1
            state.max_in_flight = max(state.max_in_flight, state.in_flight)
            if state.faults:
                return state.faults.pop(0)
            return state.always

    def _end(self, record: ArchiveRequest) -> None:
        with self._lock:
            self._state.in_flight -= 1
            self._state.requests.append(record)

    def _error(self, message: str) -> None:
        with self._lock:
            self._state.errors.append(message)

    def _captures(self, url: str) -> list[Snapshot]:
        with self._lock:
            return list(self._state.captures.get(url_key(url), ()))

    def cdx(self, query: dict[str, list[str]]) -> tuple[int, bytes, str]:
        """The CDX server's answer to a query: (status, body, content type)."""
        url = (query.get("url") or [""])[0]
        if not url:
            return 400, b"Request must include a url parameter", "text/plain"
        rows = self._captures(url)
        low = (query.get("from") or [""])[0]
        high = (query.get("to") or [""])[0]
        if low:
            rows = [r for r in rows if r.timestamp >= low.ljust(14, "0")]
        if high:
            rows = [r for r in rows if r.timestamp <= high.ljust(14, "9")]
        for spec in query.get("filter", []):
            negate = spec.startswith("!")
            name, _, pattern = spec.lstrip("!").partition(":")
            if name not in _CDX_FIELDS:
                return 400, f"bad filter field {name!r}".encode(), "text/plain"
            try:
                regex = re.compile(pattern)
            except re.error:
                return 400, f"bad filter regex {pattern!r}".encode(), "text/plain"
            rows = [r for r in rows if (regex.fullmatch(r.row()[name]) is not None) != negate]
        limit = (query.get("limit") or [""])[0]
        if limit.lstrip("-").isdigit():
            n = int(limit)
            rows = rows[:n] if n >= 0 else rows[n:]
        fields = [f for f in (query.get("fl") or [",".join(_CDX_FIELDS)])[0].split(",") if f]
        if any(f not in _CDX_FIELDS for f in fields):
            return 400, b"bad fl field", "text/plain"
        table = [[row.row()[f] for f in fields] for row in rows]
        if (query.get("output") or [""])[0] == "json":
            if not table:
                return 200, b"" if self.empty_body else b"[]", "application/json"
            body = json.dumps([fields, *table], ensure_ascii=False).encode()
            return 200, body, "application/json"
        return 200, "".join(" ".join(line) + "\n" for line in table).encode(), "text/plain"

    def replay(self, path: str) -> tuple[int, bytes, str, dict[str, str]]:
        """A `/web/` URL: (status, body, content type, headers)."""
        match = _REPLAY.fullmatch(path)
        if match is None:
            return 404, b"not a replay URL", "text/plain", {}
        asked, flag, url = match["stamp"].ljust(14, "0"), match["flag"] or "", unquote(match["url"])
        rows = self._captures(url)
        if not rows:
            return 404, b"Hrm. This URL has not been archived.", "text/html", {}
        nearest = min(rows, key=lambda r: abs(int(r.timestamp) - int(asked)))
        if nearest.timestamp != match["stamp"]:
            location = f"/web/{nearest.timestamp}{flag}/{nearest.url}"
            return 302, b"", "text/plain", {"Location": location}
        headers = {"Memento-Datetime": nearest.timestamp}
        if nearest.location:
            headers["Location"] = nearest.location
        body = nearest.body if flag == "id_" else _TOOLBAR + nearest.body
        return nearest.status, body, nearest.mimetype, headers


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    archive: SimArchive


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 5.0  # an idle keep-alive connection is closed, so no thread outlives the test for long

    def log_message(self, format: str, *args: object) -> None:
        pass  # requests are recorded, not printed

    def do_GET(self) -> None:
        archive = self.server.archive
        self._record: ArchiveRequest | None = None
        self._start = time.monotonic()
        parts = urlsplit(self.path)
        self._query = parse_qs(parts.query, keep_blank_values=True)
        fault = archive._begin()
        try:
            if archive.latency:
                time.sleep(archive.latency)
            if fault is not None:
                self._fault(fault)
            elif parts.path == "/cdx/search/cdx":
                status, body, kind = archive.cdx(self._query)
                self._send(status, body, kind, {})
            else:
                status, body, kind, headers = archive.replay(
                    parts.path + (f"?{parts.query}" if parts.query else "")
                )
                self._send(status, body, kind, headers)
        except (ConnectionError, TimeoutError):
            pass  # the client went away: its business
        except Exception as exc:  # a bug of the simulated archive: recorded for the test to see
            archive._error(f"{type(exc).__name__}: {exc}")
            raise
        finally:
            self._done(0)

    def _done(self, status: int) -> None:
        """Record the request once, before its last bytes leave: a client that has its answer finds it
        counted, and the next request it sends cannot be counted as in flight beside this one."""
        if self._record is None:
            path = urlsplit(self.path).path
            agent = self.headers.get("User-Agent", "")
            self._record = ArchiveRequest(self._start, time.monotonic(), path, self._query, status, agent)
            self.server.archive._end(self._record)

    def _fault(self, fault: Fault) -> None:
        if fault.delay:
            time.sleep(fault.delay)
        if fault.status == 0:
            self.close_connection = True
            self._done(0)
            return
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        body = fault.body if fault.body is not None else f"simulated {fault.status}".encode()
        self._send(fault.status, body, "text/html" if fault.body is not None else "text/plain", headers)

    def _send(self, status: int, body: bytes, kind: str, headers: dict[str, str]) -> None:
        self.send_response(status)  # buffered until end_headers
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self._done(status)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
