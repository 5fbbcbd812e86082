"""A UTF-8 article with a few stray bytes keeps its links, and says where the bytes are.

Each undecodable byte is read as one U+FFFD (so character offsets, lines and columns stay those of the
bytes as written), the file gets a `FileWarning` locating the first one, and every occurrence's span is
exact: the file's bytes at `start:end`, decoded with one U+FFFD per undecodable byte, are `raw`.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkaudit.extract import SourceFormat, extract_document
from linkaudit.extract.document import ExtractError, document_from_bytes
from linkaudit.models import FileWarning, Occurrence

ROOT = Path("/articles")


def _extract(
    data: bytes, fmt: SourceFormat = SourceFormat.MARKDOWN
) -> tuple[list[Occurrence], FileWarning | None]:
    doc = document_from_bytes(data, ROOT / "doc.md", "doc.md")
    return extract_document(doc, fmt, ROOT), doc.warning


def _per_byte(data: bytes) -> str:
    """The bytes decoded as linkaudit reads them: one U+FFFD per byte UTF-8 cannot decode."""
    text = data.decode("utf-8", errors="surrogateescape")
    return "".join("\ufffd" if "\udc80" <= c <= "\udcff" else c for c in text)


def _check_spans(data: bytes, found: list[Occurrence]) -> None:
    for occ in found:
        assert _per_byte(data[occ.start : occ.end]) == occ.raw, occ
        assert not any("\udc80" <= c <= "\udcff" for c in occ.raw + occ.text)


def test_a_short_file_with_stray_bytes_keeps_its_links() -> None:
    # Three undecodable bytes in a 90-byte file: once dropped as "not valid text".
    data = b"# T\xff\n\nsee [a](https://a.example/x\xfey) and https://b.example/ok\xe4\xb8 z\n[c](https://c.example/)\n"
    found, warning = _extract(data)
    assert [(o.raw, o.line, o.column) for o in found] == [
        ("https://a.example/x\ufffdy", 3, 5),
        ("https://b.example/ok\ufffd\ufffd", 3, 36),
        ("https://c.example/", 4, 1),
    ]
    _check_spans(data, found)
    assert warning == FileWarning(
        "doc.md", "4 undecodable bytes read as U+FFFD (first: 0xff at byte 3); links kept", line=1, column=4
    )


def test_the_warning_counts_lines_and_characters_as_occurrences_do() -> None:
    data = codecs.BOM_UTF8 + "中文\r\nab\rcd 據".encode() + b"\x80" + b" [x](https://a.example/)\n"
    found, warning = _extract(data)
    assert warning is not None
    # Line 3 (a lone CR ends line 2), after "cd 據": the fifth character.
    assert (warning.line, warning.column) == (3, 5)
    assert "(first: 0x80 at byte 20)" in warning.message and data[20] == 0x80
    assert [(o.raw, o.line, o.column) for o in found] == [("https://a.example/", 3, 7)]
    _check_spans(data, found)


def test_a_clean_file_has_no_warning() -> None:
    found, warning = _extract("[a](https://a.example/) 據\n".encode())
    assert warning is None and len(found) == 1


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(128, 256)) * 4,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"[a](https://a.example/)" + b"\xff" * 40,
    ],
    ids=["noise", "binary", "many-stray-bytes"],
)
def test_what_is_not_text_is_still_an_error(data: bytes) -> None:
    with pytest.raises(ExtractError, match="not valid text"):
        _extract(data)


_PROSE = st.text(alphabet="ab 據中\n", max_size=12)
_URLS = st.sampled_from(["https://a.example/p", "https://b.example/q?x=1", "http://c.example/據"])
_STRAY = st.sampled_from(
    [b"\xff", b"\xfe", b"\x80", b"\xe4\xb8", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"]
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(_PROSE, st.sampled_from(["md", "bare"]), _URLS, st.lists(_STRAY, max_size=2)), max_size=6
    ),
    st.booleans(),
)
def test_stray_bytes_anywhere_keep_spans_exact(
    parts: list[tuple[str, str, str, list[bytes]]], in_links: bool
) -> None:
    data = b""
    for prose, kind, url, stray in parts:
        # Stray bytes go into the prose, or into the destination itself.
        data += prose.encode() + (b"" if in_links else b"".join(stray))
        written = url.encode() + (b"".join(stray) if in_links else b"")
        data += b" [t](" + written + b") " if kind == "md" else b" " + written + b" "
    try:
        doc = document_from_bytes(data, ROOT / "doc.md", "doc.md")
    except ExtractError:
        # Too many undecodable bytes for their share of a short text: that is not UTF-8 with stray bytes.
        return
    found, warning = extract_document(doc, SourceFormat.MARKDOWN, ROOT), doc.warning
    if doc.encoding != "utf-8":  # a short text that reads cleanly as GB18030 or Big5 is taken as such
        assert warning is None
        assert all(data[o.start : o.end].decode(doc.encoding) == o.raw for o in found)
        return
    _check_spans(data, found)
    if "\ufffd" in _per_byte(data):  # (stray bytes next to each other may make a valid character)
        assert warning is not None
        lines = _per_byte(data).split("\n")
        assert lines[warning.line - 1][warning.column - 1] == "\ufffd"
        assert (
            "\ufffd" not in "".join(lines[: warning.line - 1]) + lines[warning.line - 1][: warning.column - 1]
        )
    else:
        assert warning is None
