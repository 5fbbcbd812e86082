"""The shared vocabulary of every pipeline stage.

Extraction yields `Occurrence`s (where a link was cited and how) naming a `Target` (what it points at);
checking gathers `Evidence` for each distinct target; classification turns evidence into a `Judgement`
(verdict + reason); the report joins them as `UrlResult`s. All are frozen: a stage hands data on and
never mutates what it received. String values of the enums are a public contract (JSON reports, CLI
options) and only ever grow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "Attempt",
    "AuditReport",
    "ErrorKind",
    "Evidence",
    "FileError",
    "FileWarning",
    "Hop",
    "Judgement",
    "LinkKind",
    "Occurrence",
    "Target",
    "TargetStatus",
    "UrlResult",
    "Verdict",
]


class LinkKind(StrEnum):
    """How a URL was cited."""

    LINK = "link"
    IMAGE = "image"
    AUTOLINK = "autolink"
    BARE = "bare"
    REFERENCE = "reference"
    HTML_LINK = "html-link"
    HTML_IMAGE = "html-image"
    TEXT_URL = "text-url"

    @property
    def wants_image(self) -> bool:
        """An image citation is only live if the URL still serves an image."""
        return self in (LinkKind.IMAGE, LinkKind.HTML_IMAGE)


class TargetStatus(StrEnum):
    """Whether extraction produced something checkable."""

    OK = "ok"
    SKIPPED = "skipped"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class Target:
    """What a citation points at, normalized so that equal targets share one check.

    `url` is the normalized absolute URL (local paths as `file:` URLs) without the fragment; it is the
    deduplication key. `reason` explains a skipped (the scheme) or invalid (what is wrong) target.
    """

    url: str
    status: TargetStatus = TargetStatus.OK
    reason: str | None = None
    fragment: str | None = None

    @property
    def scheme(self) -> str:
        head, sep, _ = self.url.partition(":")
        return head.lower() if sep else ""

    @property
    def is_local(self) -> bool:
        return self.status is TargetStatus.OK and self.scheme == "file"

    @property
    def is_http(self) -> bool:
        return self.status is TargetStatus.OK and self.scheme in ("http", "https")

    @property
    def host(self) -> str:
        """Lower-cased host of an http(s) URL (with port when not the default), else ''."""
        if not self.is_http:
            return ""
        rest = self.url.split("://", 1)[1]
        for stop in "/?#":
            rest = rest.split(stop, 1)[0]
        return rest.rsplit("@", 1)[-1]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One place a target is cited.

    `line`/`column` (1-based; columns count characters) locate the citation where it is used, the
    start of the link construct. `start`/`end` are byte offsets of the destination as written in the
    file (for a reference link, in its definition): the file's bytes in that span, decoded with the
    file's encoding, are exactly `raw`. That is what makes byte-exact rewriting possible later.
    """

    file: str
    line: int
    column: int
    start: int
    end: int
    kind: LinkKind
    raw: str
    target: Target
    text: str = ""
    title: str = ""
    template: bool = False


@dataclass(frozen=True, slots=True)
class FileError:
    """A file that could not be read or parsed; the run goes on without it."""

    file: str
    message: str


@dataclass(frozen=True, slots=True)
class FileWarning(FileError):
    """A file that was read, with a flaw worth knowing (undecodable bytes read as U+FFFD): its links are kept.

    A subclass so that it travels wherever file problems do; reports list it apart from the files that
    could not be read, and it never fails a run. `line`/`column` (1-based, characters) locate the flaw.
    """

    line: int = 1
    column: int = 1


class Verdict(StrEnum):
    """What we conclude about a target. Strings are stable; new members are added, never renamed."""

    LIVE = "live"
    REDIRECTED = "redirected"
    DEAD = "dead"
    BLOCKED = "blocked"
    RATE_LIMITED = "rate-limited"
    UNREACHABLE = "unreachable"
    INVALID = "invalid"
    SKIPPED = "skipped"
    # Reserved for the soft-404 / redirect-to-home and parked-domain issues.
    SOFT_DEAD = "soft-dead"
    USURPED = "usurped"


class ErrorKind(StrEnum):
    """Why an attempt got no HTTP answer (or an unusable one). Drives both retry and verdict."""

    DNS_NOT_FOUND = "dns-not-found"
    DNS_FAILURE = "dns-failure"
    CONNECTION_REFUSED = "connection-refused"
    CONNECTION_RESET = "connection-reset"
    CONNECT_ERROR = "connect-error"
    TIMEOUT = "timeout"
    TLS = "tls-error"
    PROTOCOL = "protocol-error"
    TOO_MANY_REDIRECTS = "too-many-redirects"
    REDIRECT_LOOP = "redirect-loop"
    BAD_REDIRECT = "bad-redirect"
    FILE_MISSING = "file-missing"
    HOST_UNREACHABLE = "host-unreachable"
    BLOCKED_ADDRESS = "blocked-address"
    OTHER = "error"

    @property
    def is_connection_level(self) -> bool:
        """Failures that say the host, not the page, is the problem (counted toward a dead host)."""
        return self in (
            ErrorKind.DNS_NOT_FOUND,
            ErrorKind.DNS_FAILURE,
            ErrorKind.CONNECTION_REFUSED,
            ErrorKind.CONNECT_ERROR,
            ErrorKind.TIMEOUT,
            ErrorKind.TLS,
        )


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a redirect chain: the URL requested and the status it answered."""

    url: str
    status: int


@dataclass(frozen=True, slots=True)
class Attempt:
    """One request as made on the wire (HEAD or GET, one hop) and what came of it."""

    method: str
    url: str
    status: int | None
    error: ErrorKind | None = None
    detail: str | None = None
    elapsed_ms: int = 0


@dataclass(frozen=True, slots=True)
class Evidence:
    """Everything a probe observed about one target; verdicts are pure functions of this.

    `status` is the final HTTP status (after redirects), `error` the final failure when there was no
    usable answer. `redirects` lists each hop that answered with a redirect, in order.
    """

    url: str
    status: int | None = None
    error: ErrorKind | None = None
    detail: str | None = None
    final_url: str | None = None
    redirects: tuple[Hop, ...] = ()
    attempts: tuple[Attempt, ...] = ()
    content_type: str | None = None
    is_image: bool | None = None
    challenge: bool = False
    retry_after: float | None = None
    short_circuited: bool = False
    checked_at: str = ""
    fingerprint: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Judgement:
    """A verdict with a machine-readable reason (e.g. `http-404`, `dns-not-found`)."""

    verdict: Verdict
    reason: str
    permanent: bool | None = None


@dataclass(frozen=True, slots=True)
class UrlResult:
    """A distinct target, what was found about it and everywhere it is cited."""

    target: Target
    judgement: Judgement
    evidence: Evidence | None
    occurrences: tuple[Occurrence, ...]


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The outcome of one run, as every reporter receives it.

    `settings` holds the effective options (plain JSON-able values). `partial` is true when the run was
    interrupted and only some URLs were checked; `pending` then lists the URLs that were not. `errors`
    are files that could not be read, `warnings` files read with a flaw (their links are in the report).
    """

    generated_at: str
    files: int
    links: int
    results: tuple[UrlResult, ...]
    errors: tuple[FileError, ...]
    settings: dict[str, object] = field(default_factory=dict)
    partial: bool = False
    elapsed_s: float = 0.0
    warnings: tuple[FileWarning, ...] = ()
    pending: tuple[str, ...] = ()
