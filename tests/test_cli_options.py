"""Options that make no sense are one clear line and exit 2, before any work: which option, what it must be.

Through the console entry point `main`, in process: what a user sees on stderr, nothing on stdout.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from linkaudit.cli import main

# (arguments after the command, what the one line must say)
CHECK_CASES = [
    (["--timeout", "nan"], "--timeout nan: must be a finite number of seconds > 0"),
    (["--timeout", "inf"], "--timeout inf: must be a finite number of seconds > 0"),
    (["--timeout", "-1"], "--timeout -1: must be a finite number of seconds > 0"),
    (["--timeout", "0"], "--timeout 0: must be a finite number of seconds > 0"),
    (["--max-file-size", "-1"], "--max-file-size -1: must be a number of bytes >= 1"),
    (["-j", "0"], "--jobs 0: must be a whole number >= 1"),
    (["--retries", "-1"], "--retries -1: must be a whole number >= 0"),
    (["--concurrency", "0"], "--concurrency 0: must be a whole number >= 1"),
    (["--max-redirects", "-1"], "--max-redirects -1: must be a whole number >= 0"),
    (["--max-retry-wait", "nan"], "--max-retry-wait nan: must be a finite number of seconds >= 0"),
    (["--max-retry-wait", "-inf"], "--max-retry-wait -inf: must be a finite number of seconds >= 0"),
    (["--host-concurrency", "0"], "--host-concurrency 0: must be N or HOST=N, N a whole number >= 1"),
    (
        ["--host-concurrency", "a.example=nan"],
        "--host-concurrency a.example=nan: must be N or HOST=N, N a whole number >= 1",
    ),
    (["--host-interval", "-1"], "--host-interval -1: must be N or HOST=N, N a finite number of seconds >= 0"),
    (
        ["--host-interval", "a.example=nan"],
        "--host-interval a.example=nan: must be N or HOST=N, N a finite number of seconds >= 0",
    ),
    (
        ["--host-interval", "a.example=inf"],
        "--host-interval a.example=inf: must be N or HOST=N, N a finite number of seconds >= 0",
    ),
    (
        ["--format", "nonsense"],
        "--format 'nonsense': choose one of terminal, json, markdown, html, junit, sarif, github, csv, "
        "pr-comment (see: linkaudit check --help)",
    ),
    (["--retries", "abc"], "--retries: must be a whole number (see: linkaudit check --help)"),
    (["--timeout", "soon"], "--timeout: must be a number (see: linkaudit check --help)"),
    (["--fail-on", "dead,sorta"], "--fail-on 'sorta': not a verdict or file-error (one of live, "),
]
EXTRACT_CASES = [
    (["--max-file-size", "-1"], "--max-file-size -1: must be a number of bytes >= 1"),
    (["--max-file-size", "0"], "--max-file-size 0: must be a number of bytes >= 1"),
    (["--jobs", "0"], "--jobs 0: must be a whole number >= 1"),
    (
        ["-f", "nonsense"],
        "--format 'nonsense': choose one of text, json, jsonl (see: linkaudit extract --help)",
    ),
]


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), captured.out, captured.err


CASES = [(["check", *args], says) for args, says in CHECK_CASES] + [
    (["extract", *args], says) for args, says in EXTRACT_CASES
]


@pytest.mark.parametrize(("argv", "says"), CASES, ids=[" ".join(argv) for argv, _ in CASES])
def test_nonsense_is_one_line_naming_the_option_and_its_range(
    argv: list[str],
    says: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    # A link no check may follow: the usage error must come before any work.
    (tmp_path / "a.md").write_text("[a](http://127.0.0.1:9/x)\n", encoding="utf-8")
    code, out, err = _run([argv[0], "a.md", *argv[1:]], capsys)
    assert code == 2
    assert out == ""
    assert re.fullmatch(r"linkaudit: error: [^\n]+\n", err), err
    assert err.startswith(f"linkaudit: error: {says}"), err
    assert "Value error" not in err and "Input should be" not in err


def test_no_arguments_print_the_help_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """As click (>= 8.2) does for a group called without a command: the help, and a usage-error code."""
    code, out, _ = _run([], capsys)
    assert code == 2
    assert "Usage: linkaudit" in out
    assert "check" in out and "extract" in out


def test_sensible_edges_are_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text("[a](a.md)\n", encoding="utf-8")  # a local link: no network
    args = ["check", "a.md", "--retries", "0", "--max-redirects", "0", "--max-retry-wait", "0"]
    args += ["--host-interval", "0", "--host-concurrency", "a.example=1", "--timeout", "0.5", "-j", "1", "-q"]
    code, _, err = _run(args, capsys)
    assert (code, err) == (0, "")
