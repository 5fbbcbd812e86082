"""README.md shows the real `--help` and the test command CI runs; these tests keep them in step."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = (
    "",
    "extract",
    "check",
    "demo",
    "report",
    "history",
    "fix",
    "diff",
    "merge",
    "lint",
    "store prune",
)


def render_help() -> str:
    """The help section as README.md should hold it (fixed width, no colour)."""
    env = {**os.environ, "COLUMNS": "100", "TERMINAL_WIDTH": "100", "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("FORCE_COLOR", None)
    parts = []
    for command in COMMANDS:
        args = [sys.executable, "-m", "linkaudit", *command.split(), "--help"]
        out = subprocess.run(args, capture_output=True, text=True, env=env, check=True).stdout
        title = f"linkaudit {command}".strip()
        lines = "\n".join(line.rstrip() for line in out.strip("\n").splitlines())
        parts.append(f"### `{title} --help`\n\n```text\n{lines}\n```\n")
    return "\n".join(parts)


def test_readme_shows_the_real_help() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- help:start -->\n(.*)<!-- help:end -->", readme, re.S)
    assert match is not None
    assert match.group(1).strip() == render_help().strip(), "run: python tests/test_readme.py --write"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = re.search(r"^(python3 -m venv \.venv .*pytest.*)$", readme, re.M)
    assert command is not None
    assert command.group(1).replace("python3", "$PY") in ci


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    new = re.sub(
        r"(<!-- help:start -->\n).*(<!-- help:end -->)",
        lambda m: m.group(1) + render_help() + m.group(2),
        text,
        flags=re.S,
    )
    path.write_text(new, encoding="utf-8")
