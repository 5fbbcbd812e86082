"""Peak memory of a process tree, read from /proc: shared by the benchmarks that compare whole tools.

A tool may fork workers (linkaudit's extraction pool), so its memory is the sum over the process and
its descendants, sampled while it runs.
"""

from __future__ import annotations

import os
import threading

__all__ = ["PeakSampler", "pss", "rss", "tree"]

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                kids.extend(int(k) for k in handle.read().split())
    except OSError:
        pass
    return kids


def tree(pid: int) -> list[int]:
    """`pid` and its descendants, breadth first."""
    pids = [pid]
    i = 0
    while i < len(pids):
        pids.extend(_children(pids[i]))
        i += 1
    return pids


def rss(pid: int) -> int:
    """Resident set size of one process in bytes (0 once it is gone): cheap, no page-table walk."""
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def pss(pid: int) -> int:
    """Proportional set size (shared pages split between their users) of one process, in bytes."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class PeakSampler(threading.Thread):
    """Peak summed RSS (every 20 ms) and PSS (every `pss_every` ticks: reading it walks page tables, which
    slows the measured processes down) of a process tree; `include_root=False` leaves out `pid` itself
    (a runner that only waits for the tool)."""

    def __init__(self, pid: int, *, include_root: bool = True, pss_every: int = 1) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.include_root = include_root
        self.pss_every = max(1, pss_every)
        self.done = threading.Event()
        self.peak_rss = 0
        self.peak_pss = 0

    def run(self) -> None:
        tick = 0
        while not self.done.is_set():
            pids = tree(self.pid)[0 if self.include_root else 1 :]
            self.peak_rss = max(self.peak_rss, sum(rss(pid) for pid in pids))
            if tick % self.pss_every == 0:
                self.peak_pss = max(self.peak_pss, sum(pss(pid) for pid in pids))
            tick += 1
            self.done.wait(0.02)
