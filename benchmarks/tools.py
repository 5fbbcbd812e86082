"""Where the compared tools are: shared by the benchmarks that run `linkaudit` and lychee."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

__all__ = ["tool_path"]


def tool_path(name: str) -> str:
    """The command `name` beside this Python (the venv's), else on PATH; a clear exit if neither."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(
            f"{name} not found: install the project with its bench extra (pip install -e '.[bench]')"
        )
    return found
