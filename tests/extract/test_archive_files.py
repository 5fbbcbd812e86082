"""Real articles from the archive, byte for byte, with every link they cite checked by hand.

`tests/data/archive/` holds five files chosen for variety: an article with images and a text-url
(`[https://a/…](https://b/…)`, the shown URL being the real source), one whose "URL" is a headline
(invalid), one with an `ipfs://` image (skipped), a transcript, and an index page with a UTF-8 BOM
and sixty root-relative links. All are CRLF (one has a stray LF line). Each `*.expected.json` lists
url, raw, kind, line, column, text and status of every occurrence (and reason and detail of a skipped
or invalid one); `{root}` stands for the folder
root-relative links resolve against.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from linkaudit.extract import collect_inputs, extract_files
from linkaudit.models import LinkKind, Occurrence

ARCHIVE = Path(__file__).parent.parent / "data" / "archive"
EXPECTED = sorted(ARCHIVE.rglob("*.expected.json"))


def _as_expected(occ: Occurrence, root: Path) -> dict[str, Any]:
    item: dict[str, Any] = {
        "url": occ.target.url.replace(f"file://{root.as_posix()}", "file://{root}"),
        "raw": occ.raw,
        "kind": occ.kind.value,
        "line": occ.line,
        "column": occ.column,
        "text": occ.text,
        "status": occ.target.status.value,
    }
    if occ.target.reason is not None:
        item["reason"] = occ.target.reason
    if occ.target.detail is not None:
        item["detail"] = occ.target.detail
    return item


@pytest.fixture(scope="module")
def extracted() -> dict[str, list[Occurrence]]:
    root = ARCHIVE.absolute()
    files, errors = collect_inputs([str(ARCHIVE)], root=root)
    assert errors == []
    result = extract_files(files, jobs=1)
    assert result.errors == ()
    assert result.files == len(EXPECTED) == 5
    by_file: dict[str, list[Occurrence]] = {item.display: [] for item in files}
    for occ in result.occurrences:
        by_file[occ.file].append(occ)
    return {Path(display).resolve().relative_to(root).as_posix(): found for display, found in by_file.items()}


@pytest.mark.parametrize("expected_file", EXPECTED, ids=[p.name.split(".")[0] for p in EXPECTED])
def test_every_link_of_a_real_article(expected_file: Path, extracted: dict[str, list[Occurrence]]) -> None:
    article = expected_file.with_name(expected_file.name.replace(".expected.json", ".md"))
    name = article.relative_to(ARCHIVE).as_posix()
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    found = extracted[name]
    assert [_as_expected(occ, ARCHIVE.absolute()) for occ in found] == expected
    data = article.read_bytes()
    for occ in found:
        assert data[occ.start : occ.end].decode("utf-8") == occ.raw


def test_the_sample_covers_what_it_claims(extracted: dict[str, list[Occurrence]]) -> None:
    everything = [occ for found in extracted.values() for occ in found]
    kinds = {occ.kind for occ in everything}
    assert {LinkKind.LINK, LinkKind.IMAGE, LinkKind.TEXT_URL} <= kinds
    assert {occ.target.status.value for occ in everything} == {"ok", "skipped", "invalid"}
    assert any(occ.raw.startswith("/") and occ.target.is_local for occ in everything)
    assert (ARCHIVE / "transcript" / "README-14.md").read_bytes().startswith(b"\xef\xbb\xbf")
    assert all(b"\r\n" in path.read_bytes() for path in ARCHIVE.rglob("*.md"))
