"""What the fuzz run (`benchmarks/fuzz.py`) hunts counterexamples to, and what the saved ones replay.

Three targets. Each takes a *case*, a small JSON-able dict, so that a failing input can be kept in
`tests/fuzz_corpus/` and replayed by `tests/test_fuzz_corpus.py`; each check raises on a failure:

- `extract`: a file's bytes in a format. Decoding may refuse them (`ExtractError`, a file error), and a
  parser may give up on absurd nesting (`RecursionError`, a file error); anything else must give
  occurrences whose span is exactly `raw` (each undecodable byte one U+FFFD), whose line and column lie
  in the file, whose strings any UTF-8 writer can hold, and whose JSON line reads back to the same
  occurrence (`jsonl_line` and the pool's reader, `_from_json`).
- `normalize`: a destination (and maybe a `<base href>`). Never raises; a checkable target is ASCII,
  http(s) or local, is a URL httpx can send and normalizes to itself.
- `report`: an `AuditReport` built from arbitrary strings (file names with undecodable bytes, control
  characters, bidi overrides, line separators...). The JSON report and the extract lines are valid
  UTF-8 JSON that read back to what was written; the report can be written to a file; the terminal
  report writes nothing a terminal would obey.
"""

from __future__ import annotations

import base64
import io
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from hypothesis import strategies as st

from linkaudit.extract import ExtractResult, SourceFormat, extract_document
from linkaudit.extract.document import ExtractError, document_from_bytes
from linkaudit.extract.pool import _from_json, jsonl_line
from linkaudit.models import (
    Attempt,
    AuditReport,
    ErrorKind,
    Evidence,
    FileError,
    FileWarning,
    Hop,
    Judgement,
    LinkKind,
    Occurrence,
    Target,
    TargetStatus,
    UrlResult,
    Verdict,
)
from linkaudit.report import ReportFormat, write_report_file
from linkaudit.report.extract import ExtractFormat, write_extract
from linkaudit.report.json import write_json_report
from linkaudit.report.read import parse_report
from linkaudit.report.serialize import occurrence_dict
from linkaudit.report.terminal import write_terminal_report
from linkaudit.urls import normalize

__all__ = ["CHECKS", "STRATEGIES", "check_case"]

ROOT = Path("/articles")
Case = dict[str, Any]


def _surrogates(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


# --- extract ----------------------------------------------------------------------------------------

_TOKENS = [
    *("[", "]", "(", ")", "<", ">", "!", "`", "```", "~~~", "\n", "\r\n", "\r", " ", "    ", "\t", "#"),
    *("*", "_", "\\", '"', "'", "|", "-", "> ", "1. ", "[x]: ", "&amp;", "&#x41;", "&#0;", "&nbsp;"),
    *("http://", "https://", "HTTPS://", "www.", "a.example", "例子.中国", "xn--", "/path", "?q=1&r"),
    *("#frag", "%20", "%", "%E5%9B", "mailto:", "hhttps://", "//", "../", "/.", ":80", "@", "[::1]"),
    *('<a href="', '">', "</a>", "<img src=", ' srcset="', ", ", " 2x", "<!--", "-->", '<base href="'),
    *("<script>", "</script>", "<pre>", "<![CDATA[", "\u3000", "，", "。", "（", "）", "中文", "據"),
    *("\u202e", "\u2028", "\ufeff", "\ufffd", "\x7f", "\x0c", "\u0301", "😀"),
]
_ENCODINGS = ["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "gb18030", "big5"]
_STRAY = [b"\xff", b"\xfe", b"\x80", b"\xc3", b"\xe4\xb8", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x00"]


@st.composite
def _documents(draw: st.DrawFn) -> bytes:
    text = "".join(draw(st.lists(st.one_of(st.sampled_from(_TOKENS), st.text(max_size=3)), max_size=80)))
    encoding = draw(st.sampled_from(_ENCODINGS))
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8", errors="surrogatepass")
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(_STRAY)) + data[at:]
    return data


def extract_cases() -> st.SearchStrategy[Case]:
    data = st.one_of(_documents(), st.binary(max_size=400))
    fmt = st.sampled_from([f.value for f in SourceFormat])
    return st.builds(
        lambda d, f: {"target": "extract", "format": f, "data": base64.b64encode(d).decode()}, data, fmt
    )


def _per_byte(data: bytes) -> str:
    text = data.decode("utf-8", errors="surrogateescape")
    return "".join("\ufffd" if "\udc80" <= c <= "\udcff" else c for c in text)


def check_extract(case: Case) -> None:
    data = base64.b64decode(case["data"])
    fmt = SourceFormat(case["format"])
    try:
        doc = document_from_bytes(data, ROOT / "doc.md", "doc.md")
    except ExtractError:
        return
    try:
        found = extract_document(doc, fmt, ROOT)
    except RecursionError:
        return
    text = doc.text.replace("\r\n", " \n").replace("\r", "\n")
    lines = text.split("\n")
    for occ in found:
        assert 0 <= occ.start <= occ.end <= len(data), occ
        span = data[occ.start : occ.end]
        assert (_per_byte(span) if doc.encoding == "utf-8" else span.decode(doc.encoding)) == occ.raw, occ
        assert 1 <= occ.line <= len(lines), occ
        assert 1 <= occ.column <= len(lines[occ.line - 1]) + 1, occ
        for value in (occ.raw, occ.text, occ.title, occ.target.url, occ.target.fragment or "", occ.file):
            assert not _surrogates(value), occ
        line = jsonl_line(occ)  # as `linkaudit extract -f jsonl` writes it
        line.encode("utf-8")
        parsed = json.loads(line)
        assert parsed == occurrence_dict(occ)
        target = occ.target
        odd = target.url if target.status is TargetStatus.INVALID and target.url != occ.raw else None
        templates = {target.url} if occ.template else set()
        assert _from_json(parsed, odd, templates, {}, {}) == occ


# --- normalize --------------------------------------------------------------------------------------

_URL_PIECES = [
    *("http://", "https://", "HTTP://", "//", "a.example", "A.EXAMPLE", "例子", ".", "..", "/", "?", "#"),
    *("%", "%25", "%E5%9B%BE", "%zz", ":", ":0", ":65536", ":443", "@", "[", "]", "[::1]", "\\", " ", "\t"),
    *("\n", "\x00", "\u202e", "\ufeff", "xn--", "xn--zz", "-", "_", "~", "&", "=", "mailto:", "file:"),
    *("hxxp://", "C:\\", "\udce9", "\u3002", "\uff0e", "ß", "İ", "\u0301", "😀"),
]


def normalize_cases() -> st.SearchStrategy[Case]:
    piece = st.one_of(st.sampled_from(_URL_PIECES), st.text(max_size=3))
    dest = st.lists(piece, max_size=16).map("".join)
    base = st.one_of(st.none(), st.sampled_from(["https://b.example/dir/page", "/root/", "//cdn.example/x/"]))
    return st.builds(lambda d, b: {"target": "normalize", "dest": d, "base_url": b}, dest, base)


def check_normalize(case: Case) -> None:
    target = normalize(case["dest"], source=ROOT / "doc.md", root=ROOT, base_url=case["base_url"])
    assert isinstance(target.status, TargetStatus)
    if target.status is not TargetStatus.OK:
        assert target.reason
        return
    assert target.url.isascii() and (target.is_http or target.is_local), target
    assert target.fragment is None or target.fragment.isascii(), target
    if target.is_http:
        again = normalize(target.url + ("#" + target.fragment if target.fragment is not None else ""))
        assert again == target, (target, again)
        parsed = httpx.URL(target.url)  # what the checker requests
        # raw_host, as sent: httpx's `host` decodes with IDNA 2008 and fails on an emoji domain, which
        # browsers open (a limit of the checker's use of httpx, not of the URL).
        assert parsed.scheme == target.scheme and parsed.raw_host, target


# --- report -----------------------------------------------------------------------------------------

_ODD = ["\udce9", "\udc80", "\x1b[31m", "\x1b]8;;x\x07", "\u202e", "\u2028", "\x00", "\r\n", '"', "\\"]
_ODD += ["\x9b", "\ufffd", "</script>"]


def report_cases() -> st.SearchStrategy[Case]:
    word = st.one_of(st.text(max_size=6), st.sampled_from(_ODD))
    strings = st.lists(st.lists(word, max_size=4).map("".join), min_size=1, max_size=24)
    seed = st.integers(0, 10**6)
    return st.builds(lambda s, n: {"target": "report", "strings": s, "seed": n}, strings, seed)


def _report_from(strings: list[str], seed: int) -> tuple[AuditReport, Occurrence]:
    def pick(i: int) -> str:
        return strings[(i + seed) % len(strings)]

    kinds, verdicts, statuses = list(LinkKind), list(Verdict), list(TargetStatus)
    status = statuses[seed % len(statuses)]
    target = Target(pick(3), status, pick(4) or None, pick(5) or None)
    occ = Occurrence(
        file=pick(0),
        line=1 + seed % 50,
        column=1 + seed % 7,
        start=seed,
        end=seed + len(pick(2)),
        kind=kinds[seed % len(kinds)],
        raw=pick(2),
        target=target,
        text=pick(6),
        title=pick(7),
        template=seed % 2 == 0,
    )
    evidence = Evidence(
        url=pick(3),
        status=404,
        error=ErrorKind.TIMEOUT,
        detail=pick(8),
        final_url=pick(9),
        redirects=(Hop(pick(10), 301),),
        attempts=(Attempt("GET", pick(11), 404, ErrorKind.TIMEOUT, pick(12), 5),),
        content_type=pick(13),
        checked_at="2026-05-01T12:00:00Z",
    )
    verdict = verdicts[seed % len(verdicts)]
    result = UrlResult(target, Judgement(verdict, pick(14)), evidence if seed % 3 else None, (occ,))
    report = AuditReport(
        generated_at="2026-05-01T12:00:05Z",
        files=1,
        links=1,
        results=(result,),
        errors=(FileError(pick(15), pick(16)),),
        settings={"user_agent": pick(17), "exclude": [pick(18)], "timeout": 20.0},
        partial=seed % 5 == 0,
        elapsed_s=1.5,
        warnings=(FileWarning(pick(19), pick(20), line=2, column=3),),
        pending=(pick(21),),
    )
    return report, occ


def check_report(case: Case) -> None:
    report, occ = _report_from(case["strings"], case["seed"])
    out = io.StringIO()
    write_json_report(report, out)
    text = out.getvalue()
    text.encode("utf-8")  # what a report file holds
    doc = json.loads(text)
    cited = doc["urls"][0]["occurrences"][0]
    assert (cited["file"], cited["raw"], cited["text"]) == (occ.file, occ.raw, occ.text)
    assert doc["urls"][0]["url"] == occ.target.url
    error = report.errors[0]
    assert doc["errors"] == [{"file": error.file, "message": error.message, "baseline": None}]
    assert doc["warnings"][0]["file"] == report.warnings[0].file
    assert doc["pending"] == list(report.pending)
    assert doc["settings"]["user_agent"] == report.settings["user_agent"]
    again = io.StringIO()
    write_json_report(parse_report(doc), again)  # `linkaudit report`: read back, written the same
    assert again.getvalue() == text
    for listing in ExtractFormat:
        listed = io.StringIO()
        write_extract(ExtractResult(1, (occ,), (*report.errors, *report.warnings)), listing, listed)
        listed.getvalue().encode("utf-8")
        if listing is ExtractFormat.JSONL:
            assert json.loads(listed.getvalue())["file"] == occ.file
        elif listing is ExtractFormat.JSON:
            assert json.loads(listed.getvalue())["errors"][0]["file"] == report.errors[0].file
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ReportFormat:
            write_report_file(report, fmt, Path(folder) / "out", verbose=True)
    screen = io.StringIO()
    write_terminal_report(report, screen, color=False, verbose=True, width=80)
    shown = screen.getvalue()
    shown.encode("utf-8")
    assert not any(c in shown for c in "\x00\x1b\x07\x9b\u202e"), shown


CHECKS: dict[str, Callable[[Case], None]] = {
    "extract": check_extract,
    "normalize": check_normalize,
    "report": check_report,
}
STRATEGIES: dict[str, Callable[[], st.SearchStrategy[Case]]] = {
    "extract": extract_cases,
    "normalize": normalize_cases,
    "report": report_cases,
}


def check_case(case: Case) -> None:
    CHECKS[case["target"]](case)
