"""trio's internals that stopping a check relies on, fenced in this one module (trio 0.35, pinned).

SIGTERM stops a run as Ctrl-C does (`linkaudit.cli.app`): its handler calls whatever handles SIGINT, which
during a check is trio's own: it raises KeyboardInterrupt at once where that is safe, and otherwise hands it
to the main task at its next checkpoint. trio installs that handler only when SIGINT has Python's default
one. A background job of a script (`linkaudit check … &`) starts with SIGINT ignored, so trio installs
none, and a KeyboardInterrupt raised by the SIGTERM handler itself lands wherever the main thread is: most
often in trio's run loop waiting for I/O, which abandons the loop half-way (tasks never finished, and
"RuntimeWarning: Trio guest run got abandoned … weird stuff might happen" on stderr).

`deliver_interrupt` hands the KeyboardInterrupt to the run as trio's handler does when it must not raise,
through the runner's `deliver_ki`; trio has no public call for it (`trio.open_signal_receiver` would take
SIGTERM away from the CLI's handler for the whole run, and a library call cannot do that).

tests/test_trio_compat.py fails by name if a new trio changes any of it.
"""

from __future__ import annotations

import sys

__all__ = ["deliver_interrupt"]


def deliver_interrupt() -> bool:
    """Give the trio run of this thread a KeyboardInterrupt, raised in its main task at the next checkpoint
    (or as the run ends); False when no run is going on (the caller raises it). Safe in a signal handler."""
    trio = sys.modules.get("trio")
    if trio is None or not trio.lowlevel.in_trio_run():  # trio not even imported: no run
        return False
    from trio._core._run import GLOBAL_RUN_CONTEXT  # noqa: PLC0415 - only once a run is on

    deliver = getattr(getattr(GLOBAL_RUN_CONTEXT, "runner", None), "deliver_ki", None)
    if not callable(deliver):
        return False
    deliver()
    return True
