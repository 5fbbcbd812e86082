"""Run `linkaudit` with some of issue 12's levers taken out, to measure what each one is worth.

    python benchmarks/ablate.py headtrust,backoff -- check ARTICLES ...   # linkaudit without those two

The check benchmark runs it beside the whole checker (`check_bench.py --tools linkaudit,linkaudit-headtrust`),
on the same web in the same run, so a lever's figure is a difference measured under the same load. The
product has no switch for these: each is put back here as it was before (commit 7ad12d4), by replacing
the piece that holds it, and only in this process.

- `headtrust`: every HEAD 404/410, every non-image HEAD of an image citation is confirmed with GET, and
  HEAD is always asked first (check/headtrust.py learns nothing);
- `backoff`: every 429/503 pauses its host (Retry-After, else exponential) and halves its concurrency,
  one place back per 8 good answers (`HostGate.slow_down`, the older rule);
- `spare`: one worker per place at each host (no spare workers for URLs waiting to be retried);
- `urgent`: no priority at its host for a URL under way (retry, hop, GET after HEAD) over fresh ones;
- `seconds`: the global limit ordered by URLs left instead of seconds of work left;
- `schedule`: the last three together;
- `hedge`: after a timeout, one try after another (no second try beside a retry that is slow to answer).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

LEVERS = ("headtrust", "backoff", "spare", "urgent", "seconds", "schedule", "hedge")


def _without_headtrust() -> None:
    from linkaudit.check.headtrust import HeadTrust  # noqa: PLC0415

    HeadTrust.get_first = lambda self, host: False  # type: ignore[method-assign]
    HeadTrust.status_stands = lambda self, host, status: False  # type: ignore[method-assign]
    HeadTrust.type_stands = lambda self, host: False  # type: ignore[method-assign]


def _without_backoff() -> None:
    from linkaudit.check.gate import HostGate  # noqa: PLC0415

    answered = HostGate.answered

    def heed(self: HostGate, retry_after: float | None, *, sent_at: float, load: int) -> float | None:
        return self.slow_down(retry_after, sent_at=sent_at)  # the gate holds the retry until the pause ends

    def old_answered(self: HostGate, *, load: int | None = None, sent_at: float | None = None) -> None:
        answered(self)

    HostGate.heed = heed  # type: ignore[method-assign]
    HostGate.answered = old_answered  # type: ignore[method-assign]


def _without_spare() -> None:
    from linkaudit import check  # noqa: PLC0415

    check._SPARE_WORKERS = 0


def _without_urgent() -> None:
    from linkaudit.check import gate  # noqa: PLC0415

    gate._URGENT = 0.0


def _without_seconds() -> None:
    from linkaudit.check.gate import HostGate  # noqa: PLC0415

    HostGate.remaining = lambda self: float(self.backlog)  # type: ignore[method-assign]


def _without_hedge() -> None:
    from linkaudit.check import probe  # noqa: PLC0415

    probe._HEDGE_SHARE = float("inf")  # the retry is always back (answered or timed out) before a second


def _without_schedule() -> None:
    _without_spare()
    _without_urgent()
    _without_seconds()


_TAKE_OUT = {
    "headtrust": _without_headtrust,
    "backoff": _without_backoff,
    "spare": _without_spare,
    "urgent": _without_urgent,
    "seconds": _without_seconds,
    "hedge": _without_hedge,
    "schedule": _without_schedule,
}


def without(levers: Sequence[str]) -> None:
    """Take `levers` out of linkaudit in this process."""
    for lever in levers:
        if lever not in LEVERS:
            raise SystemExit(f"unknown lever {lever!r}: {', '.join(LEVERS)}")
        _TAKE_OUT[lever]()


def main(argv: Sequence[str]) -> None:
    if "--" not in argv:
        raise SystemExit("usage: ablate.py LEVER[,LEVER...] -- LINKAUDIT-ARGUMENTS")
    split = list(argv).index("--")
    without([lever for lever in ",".join(argv[:split]).split(",") if lever])
    from linkaudit.cli import main as linkaudit  # noqa: PLC0415

    sys.argv = ["linkaudit", *argv[split + 1 :]]
    linkaudit()


if __name__ == "__main__":
    main(sys.argv[1:])
