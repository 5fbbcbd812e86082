"""Inputs, encodings and bad input: real files on disk, through `collect_inputs` and `extract_files`.

Every bad input the issue names is either extracted correctly or becomes a one-line `FileError`, and
the run goes on with the other files. Tests run as root, where `chmod 000` stops nothing, so an
unreadable file is made honestly: a dangling symlink, a file that vanishes between listing and
reading, a symlink that points at itself, a FIFO with no writer (which once hung the run).
"""

from __future__ import annotations

import codecs
import io
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace

import pytest

from linkaudit.extract import DEFAULT_EXTENSIONS, InputFile, UsageError, collect_inputs, extract_files
from linkaudit.models import LinkKind, Occurrence

ARTICLE = "# 新聞\n\n據[今日美國](https://www.usatoday.example/story/1)消息稱，圖片來源https://img.example/圖片.png，完。\n"
# (kind, raw, line, column) of ARTICLE's two citations, whatever the encoding or line endings.
ARTICLE_LINKS = [
    (LinkKind.LINK, "https://www.usatoday.example/story/1", 3, 2),
    (LinkKind.BARE, "https://img.example/圖片.png", 3, 54),
]


def run(
    paths: Sequence[str | Path],
    *,
    extensions: Sequence[str] = DEFAULT_EXTENSIONS,
    exclude_paths: Sequence[str] = (),
    root: Path | None = None,
) -> tuple[list[InputFile], list[Occurrence], list[str]]:
    """(inputs, occurrences, "file: message" errors) of one run, as the CLI would make it."""
    files, walk_errors = collect_inputs(
        [os.fspath(p) for p in paths], extensions=extensions, exclude_paths=exclude_paths, root=root
    )
    result = extract_files(files, jobs=1)
    errors = [f"{e.file}: {e.message}" for e in (*walk_errors, *result.errors)]
    for message in errors:
        assert "\n" not in message and "Traceback" not in message
    return files, list(result.occurrences), errors


def shown(occurrences: list[Occurrence]) -> list[tuple[LinkKind, str, int, int]]:
    return [(o.kind, o.raw, o.line, o.column) for o in occurrences]


# --- inputs -------------------------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A folder of articles in every default extension, plus what a walk must leave out."""
    files = {
        "a.md": "[a](https://a.example/md)",
        "b.markdown": "[b](https://a.example/markdown)",
        "c.mdx": "[c](https://a.example/mdx)",
        "d.html": '<a href="https://a.example/html">d</a>',
        "sub/e.htm": '<img src="https://a.example/htm.png">',
        "sub/deeper/f.txt": "see https://a.example/txt.",
        "sub/g.rst": "`g <https://a.example/rst>`_",
        ".hidden/h.md": "[h](https://a.example/hidden)",
        ".git/i.md": "[i](https://a.example/git)",
        "sub/.j.md": "[j](https://a.example/dotfile)",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text + "\n", encoding="utf-8")
    return tmp_path


def test_folders_are_walked_recursively_skipping_hidden_and_git(tree: Path) -> None:
    files, found, errors = run([tree])
    assert errors == []
    assert [f.path.relative_to(tree).as_posix() for f in files] == [
        "a.md",
        "b.markdown",
        "c.mdx",
        "d.html",
        "sub/e.htm",
        "sub/deeper/f.txt",
    ]
    assert [o.raw.rsplit("/", 1)[1] for o in found] == ["md", "markdown", "mdx", "html", "htm.png", "txt"]


def test_a_hidden_file_named_explicitly_is_read(tree: Path) -> None:
    _, found, _ = run([tree / ".hidden" / "h.md"])
    assert [o.raw for o in found] == ["https://a.example/hidden"]


def test_extensions_and_exclude_path(tree: Path) -> None:
    files, _, _ = run([tree], extensions=["rst", "txt"], exclude_paths=["deeper"])
    assert [f.path.name for f in files] == ["g.rst"]
    files, _, _ = run([tree], exclude_paths=[r"\.html?$", "^nothing"])
    assert [f.path.suffix for f in files] == [".md", ".markdown", ".mdx", ".txt"]


def test_globs(tree: Path) -> None:
    files, _, _ = run([f"{tree}/**/*.ht*"])
    assert [f.path.name for f in files] == ["d.html", "e.htm"]
    with pytest.raises(UsageError, match="no files match"):
        collect_inputs([f"{tree}/*.nothing"])


def test_a_glob_through_a_symlink_loop_lists_each_file_once(tree: Path) -> None:
    """`**` follows symlinked folders: before the fix, a loop listed one file ~40 times (and so made
    its links look like template links)."""
    (tree / "sub" / "loop").symlink_to("..")
    files, _, errors = run([f"{tree}/**/*.md"])
    assert errors == []
    assert [f.path.relative_to(tree).as_posix() for f in files] == ["a.md"]


def test_a_folder_walk_through_a_symlink_loop_goes_on(tree: Path) -> None:
    (tree / "sub" / "loop").symlink_to("..")
    files, found, errors = run([tree])
    assert len(files) == 6 and len(found) == 6
    assert len(errors) == 1 and "symlink loop" in errors[0]


def test_missing_path_and_bad_pattern_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file or folder"):
        collect_inputs([os.fspath(tmp_path / "missing.md")])
    with pytest.raises(UsageError, match="--exclude-path"):
        collect_inputs([os.fspath(tmp_path)], exclude_paths=["("])


def test_each_file_once_and_relative_to_the_current_folder(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree / "sub")
    files, found, _ = run([tree / "a.md", tree / "a.md", tree])
    assert [f.display for f in files].count("../a.md") == 1
    assert found[0].file == "../a.md"


def test_standard_input(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data = codecs.BOM_UTF8 + ARTICLE.replace("\n", "\r\n").encode("utf-8")
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(data)))
    monkeypatch.chdir(tmp_path)
    files, found, errors = run(["-"])
    assert errors == [] and [f.display for f in files] == ["-"]
    assert shown(found) == ARTICLE_LINKS
    assert {o.file for o in found} == {"-"}


def test_root_relative_links_resolve_against_the_root(tree: Path) -> None:
    (tree / "sub" / "k.md").write_text("[i](/index.md) [j](../index.md) [k](index.md)\n", encoding="utf-8")
    _, found, _ = run([tree / "sub" / "k.md"], root=tree)
    assert [o.target.url for o in found] == [
        (tree / "index.md").as_uri(),
        (tree / "index.md").as_uri(),
        (tree / "sub" / "index.md").as_uri(),
    ]
    _, found, _ = run([tree])  # by default, the audited folder
    assert [o.target.url for o in found if o.raw == "/index.md"] == [(tree / "index.md").as_uri()]
    _, found, _ = run([tree / "sub" / "k.md"])  # for a single file, its own folder
    assert found[0].target.url == (tree / "sub" / "index.md").as_uri()


# --- encodings ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom", "crlf"),
    [
        ("utf-8", b"", False),
        ("utf-8", b"", True),
        ("utf-8", codecs.BOM_UTF8, False),
        ("utf-8", codecs.BOM_UTF8, True),
        ("utf-16-le", codecs.BOM_UTF16_LE, True),
        ("utf-16-be", codecs.BOM_UTF16_BE, False),
        ("gb18030", b"", True),
        ("big5", b"", True),
    ],
)
def test_encodings(tmp_path: Path, encoding: str, bom: bytes, crlf: bool) -> None:
    text = ARTICLE.replace("\n", "\r\n") if crlf else ARTICLE
    data = bom + text.encode(encoding)
    path = tmp_path / "article.md"
    path.write_bytes(data)
    _, found, errors = run([path])
    assert errors == []
    assert shown(found) == ARTICLE_LINKS
    assert found[0].text == "今日美國"
    for occ in found:
        assert data[occ.start : occ.end].decode(encoding) == occ.raw


def test_lone_cr_line_endings_count_as_lines(tmp_path: Path) -> None:
    """Old Mac files end lines with a lone CR; CommonMark and editors count those as lines (before the
    fix, everything was on line 1)."""
    path = tmp_path / "mac.md"
    path.write_bytes(b"title\r[a](https://a.example/)\r\rsee https://b.example/\r\n[c](https://c.example/)\r")
    _, found, _ = run([path])
    assert [(o.raw, o.line, o.column) for o in found] == [
        ("https://a.example/", 2, 1),
        ("https://b.example/", 4, 5),
        ("https://c.example/", 5, 1),
    ]


def test_simplified_chinese_in_gb18030_is_decoded(tmp_path: Path) -> None:
    text = "美国总统拜登在俄罗斯撤军后应普京要求就乌克兰局势电话会谈。据[今日美国](https://a.example/)消息称。\r\n"
    path = tmp_path / "gb.md"
    path.write_bytes(text.encode("gb18030"))
    _, found, errors = run([path])
    assert errors == [] and [o.text for o in found] == ["今日美国"]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("据[美国](https://a.example/)报道。\n", "gb18030"),  # a few characters: was taken for Big5
        ("[中文](https://a.example/)\n", "gb18030"),
        ("据美联社报道，[原文](https://a.example/)。\n", "gb18030"),
        ("據[美國](https://a.example/)報導，\n", "big5"),
        ("[今日美國](https://a.example/)報導指出\n", "big5"),
        # charset-normalizer finds nothing in these: the Chinese reading with the most Han characters
        ("Plain prose.\n\n[新聞消息](https://a.example/)，據報導。\n\nTwo\nlines\n", "gb18030"),
        ("Plain prose.\n\n[新聞消息](https://a.example/)，據報導。\n\nTwo\nlines\n", "big5"),
    ],
)
def test_short_legacy_chinese_files(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "short.md"
    data = text.encode(encoding)
    path.write_bytes(data)
    _, found, errors = run([path])
    assert errors == []
    assert [o.text for o in found] == [text[text.index("[") + 1 : text.index("]")]]
    assert data[found[0].start : found[0].end].decode(encoding) == "https://a.example/"


def test_stray_invalid_bytes_in_utf8_keep_the_file(tmp_path: Path) -> None:
    data = b"x" * 2000 + b"\n[a](https://a.example/caf\xe9) [b](https://b.example/ok)\n"
    path = tmp_path / "stray.md"
    path.write_bytes(data)
    _, found, errors = run([path])
    # Reported where it is (a warning: the file was read), and its links are kept.
    message = "1 undecodable byte read as U+FFFD (first: 0xe9 at byte 2026); links kept"
    assert errors == [f"{found[0].file}: {message}"]
    assert [(o.line, o.column) for o in found] == [(2, 1), (2, 29)]  # the stray byte is one character
    # The span is the bytes as written; `raw` holds U+FFFD for the byte (one per byte), never a lone
    # surrogate, which no UTF-8 report could hold.
    assert [o.raw for o in found] == ["https://a.example/caf\ufffd", "https://b.example/ok"]
    for occ in found:
        spanned = data[occ.start : occ.end].decode("utf-8", errors="surrogateescape")
        assert "".join("\ufffd" if "\udc80" <= c <= "\udcff" else c for c in spanned) == occ.raw
    assert found[1].target.url == "https://b.example/ok"


# --- bad input ----------------------------------------------------------------------------------------


def _one_bad_file(tmp_path: Path, name: str) -> tuple[list[Occurrence], list[str]]:
    """Run the bad file between two good ones: the good ones must still be extracted."""
    (tmp_path / "a-good.md").write_text("[a](https://a.example/)\n", encoding="utf-8")
    (tmp_path / "z-good.md").write_text("[z](https://z.example/)\n", encoding="utf-8")
    _, found, errors = run([tmp_path])
    assert [o.raw for o in found if o.file.endswith("good.md")] == [
        "https://a.example/",
        "https://z.example/",
    ]
    return [o for o in found if not o.file.endswith("good.md")], [e for e in errors if name in e]


def test_binary_file(tmp_path: Path) -> None:
    (tmp_path / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    found, errors = _one_bad_file(tmp_path, "image.md")
    assert found == [] and len(errors) == 1 and "binary content at byte 8" in errors[0]


def test_undecodable_file(tmp_path: Path) -> None:
    (tmp_path / "noise.md").write_bytes(bytes(range(128, 256)) * 4)
    found, errors = _one_bad_file(tmp_path, "noise.md")
    assert found == [] and len(errors) == 1 and "not valid text" in errors[0]


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.md").write_bytes(b"")
    assert _one_bad_file(tmp_path, "empty.md") == ([], [])


def test_100_mb_file(tmp_path: Path) -> None:
    with open(tmp_path / "huge.md", "wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: the size is what matters
    found, errors = _one_bad_file(tmp_path, "huge.md")
    assert (
        found == [] and len(errors) == 1 and "file too large" in errors[0] and "--max-file-size" in errors[0]
    )


def test_1_mb_single_line(tmp_path: Path) -> None:
    line = b"https://a.example/" + b"a" * (1024 * 1024) + b" [x](https://b.example/) " + b"z" * 1000
    (tmp_path / "line.md").write_bytes(line + b"\n")
    found, errors = _one_bad_file(tmp_path, "line.md")
    assert errors == []
    assert [(o.kind, len(o.raw), o.column) for o in found] == [
        (LinkKind.BARE, 18 + 1024 * 1024, 1),
        (LinkKind.LINK, len("https://b.example/"), 18 + 1024 * 1024 + 2),
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 10_000 + b"x" + b"]" * 10_000 + b"(https://n.example/)\n",
        b"[" * 10_000 + b"[x](https://n.example/)" + b"]" * 10_000 + b"\n",
        b">" * 10_000 + b" [x](https://n.example/)\n",
        b"".join(b"  " * i + b"- x\n" for i in range(2_000)) + b"\n[x](https://n.example/)\n",
        b"*" * 10_000 + b"[x](https://n.example/)" + b"_" * 10_000 + b"\n",
    ],
    ids=["brackets", "brackets-around-a-link", "block-quotes", "lists", "emphasis"],
)
def test_deep_nesting(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "nested.md").write_bytes(content)
    found, errors = _one_bad_file(tmp_path, "nested.md")
    assert errors == []
    assert [o.raw for o in found] == ["https://n.example/"]


def test_dangling_symlink(tmp_path: Path) -> None:
    (tmp_path / "gone.md").symlink_to(tmp_path / "nowhere.md")
    found, errors = _one_bad_file(tmp_path, "gone.md")
    assert found == [] and len(errors) == 1 and "no such file" in errors[0]


def test_symlink_to_itself(tmp_path: Path) -> None:
    (tmp_path / "self.md").symlink_to("self.md")
    found, errors = _one_bad_file(tmp_path, "self.md")
    assert found == [] and len(errors) == 1 and "cannot read" in errors[0]


def test_fifo_does_not_hang_the_run(tmp_path: Path) -> None:
    """Opening a FIFO with no writer blocked forever before the fix (the alarm makes a hang fail)."""

    def hung(signum: int, frame: object) -> None:
        raise RuntimeError("extracting a FIFO hung")  # not an OSError, which would be reported

    os.mkfifo(tmp_path / "pipe.md")
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    try:
        found, errors = _one_bad_file(tmp_path, "pipe.md")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert found == [] and len(errors) == 1 and "not a regular file" in errors[0]


def test_file_that_vanishes_after_listing(tmp_path: Path) -> None:
    path = tmp_path / "vanishing.md"
    path.write_text("[v](https://v.example/)\n", encoding="utf-8")
    files, _ = collect_inputs([os.fspath(tmp_path)])
    path.unlink()
    result = extract_files(files, jobs=1)
    assert result.occurrences == ()
    assert [(e.file.endswith("vanishing.md"), "no such file" in e.message) for e in result.errors] == [
        (True, True)
    ]


def test_a_folder_named_like_an_article(tmp_path: Path) -> None:
    (tmp_path / "folder.md").mkdir()
    (tmp_path / "folder.md" / "inner.md").write_text("[i](https://i.example/)\n", encoding="utf-8")
    _, found, errors = run([tmp_path])
    assert errors == [] and [o.raw for o in found] == ["https://i.example/"]
