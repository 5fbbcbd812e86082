"""Review finding (issue 10): "exit codes listed in --help" holds for `linkaudit --help` and `check --help`
only; `extract --help` and `demo --help` say nothing of theirs (extract: 0 or 2; demo: 0, or 1 on a wrong
verdict)."""

from __future__ import annotations

from pathlib import Path

from clirun import run_linkaudit


def test_every_command_lists_its_exit_codes_in_help(tmp_path: Path) -> None:
    for command in ("extract", "demo", "report", "diff", "merge", "lint", "store prune"):
        done = run_linkaudit(*command.split(), "--help", cwd=tmp_path)
        text = " ".join(done.stdout.replace("│", " ").split())
        assert "Exit codes:" in text, command
