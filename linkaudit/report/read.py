"""Read a `linkaudit.report/1` JSON file back into the model, so any format can be drawn from a saved run.

`read_report` is what `linkaudit report REPORT.json --format F` stands on: the JSON written by
`check --format json` becomes the same `AuditReport` every reporter takes, and writing it as JSON again
gives the same document. A bad or foreign file is a `ReportReadError` whose message is one line saying
what and where (`urls[3].verdict: unknown verdict 'x'`).

The contract only grows, so fields this version does not know are kept (`extra_fields` of the report
and of each URL entry) and written back as they were; unknown fields inside an occurrence, an attempt
or the summary are ignored. Two things the JSON does not hold are inferred: a URL entry with no trace
of a probe (no status, error, attempt, redirect or check time) had no evidence, and its target's
status follows its verdict (`invalid`, or `skipped` for a non-web URL).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

from linkaudit.models import (
    NO_EXTRA_FIELDS,
    ArchivedCopy,
    ArchiveDirection,
    ArchiveError,
    ArchiveLookup,
    ArticleFile,
    Attempt,
    AuditReport,
    BaselineMark,
    CitationDate,
    CitedAtSource,
    CitedSnapshot,
    Drift,
    ErrorKind,
    Evidence,
    FileError,
    FileWarning,
    Finding,
    FindingKind,
    HistoryNote,
    Hop,
    Judgement,
    LinkKind,
    Occurrence,
    SoftEvidence,
    Target,
    TargetStatus,
    UrlResult,
    Verdict,
)
from linkaudit.report import REPORT_SCHEMA
from linkaudit.schemas import load_schema

__all__ = ["ReportReadError", "parse_report", "read_report"]

_E = TypeVar("_E", bound=StrEnum)

# What this version models: the fields its published schema lists (anything else is kept as it came).
_SCHEMA = load_schema(REPORT_SCHEMA)
_TOP_KEYS = frozenset(_SCHEMA["properties"])
_URL_KEYS = frozenset(_SCHEMA["$defs"]["url"]["properties"])


class ReportReadError(Exception):
    """The file is not a report this version can read; the message is one line: what, and where."""


class _Fields:
    """A JSON object with typed access; every complaint names the path of the value (`urls[3].line`)."""

    __slots__ = ("path", "values")

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, dict):
            raise ReportReadError(f"{path or 'the file'}: expected an object, got {_kind(value)}")
        self.values: dict[str, Any] = value
        self.path = path

    def _where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _get(self, key: str) -> Any:
        if key not in self.values:
            raise ReportReadError(f"{self._where(key)}: missing")
        return self.values[key]

    def _typed(self, key: str, kind: type | tuple[type, ...], name: str, *, nullable: bool) -> Any:
        value = self._get(key)
        if value is None and nullable:
            return None
        # bool is an int in Python, but not a number in a report.
        if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, (int, float))):
            raise ReportReadError(f"{self._where(key)}: expected {name}, got {_kind(value)}")
        return value

    def text(self, key: str) -> str:
        value: str = self._typed(key, str, "a string", nullable=False)
        return value

    def opt_text(self, key: str) -> str | None:
        value: str | None = self._typed(key, str, "a string or null", nullable=True)
        return value

    def integer(self, key: str) -> int:
        value: int = self._typed(key, int, "an integer", nullable=False)
        return value

    def opt_integer(self, key: str) -> int | None:
        value: int | None = self._typed(key, int, "an integer or null", nullable=True)
        return value

    def number(self, key: str) -> float:
        value: float = self._typed(key, (int, float), "a number", nullable=False)
        return value

    def flag(self, key: str) -> bool:
        value: bool = self._typed(key, bool, "true or false", nullable=False)
        return value

    def opt_flag(self, key: str) -> bool | None:
        value: bool | None = self._typed(key, bool, "true, false or null", nullable=True)
        return value

    def later_text(self, key: str) -> str | None:
        """A string-or-null field that reports written before it existed lack (absent: None)."""
        return self.opt_text(key) if key in self.values else None

    def later_count(self, key: str) -> int:
        """A count that reports written before it existed lack (absent: 0)."""
        return self.integer(key) if key in self.values else 0

    def later_items(self, key: str) -> list[tuple[object, str]]:
        """A list that reports written before it existed lack (absent: empty)."""
        return self.items(key) if key in self.values else []

    def child(self, key: str) -> _Fields:
        return _Fields(self._get(key), self._where(key))

    def items(self, key: str) -> list[tuple[object, str]]:
        """A list's items, each with its path (`urls[3]`)."""
        value = self._typed(key, list, "a list", nullable=False)
        return [(item, f"{self._where(key)}[{i}]") for i, item in enumerate(value)]

    def enum(self, key: str, cls: type[_E], noun: str) -> _E:
        return self._member(key, self.text(key), cls, noun)

    def opt_enum(self, key: str, cls: type[_E], noun: str) -> _E | None:
        value = self.opt_text(key)
        return None if value is None else self._member(key, value, cls, noun)

    def _member(self, key: str, value: str, cls: type[_E], noun: str) -> _E:
        try:
            return cls(value)
        except ValueError:
            raise ReportReadError(
                f"{self._where(key)}: unknown {noun} {value!r} (written by a newer linkaudit?)"
            ) from None

    def extra(self, known: frozenset[str]) -> Mapping[str, object]:
        unknown = {key: value for key, value in self.values.items() if key not in known}
        return MappingProxyType(unknown) if unknown else NO_EXTRA_FIELDS


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    names = {dict: "an object", list: "a list", int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)


def _hop(value: object, path: str) -> Hop:
    fields = _Fields(value, path)
    return Hop(fields.text("url"), fields.integer("status"))


def _attempt(value: object, path: str) -> Attempt:
    fields = _Fields(value, path)
    return Attempt(
        method=fields.text("method"),
        url=fields.text("url"),
        status=fields.opt_integer("status"),
        error=fields.opt_enum("error", ErrorKind, "error kind"),
        detail=fields.opt_text("detail"),
        elapsed_ms=fields.integer("elapsed_ms"),
    )


def _finding(value: object, path: str) -> Finding:
    fields = _Fields(value, path)
    verdict = fields.opt_enum("suggestion_verdict", Verdict, "verdict")
    reason = fields.opt_text("suggestion_reason")
    return Finding(
        kind=fields.enum("kind", FindingKind, "finding kind"),
        detail=fields.text("detail"),
        suggestion=fields.opt_text("suggestion"),
        suggestion_check=Judgement(verdict, reason or "") if verdict is not None else None,
        baseline=_baseline_mark(fields),
    )


def _occurrence(value: object, path: str, target: Target) -> Occurrence:
    fields = _Fields(value, path)
    fragment = fields.opt_text("fragment")
    return Occurrence(
        file=fields.text("file"),
        line=fields.integer("line"),
        column=fields.integer("column"),
        start=fields.integer("start"),
        end=fields.integer("end"),
        kind=fields.enum("kind", LinkKind, "link kind"),
        raw=fields.text("raw"),
        target=target
        if fragment is None
        else Target(target.url, target.status, target.reason, fragment, target.detail),
        text=fields.text("text"),
        title=fields.opt_text("title") or "",
        template=fields.flag("template"),
        findings=tuple(_finding(item, where) for item, where in fields.later_items("findings")),
    )


def _soft(value: object, path: str) -> SoftEvidence:
    fields = _Fields(value, path)
    similarity = fields.values.get("similarity")
    if similarity is not None:
        similarity = fields.number("similarity")
    return SoftEvidence(
        title=fields.opt_text("title"),
        wording=fields.opt_text("wording"),
        markers=tuple(str(item) for item, _ in fields.items("markers")),
        words=fields.integer("words"),
        login_form=fields.flag("login_form"),
        sibling_url=fields.opt_text("sibling_url"),
        sibling_status=fields.opt_integer("sibling_status"),
        sibling_final_url=fields.opt_text("sibling_final_url"),
        sibling_error=fields.opt_enum("sibling_error", ErrorKind, "error kind"),
        sibling_wording=fields.opt_text("sibling_wording"),
        similarity=similarity,
        sibling_requests=fields.integer("sibling_requests"),
        sibling_shared=fields.flag("sibling_shared"),
        sibling_title=fields.opt_text("sibling_title"),
        canonical=fields.opt_text("canonical"),
        sibling_canonical=fields.opt_text("sibling_canonical"),
    )


def _url_result(value: object, path: str) -> UrlResult:
    fields = _Fields(value, path)
    url = fields.text("url")
    verdict = fields.enum("verdict", Verdict, "verdict")
    judgement = Judgement(verdict, fields.text("reason"), fields.opt_flag("permanent"))
    status = fields.opt_integer("http_status")
    error = fields.opt_enum("error", ErrorKind, "error kind")
    checked_at = fields.opt_text("checked_at")
    final_url = fields.opt_text("final_url")
    content_type = fields.opt_text("content_type")
    detail = fields.opt_text("detail")
    short_circuited = fields.flag("short_circuited")
    redirects = tuple(_hop(item, where) for item, where in fields.items("redirects"))
    attempts = tuple(_attempt(item, where) for item, where in fields.items("attempts"))
    omitted = (fields.later_count("attempts_omitted"), fields.later_count("redirects_omitted"))
    probed = (status, error, checked_at, final_url, content_type) != (None,) * 5
    evidence = None
    if probed or short_circuited or redirects or attempts or any(omitted):
        evidence = Evidence(
            url=url,
            status=status,
            error=error,
            detail=detail,
            final_url=final_url,
            redirects=redirects,
            attempts=attempts,
            content_type=content_type,
            short_circuited=short_circuited,
            checked_at=checked_at or "",
            attempts_omitted=omitted[0],
            redirects_omitted=omitted[1],
            soft=_soft(fields.values["soft"], f"{path}.soft")
            if fields.values.get("soft") is not None
            else None,
        )
    # A fragment its page lacks is an entry of its own, its target carrying the fragment.
    fragment = fields.later_text("fragment")
    status_of_target = _target_status(url, verdict, evidence)
    if status_of_target is not TargetStatus.OK:
        target = Target(url, status_of_target, judgement.reason, fragment, detail)
    else:
        target = Target(url, fragment=fragment, detail=detail if evidence is None else None)
    occurrences = tuple(_occurrence(item, where, target) for item, where in fields.items("occurrences"))
    history = None
    if "reused" in fields.values:  # what the history store said (reports written before it lack it)
        history = HistoryNote(
            reused=fields.flag("reused"),
            failures=fields.later_count("failures"),
            first_failed_at=fields.later_text("first_failed_at"),
            confirmed=fields.opt_flag("confirmed") if "confirmed" in fields.values else None,
        )
    baseline = None
    if "baseline" in fields.values:  # `--baseline` (reports written before it lack the field)
        baseline = fields.opt_enum("baseline", BaselineMark, "baseline mark")
    baseline_verdict = None
    if "baseline_verdict" in fields.values:  # reports written before it lack the field
        baseline_verdict = fields.opt_enum("baseline_verdict", Verdict, "verdict")
    lookup, cited, drift = _archive(fields, url)
    return UrlResult(
        target,
        judgement,
        evidence,
        occurrences,
        fields.extra(_URL_KEYS),
        history,
        baseline=baseline,
        baseline_verdict=baseline_verdict,
        archive=lookup,
        cited_snapshot=cited,
        drift=drift,
    )


def _archive(fields: _Fields, url: str) -> tuple[ArchiveLookup | None, CitedSnapshot | None, Drift | None]:
    """What the archive stage said about a URL (reports written before it have none of it)."""
    lookup = cited = drift = None
    copy = fields.values.get("archive")
    error = (
        fields.opt_enum("archive_error", ArchiveError, "archive error")
        if "archive_error" in fields.values
        else None
    )
    detail = fields.later_text("archive_detail")
    cited_at = fields.later_text("cited_at")
    day = date.min
    if cited_at is not None:
        try:
            day = date.fromisoformat(cited_at)
        except ValueError:
            raise ReportReadError(
                f"{fields._where('cited_at')}: expected a date (YYYY-MM-DD), got {cited_at!r}"
            ) from None
    if copy is not None:
        found = fields.child("archive")
        lookup = ArchiveLookup(
            url,
            day,
            archived=ArchivedCopy(
                found.text("url"),
                found.text("timestamp"),
                found.integer("distance_days"),
                found.enum("direction", ArchiveDirection, "archive direction"),
            ),
            detail=detail,
        )
    elif error is not None:
        lookup = ArchiveLookup(url, day, error=error, detail=detail)
    if fields.values.get("cited_snapshot") is not None:
        snap = fields.child("cited_snapshot")
        cited = CitedSnapshot(
            snap.text("service"),
            snap.opt_text("original"),
            snap.opt_text("timestamp"),
            snap.opt_integer("distance_days"),
            snap.opt_enum("direction", ArchiveDirection, "archive direction"),
        )
    if fields.values.get("drift") is not None:
        measured = fields.child("drift")
        similarity = measured._typed("similarity", (int, float), "a number or null", nullable=True)
        drift = Drift(
            measured.text("snapshot"),
            measured.text("timestamp"),
            float(similarity) if similarity is not None else None,
            measured.opt_text("error"),
        )
    return lookup, cited, drift


def _target_status(url: str, verdict: Verdict, evidence: Evidence | None) -> TargetStatus:
    if evidence is not None:
        return TargetStatus.OK
    if verdict is Verdict.INVALID:
        return TargetStatus.INVALID
    scheme = url.partition(":")[0].lower()
    if verdict is Verdict.SKIPPED and scheme not in ("http", "https"):
        return TargetStatus.SKIPPED
    return TargetStatus.OK


def _file_error(value: object, path: str) -> FileError:
    fields = _Fields(value, path)
    return FileError(fields.text("file"), fields.text("message"), baseline=_baseline_mark(fields))


def _baseline_mark(fields: _Fields) -> BaselineMark | None:
    """`--baseline`'s mark, null or absent (reports written before it lack the field) as None."""
    return fields.opt_enum("baseline", BaselineMark, "baseline mark") if "baseline" in fields.values else None


def _article(value: object, path: str) -> ArticleFile:
    fields = _Fields(value, path)
    cited_at = fields.opt_text("cited_at")
    source = fields.opt_enum("cited_at_source", CitedAtSource, "citation date source")
    cited = None
    if cited_at is not None and source is not None:
        try:
            cited = CitationDate(date.fromisoformat(cited_at), source)
        except ValueError:
            raise ReportReadError(
                f"{path}.cited_at: expected a date (YYYY-MM-DD), got {cited_at!r}"
            ) from None
    return ArticleFile(fields.text("path"), fields.opt_text("sha256"), cited)


def _file_warning(value: object, path: str) -> FileWarning:
    fields = _Fields(value, path)
    return FileWarning(
        fields.text("file"), fields.text("message"), fields.integer("line"), fields.integer("column")
    )


def _pending(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise ReportReadError(f"{path}: expected a string, got {_kind(value)}")
    return value


def parse_report(document: object, *, source: str = "report") -> AuditReport:
    """The `AuditReport` a parsed `linkaudit.report/1` document holds. `source` names it in errors."""
    if not isinstance(document, dict):
        raise ReportReadError(
            f"{source}: not a linkaudit report (the JSON is {_kind(document)}, not an object)"
        )
    schema = document.get("schema")
    if schema != REPORT_SCHEMA:
        if isinstance(schema, str) and schema.startswith("linkaudit."):
            raise ReportReadError(f"{source}: a {schema} document, not a {REPORT_SCHEMA} report")
        raise ReportReadError(f'{source}: not a linkaudit report (no "schema": "{REPORT_SCHEMA}")')
    fields = _Fields(document, "")
    try:
        summary = fields.child("summary")
        settings = fields.child("settings").values
        return AuditReport(
            generated_at=fields.text("generated_at"),
            files=summary.integer("files"),
            links=summary.integer("links"),
            results=tuple(_url_result(item, where) for item, where in fields.items("urls")),
            errors=tuple(_file_error(item, where) for item, where in fields.items("errors")),
            warnings=tuple(_file_warning(item, where) for item, where in fields.later_items("warnings")),
            pending=tuple(_pending(item, where) for item, where in fields.later_items("pending")),
            settings=settings,
            partial=fields.flag("partial"),
            elapsed_s=fields.number("elapsed_s"),
            extra_fields=fields.extra(_TOP_KEYS),
            root=fields.later_text("root") or "",
            articles=tuple(_article(item, where) for item, where in fields.later_items("files")),
        )
    except ReportReadError as exc:
        raise ReportReadError(f"{source}: {exc}") from None


def read_report(path: str | os.PathLike[str]) -> AuditReport:
    """Read and parse the JSON report at `path`. Raises `ReportReadError` (one line) when it cannot."""
    name = os.fspath(path)
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as exc:
        raise ReportReadError(f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        document = json.loads(data)
    except UnicodeDecodeError as exc:
        raise ReportReadError(f"{name}: not a JSON report (not UTF-8 text: {exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise ReportReadError(
            f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise ReportReadError(f"{name}: not a JSON report (nested too deeply)") from None
    return parse_report(document, source=name)
