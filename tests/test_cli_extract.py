"""`linkaudit extract` as users and scripts see it: the output shapes of the issue's contract
(`linkaudit.extract/1`), exit codes, and one clear stderr line per problem.

Most runs go through `typer.testing.CliRunner` (in process, stdout and stderr apart); two go through
a real `python -m linkaudit` subprocess, to prove the module entry point and that no traceback ever
reaches the user.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import typer.main
from clirun import run_linkaudit
from contracts import parse_extract, parse_extract_lines
from typer.testing import CliRunner, Result

from linkaudit import __version__
from linkaudit.cli import app, main

ARTICLE = (
    "# 新闻\r\n\r\n"
    '据[今日美国](https://www.usatoday.example/story/1 "USA Today")消息称，'
    "图片来源https://img.example/a.png，见[上一篇](../index.md#top)与[坏链](hhttps://x.example/)。\r\n"
    "![](ipfs://QmNY54D3JjvrEV4HY1WbWW8tn9Z9tM5bXEgzQsaYRuMrFR)\r\n"
)
IPFS = "ipfs://QmNY54D3JjvrEV4HY1WbWW8tn9Z9tM5bXEgzQsaYRuMrFR"
LINK_KEYS = {"url", "raw", "kind", "text", "file", "line", "column", "start", "end", "template", "status"}
OPTIONAL_LINK_KEYS = {"reason", "detail", "title", "fragment"}


def invoke(args: list[str], stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, args, input=stdin)


@pytest.fixture
def articles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with one article, one binary file and one empty file; the current folder is its parent."""
    folder = tmp_path / "articles" / "gnews"
    folder.mkdir(parents=True)
    (folder / "a.md").write_bytes(ARTICLE.encode("utf-8"))
    (folder / "broken.md").write_bytes(b"\x00\x01binary")
    (folder / "empty.md").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    return folder


def test_version() -> None:
    result = invoke(["--version"])
    assert (result.exit_code, result.stdout) == (0, f"linkaudit {__version__}\n")


@pytest.mark.parametrize("command", [None, *typer.main.get_command(app).commands])  # type: ignore[attr-defined]
def test_help_on_every_command(command: str | None) -> None:
    for flag in ("--help", "-h"):
        result = invoke([flag] if command is None else [command, flag])
        assert result.exit_code == 0, result.stderr
        assert "Usage: linkaudit" in result.stdout


def test_text_format(articles: Path) -> None:
    result = invoke(["extract", "articles"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines == [
        'articles/gnews/a.md:3:2  link  https://www.usatoday.example/story/1  "今日美国"',
        'articles/gnews/a.md:3:66  bare  https://img.example/a.png  ""',
        f'articles/gnews/a.md:3:93  link  {(articles.parent / "index.md").as_uri()}  "上一篇"',
        'articles/gnews/a.md:3:116  link  hhttps://x.example/  "坏链"  '
        "[invalid: misspelt-scheme: misspelt scheme 'hhttps']",
        f'articles/gnews/a.md:4:1  image  {IPFS}  ""  [skipped: unchecked-scheme: scheme ipfs:]',
    ]
    assert result.stderr == "linkaudit: articles/gnews/broken.md: not valid text (binary content at byte 0)\n"


def _check_link_shape(link: dict[str, Any]) -> None:
    assert LINK_KEYS <= set(link) <= LINK_KEYS | OPTIONAL_LINK_KEYS, set(link)
    assert link["kind"] in {
        "link",
        "image",
        "autolink",
        "bare",
        "reference",
        "html-link",
        "html-image",
        "text-url",
    }
    assert link["status"] in {"ok", "skipped", "invalid"}
    assert ("reason" in link) == (link["status"] != "ok")
    assert all(isinstance(link[k], int) for k in ("line", "column", "start", "end"))
    assert isinstance(link["template"], bool)


def test_json_format_is_the_contract(articles: Path) -> None:
    result = invoke(["extract", "articles", "--format", "json"])
    assert result.exit_code == 0
    report = parse_extract(result.stdout)
    assert list(report) == ["schema", "files", "links", "errors", "warnings"]  # "warnings": issue 9
    assert report["schema"] == "linkaudit.extract/1"
    assert report["files"] == 3
    assert report["errors"] == [
        {"file": "articles/gnews/broken.md", "message": "not valid text (binary content at byte 0)"}
    ]
    assert report["warnings"] == []
    for link in report["links"]:
        _check_link_shape(link)
    first = report["links"][0]
    assert first == {
        "url": "https://www.usatoday.example/story/1",
        "raw": "https://www.usatoday.example/story/1",
        "kind": "link",
        "text": "今日美国",
        "file": "articles/gnews/a.md",
        "line": 3,
        "column": 2,
        "start": ARTICLE.encode("utf-8").index(b"https://www.usatoday"),
        "end": ARTICLE.encode("utf-8").index(b"https://www.usatoday")
        + len("https://www.usatoday.example/story/1"),
        "template": False,
        "status": "ok",
        "title": "USA Today",
    }
    data = (articles / "a.md").read_bytes()
    for link in report["links"]:
        assert data[link["start"] : link["end"]].decode("utf-8") == link["raw"]
    by_raw = {link["raw"]: link for link in report["links"]}
    assert by_raw["../index.md#top"]["fragment"] == "top"
    assert by_raw["../index.md#top"]["url"] == (articles.parent / "index.md").as_uri()
    assert by_raw["hhttps://x.example/"]["url"] == "hhttps://x.example/"
    assert by_raw["hhttps://x.example/"]["reason"] == "misspelt-scheme"
    assert by_raw["hhttps://x.example/"]["detail"] == "misspelt scheme 'hhttps'"


def test_jsonl_format_is_one_link_per_line(articles: Path) -> None:
    as_json = parse_extract(invoke(["extract", "articles", "-f", "json"]).stdout)
    result = invoke(["extract", "articles", "-f", "jsonl"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert parse_extract_lines(result.stdout) == as_json["links"]
    assert len(lines) == 5


def test_standard_input() -> None:
    result = invoke(["extract", "-", "-f", "jsonl"], stdin="见 https://a.example/x\n")
    assert result.exit_code == 0
    assert [(link["file"], link["kind"], link["raw"]) for link in parse_extract_lines(result.stdout)] == [
        ("-", "bare", "https://a.example/x")
    ]


def test_file_paths_are_relative_to_the_current_folder(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(articles)
    result = invoke(["extract", str(articles / "a.md"), "-f", "jsonl"])
    assert {line["file"] for line in parse_extract_lines(result.stdout)} == {"a.md"}


def test_options(articles: Path) -> None:
    result = invoke(["extract", "articles", "--exclude-path", "a\\.md$", "--extensions", "md", "-f", "json"])
    assert parse_extract(result.stdout)["files"] == 2
    (articles / "b.md").write_text("[root](/README.md)\n", encoding="utf-8")
    result = invoke(["extract", str(articles / "b.md"), "--root", str(articles.parent), "-f", "jsonl"])
    assert parse_extract_lines(result.stdout)[0]["url"] == (articles.parent / "README.md").as_uri()
    result = invoke(["extract", "articles", "--max-file-size", "10", "-f", "json"])
    assert [e["file"] for e in parse_extract(result.stdout)["errors"]] == [
        "articles/gnews/a.md",
        "articles/gnews/b.md",
        "articles/gnews/broken.md",
    ]


def test_missing_path_is_a_usage_error(articles: Path) -> None:
    result = invoke(["extract", "articles", "nothing-here.md"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "linkaudit: error: no such file or folder: nothing-here.md\n"


@pytest.mark.parametrize(
    "args",
    [["extract", "articles", "--exclude-path", "("], ["extract", "articles/*.nothing"]],
    ids=["bad-regex", "empty-glob"],
)
def test_other_usage_errors_are_one_line(articles: Path, args: list[str]) -> None:
    result = invoke(args)
    assert result.exit_code == 2
    assert re.fullmatch(r"linkaudit: error: [^\n]+\n", result.stderr), result.stderr


@pytest.mark.parametrize(
    "args",
    [["extract", "articles", "--format", "xml"], ["extract", "articles", "--bogus"], ["extract"]],
    ids=["bad-format", "unknown-option", "no-path"],
)
def test_bad_options_are_one_line(
    articles: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the console entry point `main`, which turns typer's usage panels into one line."""
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert re.fullmatch(r"linkaudit: error: [^\n]+\n", captured.err), captured.err


def test_main_takes_argv(articles: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["extract", "articles/gnews/a.md", "-f", "jsonl"])
    assert exit_info.value.code in (0, None)
    assert len(capsys.readouterr().out.splitlines()) == 5


def test_python_dash_m(articles: Path) -> None:
    done = run_linkaudit("--version", cwd=articles)
    assert (done.returncode, done.stdout) == (0, f"linkaudit {__version__}\n")


def test_no_traceback_on_bad_input(articles: Path) -> None:
    (articles / "deep.md").write_bytes(b"[" * 10_000 + b"x" + b"]" * 10_000 + b"(https://n.example/)\n")
    (articles / "gone.md").symlink_to(articles / "nowhere.md")
    os.mkfifo(articles / "pipe.md")
    done = run_linkaudit("extract", "articles", "-f", "jsonl", cwd=articles.parent.parent)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(done.stderr.splitlines()) == [
        "linkaudit: articles/gnews/broken.md: not valid text (binary content at byte 0)",
        "linkaudit: articles/gnews/gone.md: no such file (vanished or a broken symlink)",
        "linkaudit: articles/gnews/pipe.md: not a regular file",
    ]
    assert "https://n.example/" in done.stdout
