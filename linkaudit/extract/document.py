"""Reading an article into text, and mapping positions in that text back to the file's bytes.

Every extractor works on `Document.text` (a `str`) and reports character offsets; `finish` turns them
into lines, columns and byte offsets in one linear walk, so that `file[start:end]` decoded with the
file's encoding is exactly the destination as written — whatever the encoding, BOM or line endings.
"""

from __future__ import annotations

import codecs
import functools
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeAlias

from linkaudit.defaults import DEFAULT_MAX_FILE_SIZE
from linkaudit.models import FileWarning, LinkKind, Occurrence, Target
from linkaudit.urls import normalize

if TYPE_CHECKING:
    from linkaudit.extract.markers import DisabledSpans

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "Document",
    "ExtractError",
    "OccurrenceSink",
    "RawLink",
    "as_parsed",
    "decode",
    "finish",
    "read_document",
]


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Normalized targets, shared by the files one process extracts: footers, index links and URLs cited
# in many articles are normalized once, not once per file. Cleared when full, to bound memory.
_TARGETS: dict[tuple[str, str, str, Path | None, str | None], Target] = {}
_TARGETS_MAX = 1 << 15
# An absolute http(s) URL names the same target whichever file cites it (ASCII only: the scheme is).
_ABSOLUTE_HTTP = re.compile(r"[ \t\r\n\f]*[Hh][Tt][Tt][Pp][Ss]?://")
_GB_FAMILY = frozenset({"gb18030", "gbk", "gb2312", "hz"})
_KOREAN = frozenset({"euc_kr", "cp949", "johab", "iso2022_kr"})
_GB2312_SHAPED = re.compile(rb"(?:[\x00-\x7f]|[\xa1-\xa9\xb0-\xf7][\xa1-\xfe])*")
# An undecodable byte, as `surrogateescape` keeps it.
_UNDECODED = re.compile(r"[\udc80-\udcff]")
# Up to this many undecodable bytes (or one in 200) are stray bytes in UTF-8 text, not another encoding.
_STRAY_BYTES = 16
_LEGACY_CJK = (
    "gb18030",
    "big5",
    "big5hkscs",
    "gbk",
    "gb2312",
    "hz",
    "euc_jp",
    "shift_jis",
    "euc_kr",
    "cp950",
)


#: Receives an occurrence's fields (file, line, column, start, end, kind, raw, target, text, title)
#: instead of an `Occurrence` being built: the process pool serializes them without the object.
OccurrenceSink: TypeAlias = Callable[[str, int, int, int, int, LinkKind, str, Target, str, str], None]


class ExtractError(Exception):
    """A file that cannot be extracted; the message is one line meant for the user."""


@dataclass(frozen=True, slots=True)
class Document:
    """A decoded article.

    `text` is what parsers see; `original` has the same characters, except that bytes that were not
    valid in `encoding` are kept as lone surrogates (so they re-encode to the exact original bytes) where
    `text` has U+FFFD, one per byte. `bom` is the byte length of the byte-order mark that `text` omits.
    `warning` says where such bytes are, for the report.
    """

    path: Path
    display: str
    text: str
    original: str
    encoding: str
    bom: int
    warning: FileWarning | None = None


class RawLink(NamedTuple):
    """A destination found by an extractor, in character offsets of `Document.text`.

    `at` is where the citation starts (for line:column), `start`/`end` the destination as written,
    `value` the destination as the format means it (escapes and entities resolved) to normalize.
    An extractor that knows them gives `utf8_start`/`utf8_end`, the same span in `text` encoded as
    UTF-8, so that `finish` need not re-encode the text to find byte offsets (-1: not known).
    A named tuple, not a frozen dataclass: extractors make one per link, and building a frozen
    dataclass (a guarded setattr per field) cost more than finding the link.
    """

    kind: LinkKind
    at: int
    start: int
    end: int
    value: str
    text: str = ""
    title: str = ""
    utf8_start: int = -1
    utf8_end: int = -1


def decode(data: bytes) -> tuple[str, str, int, bool]:
    """Decode a file's bytes: (text, encoding, BOM length, whether invalid bytes were kept as surrogates).

    UTF-8 (with or without BOM) and UTF-16/32 with BOM are taken as they are; a UTF-8 file with a few
    stray bytes keeps them (as lone surrogates, one per byte, so offsets stay exact); otherwise legacy
    Chinese encodings are detected. NUL bytes outside UTF-16/32 mean binary content.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding, len(bom), False
            except UnicodeDecodeError as exc:
                if encoding == "utf-8":  # the BOM says UTF-8: stray bytes cannot mean another encoding
                    text = data[len(bom) :].decode(encoding, errors="surrogateescape")
                    if _few_stray_bytes(text, len(data)):
                        return text, encoding, len(bom), True
                raise ExtractError(
                    f"not valid {encoding} (bad bytes at byte {exc.start + len(bom)})"
                ) from None
    nul = data.find(b"\0")
    if nul != -1:
        raise ExtractError(f"not valid text (binary content at byte {nul})")
    try:
        return data.decode("utf-8"), "utf-8", 0, False
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    text = data.decode("utf-8", errors="surrogateescape")
    bad = len(_UNDECODED.findall(text))
    if bad * 200 <= len(data):
        return text, "utf-8", 0, True
    legacy = legacy_encoding(data)
    if legacy is not None:
        return data.decode(legacy), legacy, 0, False
    if bad <= _STRAY_BYTES:  # a short file with a few stray bytes, in no other encoding
        return text, "utf-8", 0, True
    raise ExtractError(f"not valid text (undecodable byte 0x{data[first_bad]:02x} at byte {first_bad})")


def _few_stray_bytes(text: str, size: int) -> bool:
    bad = len(_UNDECODED.findall(text))
    return bad <= _STRAY_BYTES or bad * 200 <= size


@functools.cache
def _chinese_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Han characters; rare Han, private use and C1; Han parted by a space; what Chinese prose never holds.

    Only legacy-encoded files need them: compiled at import, their large character classes cost ~6 ms at
    every start of the CLI.
    """
    return (
        re.compile(r"[\u4e00-\u9fff]"),
        re.compile(r"[\u3400-\u4dbf\ue000-\uf8ff\uf900-\ufaff\x80-\x9f]"),
        re.compile(r"[\u4e00-\u9fff] [\u4e00-\u9fff]"),
        re.compile(r"[\u3040-\u30ff\u3130-\u318f\uac00-\ud7af\u0370-\u03ff\u0400-\u04ff\u2500-\u257f]"),
    )


def legacy_encoding(data: bytes) -> str | None:
    """The legacy CJK encoding (GB18030, Big5, ...) that decodes `data` cleanly and plausibly, if any."""
    han, odd, spaced_han, not_chinese = _chinese_patterns()
    from charset_normalizer import from_bytes  # noqa: PLC0415 - only UTF-8 failures pay its import

    best = from_bytes(data[: 1 << 20], cp_isolation=list(_LEGACY_CJK)).best()
    name: str | None = None
    if best is not None:
        try:
            name = codecs.lookup(best.encoding).name
            data.decode(name)
        except (UnicodeDecodeError, LookupError):
            name = None
    if name not in _GB_FAMILY and _GB2312_SHAPED.fullmatch(data):
        # Over a few characters statistics cannot tell simplified Chinese in GB from Big5 or EUC-KR.
        # Take GB when every double byte lies in GB2312's rows (Big5's own punctuation and ~40% of
        # its characters have a second byte below 0xA1), the text reads as Chinese there (Big5 or
        # EUC-JP read as GB give kana), and, against EUC-KR, no space parts its characters as
        # Korean words (Chinese prose has none).
        as_gb = data.decode("gb18030")
        korean_words = name in _KOREAN and spaced_han.search(as_gb) is not None
        if not not_chinese.search(as_gb) and not korean_words:
            return "gb18030"
    if name is None:
        # Too little text for statistics (a title and a link): the Chinese encoding that decodes it
        # into the most Han characters and the fewest characters Chinese prose never holds.
        top = 0
        for candidate in ("gb18030", "big5"):
            try:
                text = data.decode(candidate)
            except UnicodeDecodeError:
                continue
            unlikely = len(not_chinese.findall(text)) + len(odd.findall(text))
            score = len(han.findall(text)) - 4 * unlikely
            if score > top:
                top, name = score, candidate
    return name


def read_document(path: Path, display: str, max_size: int = DEFAULT_MAX_FILE_SIZE) -> Document:
    """Read and decode one file, raising `ExtractError` with a one-line reason when it cannot be."""
    try:
        # Non-blocking, so that a FIFO is reported (not a regular file) instead of hanging the run.
        # Plain os calls: a buffered file object, and reading max_size + 1 bytes (which allocates that
        # much), cost more than the read itself on 46,000 small files.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError(path)
            if not stat.S_ISREG(info.st_mode) and display != "-":
                raise ExtractError("not a regular file")
            if info.st_size > max_size:
                raise ExtractError(
                    f"file too large ({info.st_size / 1e6:.1f} MB; the limit is {max_size / 1e6:.0f} MB, "
                    "see --max-file-size)"
                )
            data = _read_fd(fd, min(info.st_size, max_size) + 1, max_size + 1)
        finally:
            os.close(fd)
    except ExtractError:
        raise
    except IsADirectoryError:
        raise ExtractError("is a directory") from None
    except PermissionError:
        raise ExtractError("permission denied") from None
    except FileNotFoundError:
        raise ExtractError("no such file (vanished or a broken symlink)") from None
    except OSError as exc:
        raise ExtractError(f"cannot read ({exc.strerror or exc})") from None
    if len(data) > max_size:
        raise ExtractError(f"file too large (over {max_size / 1e6:.0f} MB, see --max-file-size)")
    return document_from_bytes(data, path, display)


def _read_fd(fd: int, expected: int, limit: int) -> bytes:
    """Read to the end or to `limit` bytes: `expected` (the size fstat gave, plus one) in one call."""
    parts: list[bytes] = []
    size = 0
    want = expected
    while True:
        chunk = os.read(fd, want - size)
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
        if size >= want:
            if want >= limit:
                break
            want = limit  # the file grew since fstat: read on, up to the limit
    return parts[0] if len(parts) == 1 else b"".join(parts)


def document_from_bytes(data: bytes, path: Path, display: str) -> Document:
    original, encoding, bom, lossy = decode(data)
    text = original
    warning = None
    stray = _UNDECODED.search(original) if lossy else None
    if stray is not None:
        # Lone surrogates stand for invalid bytes; parsers need valid text, of the same length.
        text, count = _UNDECODED.subn("\ufffd", original)
        first = stray.start()
        at = bom + len(original[:first].encode(encoding, errors="surrogateescape"))
        lines = _line_ends(original)
        line_start = lines.rfind("\n", 0, first) + 1
        warning = FileWarning(
            display,
            f"{count} undecodable byte{'' if count == 1 else 's'} read as U+FFFD "
            f"(first: 0x{data[at]:02x} at byte {at}); links kept",
            line=lines.count("\n", 0, first) + 1,
            column=first - line_start + 1,
        )
    return Document(path, display, text, original, encoding, bom, warning)


def as_parsed(original: str) -> str:
    """`original` as parsers (and reports) see it: each undecodable byte (a lone surrogate) as U+FFFD."""
    return _UNDECODED.sub("\ufffd", original) if not original.isascii() else original


def _line_ends(text: str) -> str:
    """`text` with a lone CR made a LF, the same length: a lone CR ends a line too (CommonMark, editors)."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return text.replace("\r\n", " \n").replace("\r", "\n")
    return text


def finish(
    doc: Document,
    raws: list[RawLink],
    *,
    root: Path | None,
    base_url: str | None = None,
    sink: OccurrenceSink | None = None,
    disabled: DisabledSpans | None = None,
) -> list[Occurrence]:
    """Turn character offsets into Occurrences with lines, columns, byte spans and normalized targets.

    With a `sink`, each occurrence's fields go to it instead, and the list returned is empty. A citation
    that starts in a `disabled` range (inline markers) gets a skipped target (see `extract.markers`).
    """
    if not raws:
        return []
    original = doc.original
    bom = doc.bom
    # Byte offsets: the character offsets themselves in ASCII text, the extractor's UTF-8 offsets in
    # UTF-8 text it parsed as written (no invalid bytes replaced); else the text is re-encoded.
    by_char = doc.encoding == "utf-8" and original.isascii()
    from_utf8 = (
        not by_char
        and doc.encoding == "utf-8"
        and doc.text is original
        and all(raw.utf8_start >= 0 for raw in raws)
    )
    byte_at: dict[int, int] = {}
    if not by_char and not from_utf8:
        offset, prev = bom, 0
        encoding = doc.encoding
        for point in sorted({p for raw in raws for p in (raw.start, raw.end)}):
            offset += len(original[prev:point].encode(encoding, errors="surrogateescape"))
            byte_at[point] = offset
            prev = point
    line_col: dict[int, tuple[int, int]] = {}
    line, prev = 1, 0
    lines_text = _line_ends(original)
    line_start = 0
    for point in sorted({raw.at for raw in raws}):
        # Only the text since the previous link is searched: many links on one line stay linear.
        newlines = lines_text.count("\n", prev, point)
        if newlines:
            line += newlines
            line_start = lines_text.rfind("\n", prev, point) + 1
        line_col[point] = (line, point - line_start + 1)
        prev = point
    # `raw` is the destination as the parsers saw it: an undecodable byte in it is U+FFFD (one per byte, as
    # in `text`), never a lone surrogate, which no UTF-8 report could hold.
    shown = doc.text
    if disabled:
        from linkaudit.extract.markers import disabled_target  # noqa: PLC0415 - it imports this module
    occurrences: list[Occurrence] = []
    targets = _TARGETS
    if len(targets) > _TARGETS_MAX:
        targets.clear()
    display = doc.display
    path = doc.path
    where: tuple[str, str, str] | None = None
    key: tuple[str, str, str, Path | None, str | None]
    for raw in raws:
        value = raw.value
        if _ABSOLUTE_HTTP.match(value):
            key = (value, "", "", None, base_url)
        else:
            if where is None:
                # A relative destination resolves against the citing file's folder (against the file
                # itself when it is only a "#fragment" or "?query"), as the working directory makes it.
                name = os.fspath(path)
                where = (os.getcwd(), os.path.dirname(name), name)
            head = value.lstrip(" \t\r\n\f")[:1]
            key = (value, where[0], where[2] if head in ("#", "?", "") else where[1], root, base_url)
        target = targets.get(key)
        if target is None:
            target = normalize(value, source=path, root=root, base_url=base_url)
            targets[key] = target
        if disabled:
            marker = disabled.marker_at(raw.at)  # only documents holding a marker get here
            if marker is not None:
                target = disabled_target(target, shown[raw.start : raw.end], marker)
        ln, cl = line_col[raw.at]
        if by_char:
            start, end = bom + raw.start, bom + raw.end
        elif from_utf8:
            start, end = bom + raw.utf8_start, bom + raw.utf8_end
        else:
            start, end = byte_at[raw.start], byte_at[raw.end]
        if sink is not None:
            written = shown[raw.start : raw.end]
            sink(display, ln, cl, start, end, raw.kind, written, target, raw.text, raw.title)
            continue
        occurrences.append(
            Occurrence(
                file=display,
                line=ln,
                column=cl,
                start=start,
                end=end,
                kind=raw.kind,
                raw=shown[raw.start : raw.end],
                target=target,
                text=raw.text,
                title=raw.title,
            )
        )
    return occurrences
