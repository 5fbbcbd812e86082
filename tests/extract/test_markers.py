"""Inline markers (`<!-- linkaudit-disable-next-line -->` and friends): which citations they disable, in
Markdown and HTML, never from inside code; the extraction cache and the process pool keep the marks."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkaudit.extract import collect_inputs, extract_files
from linkaudit.extract.cache import extract_cached
from linkaudit.extract.findings import add_findings
from linkaudit.extract.markers import DISABLED_INLINE
from linkaudit.models import Occurrence, TargetStatus
from linkaudit.report import ExtractFormat
from linkaudit.report.extract import write_extract
from linkaudit.store import Store
from linkaudit.store.files import StoreFileCache

MARKDOWN = """# Notes

<!-- linkaudit-disable-next-line paywalled since 2024 -->
[a](https://a.example/1) and https://b.example/2

[c](https://c.example/3) <!-- linkaudit-disable-line -->
[c2](https://c.example/4)

```
<!-- linkaudit-disable -->
```
Code: `<!-- linkaudit-disable-next-line -->`
[d](https://d.example/5)

<!-- linkaudit-disable -->
[e](https://e.example/6) ![img](https://e.example/7.png) [bad](hhttps://x.example/) <mailto:x@y.example>

[ref]: https://e.example/8
Uses [the ref][ref].
<!--
  linkaudit-enable
-->
[f](https://a.example/1) [g](https://g.example/9)

    <!-- linkaudit-disable-next-line -->
[h](https://h.example/10)
"""


def extract_text(tmp_path: Path, name: str, text: str) -> list[Occurrence]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    files, _ = collect_inputs([str(path)])
    return list(extract_files(files, jobs=1).occurrences)


def disabled(occurrences: list[Occurrence]) -> dict[str, str]:
    """raw -> the marker named in the detail, for the disabled citations."""
    found: dict[str, str] = {}
    for occ in occurrences:
        if occ.target.reason == DISABLED_INLINE:
            assert occ.target.status is TargetStatus.SKIPPED
            assert occ.target.detail is not None
            found[occ.raw] = occ.target.detail.split("linkaudit-")[1].split(" ")[0]
    return found


def test_markdown_markers(tmp_path: Path) -> None:
    occurrences = extract_text(tmp_path, "a.md", MARKDOWN)
    assert disabled(occurrences) == {
        "https://a.example/1": "disable-next-line",
        "https://b.example/2": "disable-next-line",
        "https://c.example/3": "disable-line",
        "https://e.example/6": "disable",
        "https://e.example/7.png": "disable",
        "hhttps://x.example/": "disable",
        "mailto:x@y.example": "disable",
        "https://e.example/8": "disable",  # a reference link counts where it is used
        # Indented four spaces the marker is code, not a comment: [h] is checked.
    }
    enabled = {occ.raw for occ in occurrences if occ.target.reason != DISABLED_INLINE}
    # The same URL cited again after the enable is a citation of its own, to check.
    assert {
        "https://a.example/1",
        "https://c.example/4",
        "https://d.example/5",
        "https://g.example/9",
    } <= enabled
    assert "https://h.example/10" in enabled
    cited = [occ.target.status for occ in occurrences if occ.raw == "https://a.example/1"]
    assert cited == [TargetStatus.SKIPPED, TargetStatus.OK]


def test_html_markers(tmp_path: Path) -> None:
    html = (
        '<p><a href="https://a.example/">a</a> <!-- linkaudit-disable-line --></p>\n'
        "<!-- linkaudit-disable-next-line -->\n"
        '<img src="https://i.example/x.png">\n'
        '<a href="https://k.example/">k</a>\n'
        "<!--linkaudit-disable-->\n"
        '<a href="https://m.example/">m</a>\n'
        "<!--linkaudit-enable-->\n"
        '<a href="https://n.example/">n</a>\n'
    )
    occurrences = extract_text(tmp_path, "p.html", html)
    assert disabled(occurrences) == {
        "https://a.example/": "disable-line",
        "https://i.example/x.png": "disable-next-line",
        "https://m.example/": "disable",
    }
    assert len(occurrences) == 5


def test_plain_text_and_unknown_markers_disable_nothing(tmp_path: Path) -> None:
    text = "<!-- linkaudit-disable-next-line -->\nhttps://a.example/\n"
    assert disabled(extract_text(tmp_path, "urls.txt", text)) == {}
    odd = (
        "<!-- linkaudit-disable-foo -->\n[a](https://a.example/)\n"
        "<!-- linkaudit-disabled -->\n[b](https://b.example/)\n"
        "<!-- not linkaudit-disable -->\n[c](https://c.example/)\n"
    )
    assert disabled(extract_text(tmp_path, "odd.md", odd)) == {}


def test_an_enable_without_a_disable_and_a_disable_to_the_end(tmp_path: Path) -> None:
    text = "<!-- linkaudit-enable -->\n[a](https://a.example/)\n\n<!-- linkaudit-disable -->\n[b](https://b.example/)\n"
    assert disabled(extract_text(tmp_path, "a.md", text)) == {"https://b.example/": "disable"}


def test_non_ascii_text_and_crlf(tmp_path: Path) -> None:
    text = (
        "据报道：[甲](https://a.example/中) <!-- linkaudit-disable-line -->\r\n"
        "<!-- linkaudit-disable-next-line -->\r\n见 https://b.example/乙\r\n[丙](https://c.example/)\r\n"
    )
    occurrences = extract_text(tmp_path, "a.md", text)
    assert set(disabled(occurrences)) == {"https://a.example/中", "https://b.example/乙"}


def test_disabled_citations_get_no_findings() -> None:
    from linkaudit.extract.article import extract_document  # noqa: PLC0415
    from linkaudit.extract.document import document_from_bytes  # noqa: PLC0415
    from linkaudit.extract.inputs import SourceFormat  # noqa: PLC0415

    text = "see https://a.example/x\\_y <!-- linkaudit-disable-line -->\nsee https://b.example/x\\_y\n"
    doc = document_from_bytes(text.encode(), Path("/tmp/a.md"), "a.md")
    found = add_findings(extract_document(doc, SourceFormat.MARKDOWN, Path("/tmp")))
    by_raw = {occ.raw: occ for occ in found}
    assert by_raw["https://a.example/x\\_y"].findings == ()
    assert by_raw["https://b.example/x\\_y"].findings != ()


def rendered(result: object) -> str:
    stream = io.StringIO()
    write_extract(result, ExtractFormat.JSONL, stream)  # type: ignore[arg-type]
    return stream.getvalue()


def test_cache_and_pool_keep_the_marks(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    for n in range(40):
        (articles / f"{n}.md").write_text(MARKDOWN + "正文。" * 20000 + "\n", encoding="utf-8")
    files, _ = collect_inputs([str(articles)])
    cold = extract_files(files, jobs=1)
    pooled = extract_files(files, jobs=2)  # over the pool's threshold: packed JSON lines
    assert rendered(pooled) == rendered(cold)
    assert sum(occ.target.reason == DISABLED_INLINE for occ in pooled.occurrences) == 40 * 8
    with Store.open(tmp_path / "store.sqlite") as store:
        first = extract_cached(files, StoreFileCache(store), jobs=1)
        warm = extract_cached(files, StoreFileCache(store), jobs=1)
        assert rendered(first) == rendered(warm) == rendered(cold)
        # A cached file given a marker (the code block's indentation removed) is parsed again.
        path = articles / "0.md"
        changed = path.read_text(encoding="utf-8").replace(
            "[h](https://h.example/10)", "[h](https://h.example/1X)"
        )
        path.write_text(
            changed.replace("    <!-- linkaudit-disable-next", "<!-- linkaudit-disable-next"),
            encoding="utf-8",
        )
        after = extract_cached(files, StoreFileCache(store), jobs=1)
        marked = [
            occ
            for occ in after.occurrences
            if Path(occ.file).name == "0.md" and occ.raw.startswith("https://h.")
        ]
        assert [occ.target.reason for occ in marked] == [DISABLED_INLINE]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "[a](https://a.example/)",
                "<!-- linkaudit-disable -->",
                "<!-- linkaudit-enable -->",
                "<!-- linkaudit-disable-next-line -->",
                "<!-- linkaudit-disable-line -->",
                "```",
                "",
                "text https://b.example/",
            ]
        ),
        max_size=14,
    )
)
def test_markers_never_lose_or_move_a_citation(lines: list[str]) -> None:
    from linkaudit.extract.article import extract_document  # noqa: PLC0415
    from linkaudit.extract.document import document_from_bytes  # noqa: PLC0415
    from linkaudit.extract.inputs import SourceFormat  # noqa: PLC0415

    text = "\n".join(lines) + "\n"
    plain = text.replace("linkaudit-", "linkaudit_")  # the same bytes' length, no marker
    doc = document_from_bytes(text.encode(), Path("/tmp/a.md"), "a.md")
    ref = document_from_bytes(plain.encode(), Path("/tmp/a.md"), "a.md")
    with_markers = extract_document(doc, SourceFormat.MARKDOWN, Path("/tmp"))
    without = extract_document(ref, SourceFormat.MARKDOWN, Path("/tmp"))
    assert [(o.line, o.column, o.start, o.end, o.raw) for o in with_markers] == [
        (o.line, o.column, o.start, o.end, o.raw) for o in without
    ]
    for occ, before in zip(with_markers, without, strict=True):
        if occ.target.reason == DISABLED_INLINE:
            assert occ.target.url == before.target.url
        else:
            assert occ.target == before.target


@pytest.mark.parametrize("name", ["a.md", "a.html"])
def test_a_file_without_markers_is_untouched(tmp_path: Path, name: str) -> None:
    occurrences = extract_text(tmp_path, name, "[a](https://a.example/) <a href='https://b.example/'>b</a>\n")
    assert all(occ.target.status is TargetStatus.OK for occ in occurrences)
