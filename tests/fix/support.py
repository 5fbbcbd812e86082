"""What every fix test needs: files written in each encoding and line ending, a fix run on a folder, and
the two properties a rewrite must have (bytes outside the edits unchanged; the new destinations found
by extraction exactly at their new spans, meaning the new URLs)."""

from __future__ import annotations

import codecs
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote

from linkaudit.extract import SourceFormat, collect_inputs, extract_document, extract_files
from linkaudit.extract.document import document_from_bytes
from linkaudit.fix import FilePlan, FixOutcome, FixPlan, apply_fixes, plan_fixes
from linkaudit.models import FileWarning, LinkKind, Occurrence
from linkaudit.urls import normalize

#: How a test file is written: (name, codec of its text, BOM).
ENCODINGS: dict[str, tuple[str, bytes]] = {
    "utf-8": ("utf-8", b""),
    "utf-8-bom": ("utf-8", codecs.BOM_UTF8),
    "gb18030": ("gb18030", b""),
    "big5": ("big5", b""),
    "utf-16-le": ("utf-16-le", codecs.BOM_UTF16_LE),
    "utf-16-be": ("utf-16-be", codecs.BOM_UTF16_BE),
}
NEWLINES = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}
# Enough Chinese prose (in characters both Big5 and GB18030 hold) for a legacy encoding to be recognized.
PROSE = "據今日美國消息稱，" * 8


def encode(text: str, encoding: str, newline: str = "\n") -> bytes:
    codec, bom = ENCODINGS[encoding]
    return bom + text.replace("\n", newline).encode(codec)


def fix_folder(
    folder: Path, replacements: Mapping[str, str], *, write: bool = True
) -> tuple[list[Occurrence], FixPlan, FixOutcome]:
    """Extract every article under `folder`, plan the replacements (inside `folder` only), apply them."""
    files, errors = collect_inputs([os.fspath(folder)])
    assert not errors
    result = extract_files(files, jobs=1)
    unreadable = [error for error in result.errors if not isinstance(error, FileWarning)]
    assert not unreadable, unreadable
    occurrences = list(result.occurrences)
    plan = plan_fixes(occurrences, replacements, roots=[folder])
    return occurrences, plan, apply_fixes(plan, write=write)


def same_url(found: str, expected: str) -> bool:
    """Equal, percent-encoding aside (the fixer encodes what a URI or the file's encoding cannot hold)."""
    return found == expected or unquote(found) == unquote(expected)


def check_rewrite(before: bytes, after: bytes, plan: FilePlan, fmt: SourceFormat | None = None) -> None:
    """The two properties of a rewrite, checked against the bytes and a fresh extraction of `after`."""
    errors = "surrogateescape"
    new_spans: list[tuple[int, int]] = []
    old_at = new_at = 0
    for edit in plan.edits:
        kept = edit.start - old_at
        assert after[new_at : new_at + kept] == before[old_at : edit.start], f"bytes before {edit} changed"
        new_at += kept
        written = edit.new.encode(plan.encoding, errors)
        assert after[new_at : new_at + len(written)] == written
        dest_at = new_at + len(edit.new[: edit.destination_at].encode(plan.encoding, errors))
        new_spans.append((dest_at, dest_at + len(edit.destination.encode(plan.encoding, errors))))
        new_at += len(written)
        old_at = edit.end
    assert after[new_at:] == before[old_at:], "bytes after the last edit changed"
    doc = document_from_bytes(
        after, plan.path, plan.file
    )  # the encoding recognized afresh, as a new run does
    assert doc.encoding == plan.encoding
    found = extract_document(doc, fmt or SourceFormat.for_path(plan.file), plan.path.parent)
    for edit, (start, end) in zip(plan.edits, new_spans, strict=True):
        assert after[start:end].decode(plan.encoding, errors) == edit.destination
        here = [
            occ for occ in found if (occ.start, occ.end) == (start, end) and occ.kind is not LinkKind.TEXT_URL
        ]
        assert here, f"{edit.destination!r} not found at its new span {start}-{end}"
        expected = normalize(edit.url, source=plan.path)
        for occ in here:
            assert occ.raw == edit.destination
            assert same_url(occ.target.url, expected.url), (occ.target, expected)
            assert unquote(occ.target.fragment or "") == unquote(expected.fragment or "")
