"""trio's internals that `linkaudit._trio_compat` relies on (trio is pinned): if a version bump moves or
reshapes them, these fail by name, not as a warning on the terminal when a background job is stopped."""

from __future__ import annotations

import signal
import time

import pytest
import trio
from trio._core import _run

from linkaudit._trio_compat import deliver_interrupt


def test_the_trio_internals_we_use_are_there() -> None:
    assert callable(trio.lowlevel.in_trio_run)
    assert hasattr(_run, "GLOBAL_RUN_CONTEXT")
    assert callable(getattr(_run.Runner, "deliver_ki", None))


def test_outside_a_run_there_is_nothing_to_deliver_to() -> None:
    assert deliver_interrupt() is False


def test_the_interrupt_reaches_the_main_task_at_its_next_checkpoint() -> None:
    reached: list[str] = []

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(trio.sleep_forever)
            assert deliver_interrupt() is True
            reached.append("delivered")  # not raised here, in the middle of our own code
            await trio.sleep(5)
            reached.append("slept")

    started = time.monotonic()
    with pytest.raises(BaseExceptionGroup) as caught:
        trio.run(main, strict_exception_groups=True)
    assert caught.value.subgroup(KeyboardInterrupt) is not None
    assert reached == ["delivered"]
    assert time.monotonic() - started < 2


def test_with_sigint_ignored_trio_installs_no_handler_of_its_own() -> None:
    """The case `deliver_interrupt` is for: trio leaves an ignored SIGINT alone."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        seen: list[object] = []

        async def main() -> None:
            seen.append(signal.getsignal(signal.SIGINT))

        trio.run(main)
        assert seen == [signal.SIG_IGN]
    finally:
        signal.signal(signal.SIGINT, previous)
