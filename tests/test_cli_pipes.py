"""A closed stdout (`linkaudit … | head -1`) ends quietly, with the exit code the run would have had.

Real pipes: one whose reader has gone before linkaudit writes anything (deterministic), and one read for a
line and then closed while linkaudit is still writing, as `head -1` does. Every command, the help and the
version. "Quietly": nothing on stderr but what the run itself says (no traceback, no "Exception ignored").
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "PYTHONIOENCODING": "utf-8"}
NOISE = ("Traceback", "Exception", "BrokenPipe", "Errno", "Aborted")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Articles whose output is far larger than a pipe holds (64 KiB)."""
    root = tmp_path_factory.mktemp("pipes")
    (root / "many.md").write_text(
        "".join(f"[l{i}](https://h{i % 50}.example/page/{i}) https://b.example/{i}\n" for i in range(3000)),
        encoding="utf-8",
    )
    # 2,000 links to files that do not exist: `dead` without any network.
    (root / "dead.md").write_text("".join(f"[m{i}](missing-{i}.md)\n" for i in range(2000)), encoding="utf-8")
    (root / "binary.md").write_bytes(b"\x00\x01binary")
    return root


# (arguments, the exit code of the same run with a reader that reads everything)
CASES = [
    (["extract", "many.md", "-f", "jsonl"], 0),
    (["extract", "many.md", "binary.md"], 0),
    (["check", "dead.md", "-f", "json"], 1),
    (["check", "dead.md", "--fail-on", "unreachable", "-f", "json"], 0),
    (["check", "dead.md", "-f", "json", "-o", "-", "-v"], 1),
    (["check", "dead.md", "binary.md", "--fail-on", "file-error", "-v"], 1),
    (["demo", "-f", "json"], 0),
    (["--help"], 0),
    (["check", "--help"], 0),
    (["--version"], 0),
    ([], 2),
]
IDS = [" ".join(args) or "(no arguments)" for args, _ in CASES]


def _command(args: list[str]) -> list[str]:
    return [sys.executable, "-m", "linkaudit", *args]


def _into_closed_pipe(args: list[str], cwd: Path, *, both: bool = False) -> subprocess.CompletedProcess[str]:
    """Run with stdout (and with `both`, stderr too) a pipe whose reader has gone already."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            _command(args),
            check=False,
            stdout=write,
            stderr=write if both else subprocess.PIPE,
            text=True,
            cwd=cwd,
            env=ENV,
            timeout=120,
        )
    finally:
        os.close(write)


@pytest.mark.parametrize(("args", "code"), CASES, ids=IDS)
def test_a_reader_gone_before_any_output(folder: Path, args: list[str], code: int) -> None:
    done = _into_closed_pipe(args, folder)
    assert done.returncode == code, done.stderr
    assert not any(noise in done.stderr for noise in NOISE), done.stderr


@pytest.mark.parametrize(("args", "code"), CASES, ids=IDS)
def test_head_reads_one_line_and_goes(folder: Path, args: list[str], code: int) -> None:
    with subprocess.Popen(
        _command(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=folder, env=ENV
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()
        stderr = process.stderr.read().decode("utf-8")
        assert process.wait(timeout=120) == code, stderr
    assert first  # something was written before the reader went
    assert not any(noise in stderr for noise in NOISE), stderr


def test_stdout_and_stderr_into_one_closed_pipe(folder: Path) -> None:
    """`linkaudit extract … 2>&1 | head -1`: the notes about unreadable files have no reader either."""
    assert _into_closed_pipe(["extract", "many.md", "binary.md"], folder, both=True).returncode == 0
