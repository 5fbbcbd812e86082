"""The rewrite properties, on generated articles and on the real archive sample.

Hypothesis writes Markdown, HTML and plain-text articles from every kind of citation (inline links and
images with and without titles, destinations in `<…>`, reference definitions used several times,
autolinks, raw HTML with double, single and no quotes and `srcset`, bare URLs after and before
punctuation and CJK text (in HTML text also beside character references, and in code that cites
nothing), links in tables, quotes and lists, code spans that cite nothing), in every
encoding and line ending; it then picks some targets and gives them awkward replacements (spaces,
unbalanced parentheses, quotes, `&` that reads as a reference, characters Big5 lacks, an IDN host,
trailing punctuation). After the fix is written: every citation asked for is rewritten, every byte
outside the rewritten spans is unchanged, and extracting the file again finds each new destination
exactly at its new span, meaning the new URL (`support.check_rewrite`).

The last tests do the same over the real archive sample in `../shared/corpus`, skipped only when that
folder is absent.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from linkaudit.models import LinkKind, Occurrence

from .support import ENCODINGS, NEWLINES, PROSE, check_rewrite, encode, fix_folder

# `../shared` beside the checkout (or beside the folder of worktrees that holds this one).
CORPUS = next(
    (
        folder / "shared" / "corpus" / "archive-sample"
        for folder in Path(__file__).resolve().parents[2:]
        if (folder / "shared" / "corpus" / "archive-sample").is_dir()
    ),
    Path(__file__).resolve().parents[3] / "shared" / "corpus" / "archive-sample",
)

OLD_URLS = [
    "http://old.example/a",
    "https://old.example/news/2021",
    "http://b.old.example/新聞",
    "http://old.example/a_(b)",
    "https://c.old.example/?q=1",
]
AWKWARD = [
    "https://new.example/a b",
    "https://new.example/a(b",
    "https://new.example/(a)",
    "https://new.example/x)",
    "https://new.example/?q=1&amp;r=2",
    "https://new.example/?a=1&b='2'",
    'https://new.example/a|b<c>d"e`f',
    "https://new.example/圖/图",
    "https://图.example/x",
    "https://new.example/😀",
    "https://new.example/a\\b",
    "https://new.example/a%20b",
    "https://new.example/x.",
    "https://new.example/x#frag",
    "https://new.example/[x]",
]
# Kinds of Markdown piece; a reference twice, as it needs a defined label to count.
PIECES = ["text", "link", "angle", "image", "reference", "reference", "autolink", "bare"]
PIECES += ["html", "img", "unquoted"]
WORDS = ["新聞", "據報導", "今日", "word", "a b", "**粗**", "`[c](http://code.example/)`"]


def _archived(url: str) -> str:
    return "https://web.archive.org/web/20200101000000/" + url


@st.composite
def markdown_piece(draw: st.DrawFn, labels: list[str]) -> str:
    url = draw(st.sampled_from(OLD_URLS))
    kind = draw(st.sampled_from(PIECES))
    title = draw(st.sampled_from(["", ' "標題"', " '題'"]))
    if kind == "reference" and labels:
        label = draw(st.sampled_from(labels))
        return draw(st.sampled_from([f"[{label}]", f"[文][{label}]", f"![{label}]", f"[{label}][]"]))
    if kind == "bare":
        before = draw(st.sampled_from(["", "見", "!", "(", "：", "據"]))
        after = draw(st.sampled_from(["", "。", ".", "，", ")", " 完"]))
        return f"{before}{url}{after}"
    written = {
        "link": f"[{draw(st.sampled_from(WORDS[:4]))}]({url}{title})",
        "angle": f"[a](<{url} x>{title})",
        "image": f"![圖]({url}{title})",
        "autolink": f"<{url}>",
        "html": f'<a href="{url}">文</a>',
        "img": f"<img src='{url}' srcset=\"{url} 1x, {draw(st.sampled_from(OLD_URLS))} 2x\">",
        "unquoted": f"<a href={url}>文</a>",
    }
    return written.get(kind) or draw(st.sampled_from(WORDS))


@st.composite
def markdown_articles(draw: st.DrawFn) -> str:
    labels = draw(st.lists(st.sampled_from(["r", "ref", "新"]), min_size=1, max_size=3, unique=True))
    blocks = []
    for _ in range(draw(st.integers(1, 5))):
        line = " ".join(draw(st.lists(markdown_piece(labels), min_size=1, max_size=4)))
        if line.startswith("<"):
            line = "x " + line  # not an HTML block, which would hide the Markdown after it
        shape = draw(st.sampled_from(["paragraph", "quote", "list", "heading", "table"]))
        blocks.append(
            {
                "paragraph": line,
                "quote": "> " + line,
                "list": "- " + line,
                "heading": "## " + line,
                "table": f"| a | b |\n|---|---|\n| {line} | 文 |",
            }[shape]
        )
    for label in labels:
        url = draw(st.sampled_from(OLD_URLS))
        written = f"<{url}>" if draw(st.booleans()) else url
        blocks.insert(
            draw(st.integers(0, len(blocks))), f"[{label}]: {written}" + draw(st.sampled_from(["", ' "題"']))
        )
    return "\n\n".join(blocks) + "\n"


@st.composite
def text_articles(draw: st.DrawFn) -> str:
    pieces = []
    for _ in range(draw(st.integers(1, 6))):
        url = draw(st.sampled_from(OLD_URLS))
        before = draw(st.sampled_from(["", "見", " ", "("]))
        after = draw(st.sampled_from(["", "。", ".", "的報導", ")", "\n"]))
        pieces.append(f"{draw(st.sampled_from(WORDS[:4]))} {before}{url}{after}")
    return " ".join(pieces) + "\n"


@st.composite
def html_articles(draw: st.DrawFn) -> str:
    pieces = []
    for _ in range(draw(st.integers(1, 5))):
        url, other = draw(st.sampled_from(OLD_URLS)), draw(st.sampled_from(OLD_URLS))
        pieces.append(
            draw(
                st.sampled_from(
                    [
                        f'<a href="{url}">文</a>',
                        f"<a href='{url}' title=\"a>b\">文</a>",
                        f"<a href={url}>文</a>",
                        f'<img alt="圖" src="{url}" srcset="{url} 1x, {other} 2x">',
                        f"<p>{url}</p>",
                        f"<li>見{url}。(&quot;{other}&quot;)</li>",
                        f"<p>{url}&amp;r=2&nbsp;完 &lt;{other}&gt;</p>",
                        f"<pre>{url}</pre> <code>{other}</code> <a name='n'>{url}</a>",
                    ]
                )
            )
        )
    return f"<html><body><p>{PROSE}</p>\n" + "\n".join(pieces) + "\n</body></html>\n"


@st.composite
def articles(draw: st.DrawFn) -> tuple[str, str]:
    suffix = draw(st.sampled_from(["md", "md", "txt", "html"]))
    if suffix == "md":
        return suffix, PROSE + "\n\n" + draw(markdown_articles())
    if suffix == "txt":
        return suffix, PROSE + "\n\n" + draw(text_articles())
    return suffix, draw(html_articles())


def _fixed_everything(occurrences: list[Occurrence], chosen: dict[str, str], folder: Path) -> None:
    """Fix `chosen` in `folder` and check that each of their citations is rewritten, with both properties."""
    before = {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    _, plan, outcome = fix_folder(folder, chosen)
    assert not plan.skipped and not plan.refused and not outcome.skipped, (plan.skipped, plan.refused)
    wanted = [occ for occ in occurrences if occ.target.url in chosen and occ.kind is not LinkKind.TEXT_URL]
    by_path = {file_plan.file: file_plan for file_plan in plan.files}
    for occ in wanted:
        edits = by_path[occ.file].edits
        assert any(edit.start <= occ.start and occ.end <= edit.end for edit in edits), occ
    for file_plan in plan.files:
        for edit in file_plan.edits:
            if currently_in_test_context():
                event(f"rewrote a {edit.kind.value} in {file_plan.encoding}")
        check_rewrite(before[file_plan.path], file_plan.path.read_bytes(), file_plan)
    for path, data in before.items():
        if path not in {file_plan.path for file_plan in plan.files}:
            assert path.read_bytes() == data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles(), st.sampled_from(list(ENCODINGS)), st.sampled_from(list(NEWLINES.values())), st.data())
def test_generated_articles(
    article: tuple[str, str], encoding: str, newline: str, data: st.DataObject
) -> None:
    suffix, text = article
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / f"article.{suffix}").write_bytes(encode(text, encoding, newline))
        occurrences, _, _ = fix_folder(root, {}, write=False)
        targets = sorted({occ.target.url for occ in occurrences if occ.target.is_http})
        picked = data.draw(st.lists(st.sampled_from(targets), min_size=1, unique=True)) if targets else []
        chosen = {url: data.draw(st.sampled_from([*AWKWARD, _archived(url)])) for url in picked}
        _fixed_everything(occurrences, chosen, root)


def _corpus_copy(folder: Path, limit: int | None = None) -> list[Path]:
    files = sorted(CORPUS.rglob("*.md"))[:limit]
    copies = []
    for path in files:
        copy = folder / path.relative_to(CORPUS)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
        copies.append(copy)
    return copies


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the real archive sample (../shared/corpus) is not present")
def test_real_archive_sample_every_link_archived(tmp_path: Path) -> None:
    """Every http(s) citation of the 280 real articles pointed at its Wayback copy."""
    _corpus_copy(tmp_path)
    occurrences, _, _ = fix_folder(tmp_path, {}, write=False)
    chosen = {occ.target.url: _archived(occ.target.url) for occ in occurrences if occ.target.is_http}
    assert len(chosen) > 800
    _fixed_everything(occurrences, chosen, tmp_path)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the real archive sample (../shared/corpus) is not present")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_real_archive_sample_awkward_replacements(data: st.DataObject) -> None:
    """Random targets of a few real articles given awkward replacements."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        copies = _corpus_copy(root)
        keep = set(data.draw(st.lists(st.sampled_from(copies), min_size=1, max_size=4, unique=True)))
        for path in copies:
            if path not in keep:
                os.unlink(path)
        occurrences, _, _ = fix_folder(root, {}, write=False)
        targets = sorted({occ.target.url for occ in occurrences})
        if not targets:
            return
        picked = data.draw(st.lists(st.sampled_from(targets), min_size=1, max_size=12, unique=True))
        chosen = {url: data.draw(st.sampled_from([*AWKWARD, _archived(url)])) for url in picked}
        _fixed_everything(occurrences, chosen, root)
