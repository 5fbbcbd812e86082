"""Parsing only the blocks that can hold a citation finds exactly what parsing the whole document finds.

`extract_markdown(doc)` parses a Markdown document only in the byte ranges `_segments` picks (a range
starts at an unindented line after an empty line; documents with fences, HTML blocks of kinds 1-5 or
reference definitions are parsed whole). The claim tested here is that for every document
`extract_markdown(doc) == extract_markdown(doc, whole=True)`, tried on:

1. every CommonMark spec example on its own, and joined in pairs and triples by "\\n\\n", "\\r\\n\\r\\n",
   "\\n\\n\\n" and "\\n \\n", with and without a prose line holding a link and a bare URL between them,
   each also written with CRLF and with lone CR line endings;
2. documents Hypothesis builds from blocks (paragraphs, code, lists, quotes, HTML blocks, tables,
   headings, references, footnotes, CJK prose with glued URLs, ...) joined by varied blank lines and
   line endings; the ranges themselves are checked too (sorted, disjoint, ending on line starts);
3. the real archive sample in `../shared/corpus` when present, and the archive files under `tests/data`.

Each part also counts the documents that were really split (not parsed whole), so that it cannot pass
by never exercising the segmentation.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkaudit.extract.document import RawLink, document_from_bytes
from linkaudit.extract.markdown import _segments, extract_markdown

DATA = Path(__file__).parent.parent / "data"
SPEC: list[dict[str, Any]] = json.loads((DATA / "commonmark" / "commonmark.json").read_text(encoding="utf-8"))
ARCHIVE = DATA / "archive"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
SOURCE = Path("/articles/doc.md")

PROSE = "See [x](http://a.example/p) and https://b.example/q for more."
SEPARATORS = ("\n\n", "\r\n\r\n", "\n\n\n", "\n \n")


def _extract_both(data: bytes) -> tuple[list[RawLink], list[RawLink], bool]:
    """(segmented, whole, whether the document was really split) for a document's bytes."""
    doc = document_from_bytes(data, SOURCE, "doc.md")
    src = doc.text.encode("utf-8")
    ranges = _segments(src, src.lower())
    split = ranges != [(0, len(src))]
    return extract_markdown(doc), extract_markdown(doc, whole=True), split


def _mismatches(documents: Iterable[str]) -> tuple[list[str], int, int]:
    """The documents whose segmented and whole extractions differ, how many were tried and split."""
    failed: list[str] = []
    tried = split_count = 0
    for markdown in documents:
        segmented, whole, split = _extract_both(markdown.encode("utf-8"))
        tried += 1
        split_count += split
        if segmented != whole:
            failed.append(markdown)
    return failed, tried, split_count


def _line_endings(markdown: str) -> list[str]:
    """The document as written (LF), with CRLF and with lone CR line endings."""
    return [markdown, markdown.replace("\n", "\r\n"), markdown.replace("\n", "\r")]


def _assert_ranges(src: bytes) -> list[tuple[int, int]]:
    """`_segments` gives sorted, disjoint ranges of `src` that start and end on line starts."""
    ranges = _segments(src, src.lower())
    previous_end = 0
    for start, end in ranges:
        assert previous_end <= start <= end <= len(src), ranges
        assert start == 0 or src[start - 1 : start] in (b"\n", b"\r"), (start, ranges)  # a lone CR ends
        assert end == len(src) or src[end - 1 : end] in (b"\n", b"\r"), (end, ranges)  # a line too
        previous_end = end
    return ranges


# --- 1. The CommonMark spec examples --------------------------------------------------------------


@pytest.mark.parametrize("ending", ["lf", "crlf", "cr"])
def test_every_spec_example_alone(ending: str) -> None:
    convert = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}[ending]
    documents = [example["markdown"].replace("\n", convert) for example in SPEC]
    failed, tried, _ = _mismatches(documents)
    assert tried == 652
    assert failed == [], failed[:5]


def _spec_combinations(separator: str, prose: bool) -> list[str]:
    """Pairs of neighbouring examples, pairs of examples far apart, and seeded random triples."""
    texts = [example["markdown"] for example in SPEC]
    n = len(texts)
    between = f"{separator}{PROSE}{separator}" if prose else separator
    rng = random.Random(f"{separator!r}-{prose}")
    documents = [texts[i] + between + texts[(i + 1) % n] for i in range(n)]
    documents += [texts[i] + between + texts[(i * 7 + 331) % n] for i in range(n)]
    for _ in range(n // 2):
        a, b, c = (rng.randrange(n) for _ in range(3))
        documents.append(texts[a] + between + texts[b] + between + texts[c])
    return documents


@pytest.mark.parametrize("prose", [False, True], ids=["bare", "with-prose"])
@pytest.mark.parametrize("separator", SEPARATORS, ids=["lf-lf", "crlf-crlf", "lf-lf-lf", "lf-space-lf"])
def test_spec_examples_joined(separator: str, prose: bool) -> None:
    documents = [variant for doc in _spec_combinations(separator, prose) for variant in _line_endings(doc)]
    failed, tried, split = _mismatches(documents)
    assert tried == 3 * (652 * 2 + 326)
    if separator != "\n \n":  # a line holding a space is blank to CommonMark, not to `_segments`
        assert split > tried // 10  # the segmentation is exercised, not bypassed
    assert failed == [], [repr(doc) for doc in failed[:5]]


def _segmentable(markdown: str) -> bool:
    """Whether an example on its own would be split (no fence, reference definition, HTML kinds 1-5)."""
    src = markdown.encode("utf-8")
    lower = src.lower()
    if any(m in src for m in (b"]:", b"```", b"~~~", b"<!", b"<?")):
        return False
    return not any(m in lower for m in (b"<script", b"<pre", b"<style", b"<textarea"))


def test_spec_examples_that_split_joined_all_together() -> None:
    """All examples that leave a document splittable, in one document per line ending and separator."""
    texts = [example["markdown"] for example in SPEC if _segmentable(example["markdown"])]
    assert len(texts) > 400
    documents = []
    for separator in SEPARATORS:
        for between in (separator, f"{separator}{PROSE}{separator}"):
            documents += _line_endings(between.join(texts))
            documents += _line_endings(between.join(reversed(texts)))
    failed, tried, split = _mismatches(documents)
    assert tried == 48
    assert split >= 24
    assert failed == [], [len(doc) for doc in failed]


# --- 2. Documents built from blocks ---------------------------------------------------------------

URLS = (
    "http://a.example/p",
    "https://b.example/q_(x)",
    "HTTPS://C.EXAMPLE/R?s=1&t=2",
    "https://d.example/图片.png",
    "https://e.example/a_b_",
    "/local/page.md",
    "../up/index.md",
    "mailto:x@f.example",
)
BARE = (
    "https://g.example/q",
    "http://h.example/a.b?c=d",
    "www.i.example/j",
    "WWW.K.EXAMPLE",
    "https://l.example/_m_",
)
WORDS = ("alpha", "新聞", "圖片來源", "x", "(a)", "[b]", "&amp;", "\\*", "*em*", "_u_")
TEMPLATES = (
    "{word}",
    "[{word}]({url})",
    '[{word}]({url} "title")',
    "[{word}](<{url} x>)",
    "![{word}]({url})",
    "[![{word}]({url})]({url})",
    "[{bare}]({url})",
    "<{url}>",
    "<x@f.example>",
    "{bare}",
    "*{bare}*",
    "_{word}_",
    "**{bare}**",
    "~~{bare}~~",
    "图片来源{bare}，",
    "（{bare}）",
    "`[{word}]({url})`",
    "`` `{bare}` ``",
    "[{word}]",
    "[{word}][]",
    "[{word}][ref]",
    "[^{word}]",
    "[^1]",
    '<a href="{url}">{word}</a>',
    '<img src="{url}">',
    "<span>{bare}</span>",
    "\\[{word}\\]({url})",
    "&#104;ttp://{word}.example",
    "[{word}\n]({url})",
    "{word}  \n{bare}",
    "{word}\\\n{bare}",
)
# Every template filled every way, so that a piece of a line costs Hypothesis a single draw.
INLINES = tuple(
    sorted(
        {
            template.format(word=word, url=url, bare=bare)
            for template in TEMPLATES
            for word in WORDS
            for url in URLS
            for bare in BARE
        },
        key=lambda piece: (len(piece), piece),
    )
)
# What a fresh line may start with: nothing, spaces, a tab, and characters CommonMark does not count
# as indentation (form feed, vertical tab, no-break space, ideographic space).
LEADS = ("", " ", "  ", "   ", "\t", "\f", "\v", "\u00a0", "\u3000")
PLAIN = ("Plain prose.", "新聞消息，據報導。", "Two\nlines *em* `code`", "a ] : b", "`` ` ``", "~~gone~~")

_LINE = st.lists(st.sampled_from(INLINES), min_size=1, max_size=4).map(" ".join)
_PARAGRAPH = st.lists(_LINE, min_size=1, max_size=3).map("\n".join)
_BLANK = st.sampled_from(["\n", "\n\n", "\n   \n", "\n\t\n", "\n\n\n"])
_SEPARATOR = st.sampled_from(["\n\n", "\n", "\n\n", "\n\n\n", "\n \n", "\n\t\n", "\n\n\n\n"])


def _list_block(markers: list[str]) -> st.SearchStrategy[str]:
    @st.composite
    def build(draw: st.DrawFn) -> str:
        marker = draw(st.sampled_from(markers))
        pad = " " * len(marker)
        line, blank = draw(_LINE), draw(_BLANK)
        items = [
            f"{marker}{line}",
            f"{marker}{line}{blank}{pad}{line}",
            f"{marker}\n{pad}{line}",
            f"{marker}{line}\n{blank}{pad}    {line}",
            f"{marker}{line}\n{pad}- {line}{blank}{pad}  {line}",
            f"{marker}> {line}{blank}{pad}> {line}",
        ]
        chosen = draw(st.lists(st.sampled_from(items), min_size=1, max_size=3))
        return draw(st.sampled_from(["\n", "\n\n"])).join(chosen)

    return build()


def _block_of(template: str, **parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """`template` with each `{name}` filled by a draw from `parts[name]`."""
    return st.fixed_dictionaries(parts).map(lambda values: template.format(**values))


_L = _LINE
_SEGMENTABLE_BLOCKS = st.one_of(
    st.sampled_from(PLAIN),  # prose without a citation: a range `_segments` leaves out
    _PARAGRAPH,
    _block_of("{lead}{p}", lead=st.sampled_from(LEADS), p=_PARAGRAPH),
    _block_of("    {a}{blank}    {b}\n\t{c}", a=_L, b=_L, c=_L, blank=_BLANK),  # indented code
    _list_block(["- ", "* ", "+ "]),
    _list_block(["1. ", "2) ", "10. "]),
    _block_of("> {a}\n{b}\n>\n> {c}{blank}> - {d}", a=_L, b=_L, c=_L, d=_L, blank=_BLANK),
    _block_of("> {a}\n{b}\n- {c}\n{d}", a=_L, b=_L, c=_L, d=_L),  # lazy continuation lines
    _block_of("<div>\n{a}{blank}{b}\n</div>", a=_L, b=_L, blank=_BLANK),  # HTML block, kind 6
    _block_of('<a href="{url}">\n{a}\n</a>', url=st.sampled_from(URLS), a=_L),  # HTML block, kind 7
    _block_of(
        "| a | {h} |\n|---|:---:|\n{rows}",
        h=_L,
        rows=st.lists(_block_of("| {a} | {b} |", a=_L, b=_L), max_size=3).map("\n".join),
    ),
    _block_of("{hashes} {a} #", hashes=st.sampled_from(["#", "##", "######"]), a=_L),
    _block_of("{a}\n{rule}", a=_L, rule=st.sampled_from(["===", "---", "-", "= http://s.example"])),
    st.sampled_from(["---", "***", "___", "- - -"]),
)
_WHOLE_BLOCKS = st.one_of(
    _block_of(
        "{f}{info}\n{a}{blank}{b}\n{f}",
        f=st.sampled_from(["```", "~~~"]),
        info=st.sampled_from(["", "md"]),
        a=_L,
        b=_L,
        blank=_BLANK,
    ),
    _block_of("<PRE>\n{a}{blank}{b}\n</pre>", a=_L, b=_L, blank=_BLANK),
    _block_of("<!-- {a}{blank}{b} -->", a=_L, b=_L, blank=_BLANK),
    _block_of("<script>\n{a}{blank}{b}\n</script>", a=_L, b=_L, blank=_BLANK),
    _block_of("<?php\n{a}{blank}{b} ?>", a=_L, b=_L, blank=_BLANK),
    _block_of(
        '[{label}]: {url} "title"\n[^1]: {a}',
        label=st.sampled_from(["ref", *WORDS[:4]]),
        url=st.sampled_from(URLS),
        a=_L,
    ),
    _block_of("[^1]: {a}{blank}    {b}", a=_L, b=_L, blank=_BLANK),  # footnote definition
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    whole_allowed = draw(st.integers(0, 3)) == 0  # mostly documents that `_segments` really splits
    block = st.one_of(_SEGMENTABLE_BLOCKS, _WHOLE_BLOCKS) if whole_allowed else _SEGMENTABLE_BLOCKS
    blocks = draw(st.lists(block, min_size=3, max_size=8))
    separators = draw(st.lists(_SEPARATOR, min_size=len(blocks) - 1, max_size=len(blocks) - 1))
    text: str = blocks[0] + "".join(sep + b for sep, b in zip(separators, blocks[1:], strict=True))
    text += draw(st.sampled_from(["", "\n", "\n\n"]))
    ending = draw(st.sampled_from(["\n", "\n", "\r\n", "\r\n", "\r", "mixed"]))
    if ending == "mixed":
        rng = draw(st.randoms(use_true_random=False))
        return "".join(rng.choice(["\n", "\r\n", "\r"]) if c == "\n" else c for c in text)
    return text.replace("\n", ending)


SPLIT_SEEN: list[bool] = []


def _encoded(markdown: str, encoding: str) -> bytes:
    """The document's bytes; "invalid" is UTF-8 with a stray byte (decoded to U+FFFD) after line one."""
    if encoding != "invalid":
        return markdown.encode(encoding)
    # A prose line first, so that one stray byte stays under the share that keeps a file UTF-8.
    data = b"x" * 400 + b"\n\n" + markdown.encode("utf-8")
    cut = data.find(b"\n") + 1
    return data[:cut] + b"\x80" + data[cut:]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    markdown=documents(),
    encoding=st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "gb18030", "invalid"]),
)
def test_built_documents(markdown: str, encoding: str) -> None:
    doc = document_from_bytes(_encoded(markdown, encoding), SOURCE, "doc.md")
    src = doc.text.encode("utf-8")
    ranges = _assert_ranges(src)
    SPLIT_SEEN.append(ranges != [(0, len(src))])
    assert extract_markdown(doc) == extract_markdown(doc, whole=True), markdown


def test_built_documents_were_split() -> None:
    """Most of `test_built_documents`' documents were really split (it is run here if it has not been)."""
    if not SPLIT_SEEN:
        test_built_documents()
    assert sum(SPLIT_SEEN) > len(SPLIT_SEEN) // 5


@pytest.mark.parametrize(
    "markdown",
    [
        "",
        "\n\n\n",
        "a\n\nb",
        "a\n\n\nhttp://x.example",
        "http://x.example\n\n",
        "- a\n\nhttp://x.example\n",
        "> a\n\n  http://x.example\n",
        "a\r\n\r\nhttp://x.example\r\n",
        "a\r\rhttp://x.example",
        "a\n\r\nb\n\n[x](y)\n\n\tz",
        "图片来源https://c.example/i.png，\n\n説明 [x](http://a.example/p)\n",
    ],
)
def test_ranges_of_small_documents(markdown: str) -> None:
    _assert_ranges(markdown.encode("utf-8"))
    segmented, whole, _ = _extract_both(markdown.encode("utf-8"))
    assert segmented == whole


# --- 3. Real articles -----------------------------------------------------------------------------


def _check_files(paths: list[Path]) -> tuple[int, int]:
    failed: list[str] = []
    split_count = 0
    for path in paths:
        data = path.read_bytes()
        # As the archive holds it, and with LF line endings (a blank line is then "\n\n").
        for variant in (data, data.replace(b"\r\n", b"\n")):
            segmented, whole, split = _extract_both(variant)
            split_count += split
            if segmented != whole:
                failed.append(path.as_posix())
    assert failed == []
    return len(paths), split_count


def test_archive_files_in_tests() -> None:
    files = sorted(ARCHIVE.rglob("*.md"))
    count, split = _check_files(files)
    assert count == 5
    assert split >= 2


def test_the_real_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip("the real archive sample (../shared/corpus) is not present")
    files = sorted(CORPUS.rglob("*.md"))
    count, split = _check_files(files)
    assert count > 100
    assert split > count // 2
