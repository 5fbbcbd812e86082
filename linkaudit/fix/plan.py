"""Planning a fix: which bytes of which file become what, decided without writing anything.

`plan_document` is pure (bytes in, edits out). For each occurrence whose target has a replacement it
writes the new URL in the syntax the destination stands in (see `syntax`): a Markdown destination (in
`<…>` or not; a reference definition once for all its uses), an autolink, an HTML attribute value in
its own quoting, or a bare URL, which becomes `[as cited](new)` in Markdown, `<a href="new">as
cited</a>` in HTML and the new URL alone in plain text (in `<…>` where the text around it would
otherwise run into it), since a plain-text reader has no link text to keep.

Before an edit is accepted, the bytes at its span must decode to the occurrence's `raw` (else the file
changed since the report: it is skipped whole). Edits for one span are merged; conflicting or
overlapping edits make the whole file skipped, never half fixed. Then the rewritten document is
extracted again, in memory: each new destination must be found exactly at its new span, meaning the
new URL, and every other citation must still be found, unchanged, where it moved to. An edit that does
not read back is tried in its next form, then refused with a message; a rewrite that disturbs another
citation skips the file.
"""

from __future__ import annotations

import bisect
import codecs
import hashlib
import itertools
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote

from linkaudit.extract import SourceFormat, extract_document
from linkaudit.extract.document import DEFAULT_MAX_FILE_SIZE, Document, ExtractError, as_parsed, decode
from linkaudit.fix.files import FileAccessError, Located, locate, read_located
from linkaudit.fix.model import Edit, FilePlan, FixMessage, FixPlan
from linkaudit.fix.syntax import (
    autolink,
    bare_in_html,
    bare_in_markdown,
    bare_in_text,
    html_attribute,
    markdown_destination,
)
from linkaudit.models import LinkKind, Occurrence, Target
from linkaudit.urls import normalize

__all__ = ["DocumentPlan", "FileSkipped", "plan_document", "plan_fixes"]

_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/?#\s]")
# A start tag, and one attribute with a value, as HTML reads them (a quoted value may hold ">").
_TAG = re.compile(r"""<[A-Za-z][^\s/>]*(?:[^>"']|"[^"]*"|'[^']*')*>?""")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
_TAG_LOOKBACK = 64  # "<" tried before giving up on finding the tag around an attribute value


class FileSkipped(Exception):
    """The whole file is left as it is; the message is one line meant for the user."""


@dataclass(frozen=True, slots=True)
class DocumentPlan:
    """The checked edits of one document, in order, and the citations refused in it."""

    encoding: str
    bom: int
    edits: tuple[Edit, ...]
    refused: tuple[FixMessage, ...]


@dataclass(frozen=True, slots=True)
class _Candidate:
    """An edit in the forms it may take, preferred first; `form` is the one being tried."""

    forms: tuple[Edit, ...]
    form: int = 0

    @property
    def edit(self) -> Edit:
        return self.forms[self.form]


def _valid_text(original: str, lossy: bool) -> str:
    """What parsers see: bytes that were invalid (kept as lone surrogates) as U+FFFD."""
    return as_parsed(original) if lossy else original


@dataclass(frozen=True, slots=True)
class _Source:
    """A file's bytes and its decoded document; `lossy`: invalid UTF-8 bytes kept as lone surrogates."""

    data: bytes
    doc: Document
    lossy: bool

    @classmethod
    def read(cls, data: bytes, path: Path, display: str) -> _Source:
        try:
            original, encoding, bom, lossy = decode(data)
        except ExtractError as exc:
            raise FileSkipped(f"cannot be read as text ({exc}): left alone") from None
        text = _valid_text(original, lossy)
        return cls(data, Document(path, display, text, original, encoding, bom), lossy)

    @property
    def errors(self) -> str:
        return "surrogateescape" if self.lossy else "strict"

    def encode(self, text: str) -> bytes:
        return text.encode(self.doc.encoding, errors=self.errors)

    def char_offsets(self, points: Iterable[int]) -> dict[int, int]:
        """Character offsets in `doc.original` of byte offsets (a point inside a character is mapped
        short, which the check of `raw` then catches)."""
        doc = self.doc
        if doc.encoding == "utf-8" and self.data.isascii():
            return {point: point - doc.bom for point in points}
        decoder = codecs.getincrementaldecoder(doc.encoding)(errors=self.errors)
        offsets: dict[int, int] = {}
        chars, prev = 0, doc.bom
        for point in sorted(set(points)):
            chars += len(decoder.decode(self.data[prev:point]))
            offsets[point] = chars
            prev = point
        return offsets

    def rewritten(self, edits: Sequence[Edit]) -> Document:
        """The document with `edits` made (bytes spliced, then decoded as the original was)."""
        parts: list[bytes] = []
        prev = 0
        for edit in edits:
            parts.append(self.data[prev : edit.start])
            parts.append(self.encode(edit.new))
            prev = edit.end
        parts.append(self.data[prev:])
        original = b"".join(parts)[self.doc.bom :].decode(self.doc.encoding, errors=self.errors)
        return replace(self.doc, text=_valid_text(original, self.lossy), original=original)


def _attribute_quote(text: str, start: int, end: int) -> tuple[str, bool] | None:
    """The quote around the attribute value holding `text[start:end]` ('' unquoted), and whether it is a
    `srcset`; None when no tag around it can be found."""
    lt = text.rfind("<", 0, start)
    for _ in range(_TAG_LOOKBACK):
        if lt < 0:
            return None
        tag = _TAG.match(text, lt)
        if tag is not None and tag.end() >= end:
            for attribute in _ATTRIBUTE.finditer(text, lt, tag.end()):
                for group, quote_char in ((2, '"'), (3, "'"), (4, "")):
                    value_start, value_end = attribute.span(group)
                    if value_start != -1 and value_start <= start <= end <= value_end:
                        return quote_char, attribute.group(1).lower() == "srcset"
        lt = text.rfind("<", 0, lt)
    return None


def _escaped(text: str, at: int) -> bool:
    """Whether the character at `at` is backslash-escaped (an odd run of backslashes before it)."""
    run = 0
    while at - run - 1 >= 0 and text[at - run - 1] == "\\":
        run += 1
    return run % 2 == 1


def _fragment(occ: Occurrence) -> str:
    """The citation's fragment as the author wrote it (`#第二節`) when that is plainly what it means, else
    as normalized."""
    written = occ.raw.partition("#")[2]
    fragment = occ.target.fragment or ""
    return written if unquote(written) == unquote(fragment) else fragment


def _forms(
    occ: Occurrence, url: str, doc: Document, fmt: SourceFormat, span: tuple[int, int]
) -> tuple[Edit, ...] | str:
    """The edits that would point `occ` at `url`, preferred first, or why it cannot be done."""
    cs, ce = span
    text, encoding = doc.original, doc.encoding
    base = Edit(
        start=occ.start,
        end=occ.end,
        old=occ.raw,
        new="",
        destination_at=0,
        destination="",
        url=url,
        replaced=occ.target.url,
        kind=occ.kind,
        line=occ.line,
        column=occ.column,
    )

    def plain(destination: str) -> Edit:
        return replace(base, new=destination, destination=destination)

    kind = occ.kind
    if kind in (LinkKind.LINK, LinkKind.IMAGE, LinkKind.REFERENCE):
        angle = text[cs - 1 : cs] == "<" and text[ce : ce + 1] == ">"
        return (plain(markdown_destination(url, encoding, angle=angle)),)
    if kind is LinkKind.AUTOLINK:
        return (plain(autolink(url, encoding)),)
    if kind in (LinkKind.HTML_LINK, LinkKind.HTML_IMAGE):
        # Unknown quoting: the escaping valid in every form (that of an unquoted value).
        quote_char, srcset = _attribute_quote(text, cs, ce) or ("", False)
        return (plain(html_attribute(url, encoding, quote_char=quote_char, srcset=srcset)),)
    if kind is not LinkKind.BARE:
        return f"a {kind.value} citation is not rewritten"
    if fmt is SourceFormat.TEXT:
        destination = bare_in_text(url, encoding)
        delimited = "<" + destination + ">"
        return plain(destination), replace(base, new=delimited, destination_at=1, destination=destination)
    if fmt is SourceFormat.HTML:
        new, at, destination = bare_in_html(occ.raw, url, encoding)
        return (replace(base, new=new, destination_at=at, destination=destination),)
    new, at, destination = bare_in_markdown(occ.raw, url, encoding)
    edit = replace(base, new=new, destination_at=at, destination=destination)
    if cs > 0 and text[cs - 1] == "!" and not _escaped(text, cs - 1):
        # "![…](…)" would make it an image: the "!" is taken in and escaped.
        bang = len("!".encode(encoding))
        edit = replace(
            edit, start=occ.start - bang, old="!" + occ.raw, new="\\!" + new, destination_at=at + 2
        )
    return (edit,)


def _same_url(target: Target, url: str, path: Path) -> bool:
    """Whether extraction read `url` (percent-encoding aside: the writers encode what a URI may not hold)."""
    expected = normalize(url, source=path)
    if (target.url, target.fragment) == (expected.url, expected.fragment):
        return True
    return unquote(target.url) == unquote(expected.url) and unquote(target.fragment or "") == unquote(
        expected.fragment or ""
    )


def _read_back(
    source: _Source, fmt: SourceFormat, edits: list[Edit], before: list[Occurrence]
) -> tuple[list[int], Occurrence | None]:
    """Extract the rewritten document: the edits whose destination is not read back as intended, and a
    citation outside the edits that is no longer found where it moved to (None if all are)."""
    found = extract_document(source.rewritten(edits), fmt, source.doc.path.parent)
    at_span: dict[tuple[int, int], list[Occurrence]] = {}
    for occ in found:
        if occ.kind is not LinkKind.TEXT_URL:
            at_span.setdefault((occ.start, occ.end), []).append(occ)
    ends: list[int] = []
    shifts: list[int] = []
    failed: list[int] = []
    shift = 0
    for i, edit in enumerate(edits):
        head = len(source.encode(edit.new[: edit.destination_at]))
        start = edit.start + shift + head
        span = (start, start + len(source.encode(edit.destination)))
        if not any(
            occ.raw == edit.destination and _same_url(occ.target, edit.url, source.doc.path)
            for occ in at_span.get(span, ())
        ):
            failed.append(i)
        shift += len(source.encode(edit.new)) - (edit.end - edit.start)
        ends.append(edit.end)
        shifts.append(shift)
    for occ in before:
        if occ.kind is LinkKind.TEXT_URL:
            continue  # link text that names a URL: its finding may rightly change with the destination
        i = bisect.bisect_right(ends, occ.start)
        if i < len(edits) and edits[i].start < occ.end:
            continue  # rewritten
        moved = shifts[i - 1] if i else 0
        if not any(
            (o.kind, o.raw) == (occ.kind, occ.raw)
            for o in at_span.get((occ.start + moved, occ.end + moved), ())
        ):
            return failed, occ
    return failed, None


def plan_document(
    data: bytes,
    occurrences: Iterable[Occurrence],
    replacements: Mapping[str, str],
    *,
    path: Path,
    file: str,
    fmt: SourceFormat | None = None,
) -> DocumentPlan:
    """Plan the edits that point `occurrences` of one file (its bytes `data`) at their replacements.

    `replacements` maps a target URL (`Target.url`) to the URL to cite instead; a citation's fragment is
    kept. `path` is where the file is (relative links resolve against it), `file` how to name it in
    messages; `fmt` defaults to what its name says. Raises `FileSkipped` when the file must be left
    alone as a whole.
    """
    source = _Source.read(data, path, file)
    doc = source.doc
    fmt = fmt if fmt is not None else SourceFormat.for_path(file)
    wanted = [
        occ for occ in occurrences if occ.kind is not LinkKind.TEXT_URL and occ.target.url in replacements
    ]
    refused: list[FixMessage] = []
    if not wanted:
        return DocumentPlan(doc.encoding, doc.bom, (), ())
    for occ in wanted:
        if not doc.bom <= occ.start <= occ.end <= len(data):
            raise FileSkipped(f"changed since the report (line {occ.line} is no longer there): left alone")
    chars = source.char_offsets(p for occ in wanted for p in (occ.start, occ.end))
    by_span: dict[tuple[int, int], _Candidate] = {}
    for occ in wanted:
        span = (chars[occ.start], chars[occ.end])
        # `raw` is the span as parsers saw it: a stray byte in it is U+FFFD, as in `doc.text`.
        written = data[occ.start : occ.end].decode(doc.encoding, errors=source.errors)
        if doc.text[span[0] : span[1]] != occ.raw or _valid_text(written, source.lossy) != occ.raw:
            raise FileSkipped(
                f"changed since the report (line {occ.line} no longer cites {occ.raw!r}): left alone"
            )
        url = replacements[occ.target.url]
        if not _ABSOLUTE.match(url):
            refused.append(
                FixMessage(file, f"replacement {url!r} is not an absolute URL: not rewritten", occ.line)
            )
            continue
        if occ.target.fragment is not None and "#" not in url:
            url += "#" + _fragment(occ)
        forms = _forms(occ, url, doc, fmt, span)
        if isinstance(forms, str):
            refused.append(FixMessage(file, forms, occ.line))
            continue
        key = (occ.start, occ.end)
        known = by_span.get(key)
        if known is None:
            by_span[key] = _Candidate(forms)
        elif known.forms[0].new == forms[0].new:
            by_span[key] = _Candidate(tuple(replace(form, uses=form.uses + 1) for form in known.forms))
        else:
            raise FileSkipped(
                f"two different fixes for one citation (line {occ.line}, bytes {occ.start}-{occ.end}): "
                "left alone"
            )
    candidates = sorted(
        (c for c in by_span.values() if c.edit.new != c.edit.old), key=lambda c: (c.edit.start, c.edit.end)
    )
    for prev, cur in itertools.pairwise(candidates):
        if cur.edit.start < prev.edit.end:
            raise FileSkipped(
                f"overlapping fixes (lines {prev.edit.line} and {cur.edit.line}, bytes {prev.edit.start}-"
                f"{prev.edit.end} and {cur.edit.start}-{cur.edit.end}): left alone"
            )
    before = extract_document(doc, fmt, path.parent) if candidates else []
    while candidates:
        edits = [c.edit for c in candidates]
        failed, disturbed = _read_back(source, fmt, edits, before)
        failing = set(failed)
        if disturbed is not None:
            raise FileSkipped(
                f"rewriting would change how line {disturbed.line} parses ({disturbed.raw!r}): left alone"
            )
        if not failed:
            break
        kept: list[_Candidate] = []
        for i, candidate in enumerate(candidates):
            if i not in failing:
                kept.append(candidate)
            elif candidate.form + 1 < len(candidate.forms):
                kept.append(replace(candidate, form=candidate.form + 1))
            else:
                edit = candidate.edit
                refused.append(
                    FixMessage(
                        file,
                        f"{edit.url!r} written as {edit.destination!r} would not read back as that URL: "
                        "not rewritten",
                        edit.line,
                    )
                )
        candidates = kept
    return DocumentPlan(doc.encoding, doc.bom, tuple(c.edit for c in candidates), tuple(refused))


def plan_fixes(
    occurrences: Iterable[Occurrence],
    replacements: Mapping[str, str],
    *,
    roots: Sequence[Path],
    base: Path | None = None,
    expected_sha256: Mapping[Path, str] | None = None,
    max_size: int = DEFAULT_MAX_FILE_SIZE,
    only_expected: bool = False,
) -> FixPlan:
    """Plan the edits that point every occurrence whose target URL is in `replacements` at its replacement.

    Occurrences name their file as extraction showed it: relative names resolve against `base` (default:
    the working directory). Only files whose real path is inside one of `roots` are read or planned.
    `expected_sha256` maps a file's path to the sha256 it had when audited: a file that differs is
    skipped, and with `only_expected` so is a file it does not name. Files are read here; nothing is
    written.
    """
    if not roots:
        raise ValueError("plan_fixes needs at least one root folder")
    folder = base if base is not None else Path.cwd()
    expected = {os.path.realpath(path): digest for path, digest in (expected_sha256 or {}).items()}
    real_roots = [Path(os.path.realpath(root)) for root in roots]
    skipped: dict[str, FixMessage] = {}
    where: dict[str, Located | None] = {}
    groups: dict[Path, tuple[str, Located, list[Occurrence]]] = {}
    for occ in occurrences:
        if occ.kind is LinkKind.TEXT_URL or occ.target.url not in replacements:
            continue
        if occ.file not in where:
            where[occ.file] = None
            if occ.file == "-":
                skipped["-"] = FixMessage("-", "read from standard input: nothing to rewrite")
                continue
            try:
                found_at = locate(folder / occ.file, real_roots)
            except FileAccessError as exc:
                skipped[occ.file] = FixMessage(occ.file, str(exc))
                continue
            if only_expected and os.fspath(found_at.path) not in expected:
                skipped[occ.file] = FixMessage(occ.file, "not among the files the report audited: left alone")
                continue
            where[occ.file] = found_at
        located = where[occ.file]
        if located is not None:
            groups.setdefault(located.path, (occ.file, located, []))[2].append(occ)
    files: list[FilePlan] = []
    refused: list[FixMessage] = []
    for real, (file, located, found) in sorted(groups.items(), key=lambda item: item[1][0]):
        try:
            data, _ = read_located(located, max_size)
            digest = hashlib.sha256(data).hexdigest()
            want = expected.get(os.fspath(real))
            if want is not None and want.lower() != digest:
                raise FileSkipped("changed since the report (its sha256 differs): left alone")
            planned = plan_document(data, found, replacements, path=real, file=file)
        except (FileAccessError, FileSkipped) as exc:
            skipped[file] = FixMessage(file, str(exc))
            continue
        refused.extend(planned.refused)
        if planned.edits:
            files.append(
                FilePlan(file, real, located.root, digest, planned.encoding, planned.bom, planned.edits)
            )
    return FixPlan(tuple(files), tuple(skipped.values()), tuple(refused))
