"""Running `python -m linkaudit` as a user would, for the end-to-end CLI tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_linkaudit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A real process, no colour, a fixed width, UTF-8 output; its exit code is for the test to judge."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "linkaudit", *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )
