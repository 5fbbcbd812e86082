"""The shared vocabulary of every pipeline stage.

Extraction yields `Occurrence`s (where a link was cited and how) naming a `Target` (what it points at);
checking gathers `Evidence` for each distinct target; classification turns evidence into a `Judgement`
(verdict + reason); the report joins them as `UrlResult`s. A `Finding` notes a flaw in how a citation is
written, whatever its verdict. All are frozen: a stage hands data on and never mutates what it received.
String values of the enums are a public contract (JSON reports, CLI options) and only ever grow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "NO_EXTRA_FIELDS",
    "Anchors",
    "Attempt",
    "AuditReport",
    "BaselineMark",
    "ErrorKind",
    "Evidence",
    "FileError",
    "FileWarning",
    "Finding",
    "FindingKind",
    "HistoryNote",
    "Hop",
    "Judgement",
    "LinkKind",
    "Occurrence",
    "Target",
    "TargetStatus",
    "UrlResult",
    "Verdict",
]


NO_EXTRA_FIELDS: Mapping[str, object] = MappingProxyType({})
"""The one empty `extra_fields` every result made by this version shares (no dict per result)."""


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
    #: A line of a URL list (`check --urls FILE`).
    URL_LIST = "url-list"

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
    deduplication key. `reason` is why a target is skipped or invalid, as a stable slug
    (`unchecked-scheme`, `invalid-host`); `detail` says it in words, with the offending part.
    """

    url: str
    status: TargetStatus = TargetStatus.OK
    reason: str | None = None
    fragment: str | None = None
    detail: str | None = None

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
    `findings` are hygiene findings about how it is written, attached after extraction.
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
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class FileError:
    """A file that could not be read or parsed; the run goes on without it.

    `baseline`: with `--baseline`, whether the baseline report listed the file as unreadable too (`known`:
    it does not fail the run) or not (`new`); None without a baseline."""

    file: str
    message: str
    baseline: BaselineMark | None = field(default=None, kw_only=True)


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
    #: Live, but its main text has drifted from the archived copy nearest the citation date.
    DEVIATED = "deviated"


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
    #: The proxy itself failed (unreachable, refused the request): says nothing about the target's host.
    PROXY_ERROR = "proxy-error"

    #: The URL spent its whole time budget (`--url-budget`) without reaching an answer.
    URL_BUDGET = "url-budget-exhausted"
    #: A URL no request can be built for (httpx refuses it: an IDNA label it cannot decode, …).
    INVALID_URL = "invalid-url"

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
    #: Whether a connection to the host was open for this request (None: not known). A request that
    #: timed out on an open connection says the network works; one that never connected does not.
    connected: bool | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """Everything a probe observed about one target; verdicts are pure functions of this.

    `status` is the final HTTP status (after redirects), `error` the final failure when there was no
    usable answer. `redirects` lists each hop that answered with a redirect, in order. A hostile URL can
    make thousands of attempts or hops: only the first and last few are kept, and the counts of those
    left out are in `attempts_omitted` and `redirects_omitted`.
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
    anchors: Anchors | None = None
    #: Attempts and redirect hops observed but not kept (a report keeps the first and the last few).
    attempts_omitted: int = 0
    redirects_omitted: int = 0
    #: What the soft-rot examination saw (None: not examined, e.g. `--no-soft`, a failure, an image).
    soft: SoftEvidence | None = None


@dataclass(frozen=True, slots=True)
class Judgement:
    """A verdict with a machine-readable reason (e.g. `http-404`, `dns-not-found`)."""

    verdict: Verdict
    reason: str
    permanent: bool | None = None


class FindingKind(StrEnum):
    """What a hygiene finding is about. Strings are stable; new kinds are added, never renamed."""

    ESCAPED_BARE_URL = "escaped-bare-url"
    #: The link text is a URL, and not the one the link goes to (scheme, `www.` and a final `/` aside).
    TEXT_URL_MISMATCH = "text-url-mismatch"
    #: An http:// citation whose host answers the same path over https (one probe per host).
    HTTPS_AVAILABLE = "https-available"
    #: A link shortener (bit.ly, t.co, t.cn, …): the suggestion is where it leads, once resolved.
    SHORTENER = "shortener"
    #: Tracking parameters (utm_*, fbclid, gclid, spm, …): the suggestion is the URL without them.
    TRACKING_PARAMS = "tracking-params"
    #: The same URL cited again in one article (a reference definition used twice counts once).
    DUPLICATE_IN_ARTICLE = "duplicate-in-article"


@dataclass(frozen=True, slots=True)
class Finding:
    """A flaw in how a citation is written, whatever its verdict (e.g. an escape GitHub keeps in a bare URL).

    `detail` says what to change; `suggestion` is the URL the citation should name, when there is one, and
    `suggestion_check` that URL's own judgement once it has been checked (None: not checked).
    """

    kind: FindingKind
    detail: str
    suggestion: str | None = None
    suggestion_check: Judgement | None = None
    #: With `--baseline`: whether the baseline report had the same finding on the same URL in the same
    #: article (`known`) or not (`new`); None without a baseline. Findings never fail a run: this is for
    #: SARIF's `baselineState`.
    baseline: BaselineMark | None = None


@dataclass(frozen=True, slots=True)
class Anchors:
    """What a `#fragment` can land on in one document: ids, `<a name>`s and heading slugs.

    `code_host`: the document is shown by a code host (GitHub and the like, as local Markdown files are
    judged), whose script finds a fragment in any case and with or without the `user-content-` prefix it
    gives user ids, and makes `#L10`-style line anchors; `names` are then lower-cased and unprefixed.
    `complete`: false when a missing name proves nothing (a body cut short, a page with no ids at all).
    """

    names: frozenset[str]
    code_host: bool = False
    complete: bool = True


@dataclass(frozen=True, slots=True)
class HistoryNote:
    """What the history store adds to a result: whether it was reused, and how long a failure has lasted.

    `failures` counts the failing checks since the last success (this one included) and `first_failed_at`
    is the first of them; `confirmed` says whether they meet `--confirm` (None for a URL not failing).
    """

    reused: bool = False
    failures: int = 0
    first_failed_at: str | None = None
    confirmed: bool | None = None


class BaselineMark(StrEnum):
    """Whether a failing URL was failing in the `--baseline` report already (`known`) or is `new`."""

    NEW = "new"
    KNOWN = "known"


@dataclass(frozen=True, slots=True)
class UrlResult:
    """A distinct target, what was found about it and everywhere it is cited.

    A `#fragment` its page lacks is a result of its own (its citations taken from the page's), with
    `target.fragment` set; every other result's target has no fragment.
    """

    target: Target
    judgement: Judgement
    evidence: Evidence | None
    occurrences: tuple[Occurrence, ...]
    #: Fields of a URL entry read back from a JSON report that this version does not model (written by a
    #: newer linkaudit): kept, so that `linkaudit report` writes them back as they were.
    extra_fields: Mapping[str, object] = field(default_factory=lambda: NO_EXTRA_FIELDS)
    history: HistoryNote | None = None
    #: What the archive stage found: the copy nearest the citation date or why there is none (None: not
    #: looked up), a citation that already is an archived copy, and the live page against its copy.
    archive: ArchiveLookup | None = None
    cited_snapshot: CitedSnapshot | None = None
    drift: Drift | None = None

    #: For a failing URL of a run with `--baseline`: whether the baseline had it failing (None: no baseline,
    #: or not failing).
    baseline: BaselineMark | None = None
    #: With `--baseline`: the URL's verdict in the baseline report (None: not in it, or no baseline).
    baseline_verdict: Verdict | None = None

    @property
    def excused(self) -> bool:
        """Whether a failing verdict here is reported without failing the run: the `--baseline` report had
        it failing (`known`), or `--confirm` has not confirmed it yet. Which verdicts fail is `--fail-on`'s;
        every exit code and every format that marks failures asks this one question."""
        return self.baseline is BaselineMark.KNOWN or (
            self.history is not None and self.history.confirmed is False
        )


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
    #: Top-level fields of a JSON report read back that this version does not model, kept as they were.
    extra_fields: Mapping[str, object] = field(default_factory=lambda: NO_EXTRA_FIELDS)
    #: The folder the articles' paths are relative to (absolute), and the articles, in path order.
    root: str = ""
    articles: tuple[ArticleFile, ...] = ()


# The archive stage (issue 7): when each article cited its links, and the archived copy nearest that date.
__all__ += [
    "ArchiveDirection",
    "ArchiveError",
    "ArchiveLookup",
    "ArchivedCopy",
    "ArticleFile",
    "CitationDate",
    "CitedAtSource",
    "CitedSnapshot",
    "Drift",
]


class CitedAtSource(StrEnum):
    """Where an article's citation date was read, most trusted first."""

    OVERRIDE = "override"
    FRONT_MATTER = "front-matter"
    DATELINE = "dateline"
    GIT = "git"
    MTIME = "mtime"


@dataclass(frozen=True, slots=True)
class CitationDate:
    """The UTC calendar date an article cited its links, how it was learnt, and the text it came from."""

    cited_at: date
    source: CitedAtSource
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ArticleFile:
    """One audited article as the report lists it: the bytes it had (`fix` edits only a file still so) and
    the date it cited its links. `path` is as shown, relative to the report's `root`; `sha256` is None for
    a file that could not be read."""

    path: str
    sha256: str | None
    cited: CitationDate | None = None


class ArchiveDirection(StrEnum):
    """Whether a snapshot was captured at or before the citation date, or only after it."""

    BEFORE = "before"
    AFTER = "after"


@dataclass(frozen=True, slots=True)
class ArchivedCopy:
    """The archived snapshot offered for a citation: `url` is `{archive}/web/{timestamp}/{cited url}`.

    `distance_days` counts whole days between the capture's UTC date and the citation date.
    """

    url: str
    timestamp: str
    distance_days: int
    direction: ArchiveDirection

    @property
    def raw_url(self) -> str:
        """The snapshot's bytes as captured, without the archive's toolbar or rewritten links (`id_`)."""
        return self.url.replace(f"/web/{self.timestamp}/", f"/web/{self.timestamp}id_/", 1)


class ArchiveError(StrEnum):
    """Why a citation has no archived copy. Strings are stable; new members are added at the end."""

    NONE_FOUND = "none-found"
    UNREACHABLE = "archive-unreachable"
    RATE_LIMITED = "archive-rate-limited"
    #: The archive answered, but not as the CDX API does (a 4xx other than 429, a body that is not CDX).
    BAD_ANSWER = "archive-bad-answer"


@dataclass(frozen=True, slots=True)
class ArchiveLookup:
    """What the archive said about one cited URL: a copy, or why there is none (never both)."""

    url: str
    cited_at: date
    archived: ArchivedCopy | None = None
    error: ArchiveError | None = None
    detail: str | None = None
    requests: int = 0


@dataclass(frozen=True, slots=True)
class CitedSnapshot:
    """A citation that already is an archived copy (`web.archive.org/web/<ts>/<url>`, archive.today): the
    archive (`service`), the URL captured and when (None when the citation does not say), and how far the
    capture is from the citation date (None when either is unknown)."""

    service: str
    original: str | None
    timestamp: str | None
    distance_days: int | None = None
    direction: ArchiveDirection | None = None


@dataclass(frozen=True, slots=True)
class Drift:
    """The live page's main text against the archived copy nearest the citation date (`--archives all`).

    `similarity` (0..1) compares the two main texts; None when it could not be measured, `error` saying
    why (the live page or the snapshot could not be had, or held no main text). `snapshot` is the raw
    snapshot compared (`{archive}/web/{timestamp}id_/{url}`).
    """

    snapshot: str
    timestamp: str
    similarity: float | None
    error: str | None = None


# Soft rot (issue 7): pages that answer 2xx but are not the page cited, and domains now parked.
__all__ += ["SoftEvidence"]


@dataclass(frozen=True, slots=True)
class SoftEvidence:
    """What the checker saw of a page that answered, for the soft-rot verdicts (`linkaudit.classify.soft`).

    Of the cited page: its `title`, not-found `wording` found in its title or first heading (`title: page
    not found`), parking `markers` (`resource:sedoparking.com`, `text:this domain is for sale`), the
    length of its main text in `words` (a CJK character counts half), whether it holds a password field
    (`login_form`). Of the random sibling asked for in the same directory (`sibling_url`: a name that
    cannot exist; None when no sibling was needed): how it answered and where it ended, its own wording
    and title, and the main-text `similarity` (0..1, shingles) of the two pages. `sibling_requests` is
    what the sibling cost (its requests, redirects included); `sibling_shared` says another URL of the same
    directory paid for it in this run (one probe per host and directory).
    """

    title: str | None = None
    wording: str | None = None
    markers: tuple[str, ...] = ()
    words: int = 0
    login_form: bool = False
    sibling_url: str | None = None
    sibling_status: int | None = None
    sibling_final_url: str | None = None
    sibling_error: ErrorKind | None = None
    sibling_wording: str | None = None
    similarity: float | None = None
    sibling_requests: int = 0
    sibling_shared: bool = False
    sibling_title: str | None = None
    #: The canonical URL each page declares (`<link rel="canonical">`, absolute; None: none). A sibling
    #: whose page names the cited page as its canonical is the cited page under another slug, not a
    #: stand-in for missing pages (`/questions/123/any-words` on a Q&A site).
    canonical: str | None = None
    sibling_canonical: str | None = None
