"""Shared by the benchmarks: where the compared tools are, and a CPU timer."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["best_cpu_seconds", "timing_arguments", "tool_path"]


def timing_arguments(doc: str | None) -> argparse.ArgumentParser:
    """A parser for a CPU-timing benchmark: its docstring as help, and `--runs`."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per step; the best is shown")
    return parser


def best_cpu_seconds(runs: int, work: Callable[[], object]) -> float:
    """The least process time `work` took in `runs` runs (the best says the least about other load)."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


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
