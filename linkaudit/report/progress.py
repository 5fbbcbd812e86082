"""Progress while a check runs, through the core's `Observer` protocol (the core itself never prints).

`ProgressObserver` draws a rich progress bar (done/total, URLs per second, time left, hosts currently
waiting on a backoff) on the console it is given, which the CLI points at stderr, so that
`linkaudit check --format json | jq` stays clean. The CLI installs it only when stderr is a terminal;
`choose_observer` encodes that rule together with `--quiet` and `--verbose`.

Observer methods are called from the trio thread while rich redraws from its own refresh thread: every
method only updates counters under a lock, and the drawing reads them under the same lock.
`RecordingObserver` keeps every event, for tests of the engine and of the CLI.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from linkaudit.models import UrlResult
from linkaudit.observer import NullObserver, Observer

__all__ = [
    "NoteObserver",
    "ProgressObserver",
    "RecordingObserver",
    "WarningObserver",
    "choose_observer",
    "close_observer",
]


def _extracted_note(files: int, links: int, urls: int) -> str:
    def count(number: int, noun: str) -> str:
        return f"{number:,} {noun}" + ("" if number == 1 else "s")

    return f"{count(files, 'file')}, {count(links, 'link')}, {count(urls, 'distinct URL')} to check"


def _warning_text(message: str) -> Text:
    return Text(f"linkaudit: warning: {message}", style="yellow")


class _RateColumn(ProgressColumn):
    """URLs per second, from rich's moving estimate."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} URL/s", style="progress.data.speed")


class _BackoffColumn(ProgressColumn):
    """How many hosts asked us to slow down and are still waiting; empty when none."""

    def __init__(self, waiting: Callable[[], int]) -> None:
        super().__init__()
        self.waiting = waiting

    def render(self, task: Task) -> Text:
        count = self.waiting()
        if not count:
            return Text("")
        return Text(f"{count:,} host{'' if count == 1 else 's'} backing off", style="yellow")


class _BackoffClock:
    """Until when each host waits. Expired entries are dropped when counted."""

    def __init__(self, now: Callable[[], float]) -> None:
        self.now = now
        self.until: dict[str, float] = {}

    def add(self, host: str, seconds: float) -> None:
        until = self.now() + max(seconds, 0.0)
        self.until[host] = max(until, self.until.get(host, 0.0))

    def waiting(self) -> int:
        now = self.now()
        expired = [host for host, until in self.until.items() if until <= now]
        for host in expired:
            del self.until[host]
        return len(self.until)


class ProgressObserver:
    """A progress bar for one run. Start is lazy (first event); `close()` removes the bar and is idempotent.

    Lock order, to stay deadlock-free with rich's refresh thread: `_lifecycle` (start/stop, taken only by
    the observer's callers) may be held while calling into rich; `_backoff_lock` is a leaf, held only
    around the backoff table, because the refresh thread takes it while rich holds its own lock.
    """

    def __init__(
        self,
        console: Console,
        *,
        verbose: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.console = console
        self.verbose = verbose
        self._lifecycle = threading.Lock()
        self._backoff_lock = threading.Lock()
        self._backoff = _BackoffClock(clock)
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _RateColumn(),
            TimeRemainingColumn(),
            _BackoffColumn(self.hosts_waiting),
            console=console,
            transient=True,
            # Never capture stdout into the bar's console: stdout may be carrying a JSON report.
            redirect_stdout=False,
            speed_estimate_period=10.0,
        )
        self._task: TaskID | None = None
        self._closed = False

    def hosts_waiting(self) -> int:
        """Hosts still inside a backoff a server asked for."""
        with self._backoff_lock:
            return self._backoff.waiting()

    def _started(self) -> TaskID | None:
        """The task, starting the bar on first use; None after close (late events are ignored)."""
        with self._lifecycle:
            if self._closed:
                return None
            if self._task is None:
                self._progress.start()
                self._task = self._progress.add_task("extracting", total=None)
            return self._task

    def extracted(self, files: int, links: int, urls: int) -> None:
        task = self._started()
        if task is None:
            return
        self._progress.update(task, description="checking", total=urls)
        if self.verbose:
            self._print(_extracted_note(files, links, urls))

    def url_done(self, result: UrlResult) -> None:
        task = self._started()
        if task is not None:
            self._progress.advance(task)

    def host_backoff(self, host: str, seconds: float) -> None:
        with self._backoff_lock:
            self._backoff.add(host, seconds)
        if self._started() is not None and self.verbose:
            self._print(f"{host} asked us to slow down: waiting {seconds:.1f} s")

    def host_dead(self, host: str, reason: str) -> None:
        if self._started() is not None and self.verbose:
            self._print(f"{host} is unreachable ({reason}): its remaining URLs are not requested")

    def note(self, message: str) -> None:
        if self._started() is not None and self.verbose:
            self._print(message)

    def warning(self, message: str) -> None:
        # Shown without --verbose too; through the live display, so it stays above the bar.
        self._progress.console.print(_warning_text(message), highlight=False, soft_wrap=True)

    def _print(self, message: str) -> None:
        # Printed through the live display, so the line appears above the bar instead of tearing it.
        self._progress.console.print(Text(message, style="dim"), highlight=False, soft_wrap=True)

    def close(self) -> None:
        with self._lifecycle:
            if self._closed:
                return
            self._closed = True
            if self._task is not None:
                self._progress.stop()

    def __enter__(self) -> ProgressObserver:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class NoteObserver:
    """`--verbose` when stderr is not a terminal: the notes as plain lines, no bar."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._lock = threading.Lock()

    def _print(self, message: str) -> None:
        with self._lock:
            self.console.print(Text(message), highlight=False, soft_wrap=True)

    def extracted(self, files: int, links: int, urls: int) -> None:
        self._print(_extracted_note(files, links, urls))

    def url_done(self, result: UrlResult) -> None:
        pass

    def host_backoff(self, host: str, seconds: float) -> None:
        self._print(f"{host} asked us to slow down: waiting {seconds:.1f} s")

    def host_dead(self, host: str, reason: str) -> None:
        self._print(f"{host} is unreachable ({reason}): its remaining URLs are not requested")

    def note(self, message: str) -> None:
        self._print(message)

    def warning(self, message: str) -> None:
        with self._lock:
            self.console.print(_warning_text(message), highlight=False, soft_wrap=True)

    def close(self) -> None:
        pass


class WarningObserver(NullObserver):
    """Only the warnings, one line each: with `--quiet`, or when stderr is not a terminal and no `--verbose`.

    A warning says the run's results are in doubt (no network?) and explains its exit code, so it is
    shown even when nothing else is.
    """

    def __init__(self, console: Console) -> None:
        self.console = console

    def warning(self, message: str) -> None:
        self.console.print(_warning_text(message), highlight=False, soft_wrap=True)


def choose_observer(console: Console, *, quiet: bool, verbose: bool) -> Observer:
    """The observer the CLI installs: only warnings if `--quiet`, the bar on a terminal, else notes if
    `--verbose`, else only warnings.

    Not every choice has `close()`; call `close_observer` to stop whichever was chosen.
    """
    if quiet:
        return WarningObserver(console)
    if console.is_terminal:
        return ProgressObserver(console, verbose=verbose)
    if verbose:
        return NoteObserver(console)
    return WarningObserver(console)


def close_observer(observer: Observer) -> None:
    """Stop the bar (if any) cleanly; safe on every observer, including ones without `close()`."""
    close = getattr(observer, "close", None)
    if callable(close):
        close()


@dataclass(slots=True)
class RecordingObserver:
    """Records every event in order, thread-safely. For tests of anything that reports to an Observer."""

    events: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)
    results: list[UrlResult] = field(default_factory=list)
    backoffs: list[tuple[str, float]] = field(default_factory=list)
    dead_hosts: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    extracted_counts: tuple[int, int, int] | None = None
    closed: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def extracted(self, files: int, links: int, urls: int) -> None:
        with self._lock:
            self.extracted_counts = (files, links, urls)
            self.events.append(("extracted", (files, links, urls)))

    def url_done(self, result: UrlResult) -> None:
        with self._lock:
            self.results.append(result)
            self.events.append(("url_done", (result,)))

    def host_backoff(self, host: str, seconds: float) -> None:
        with self._lock:
            self.backoffs.append((host, seconds))
            self.events.append(("host_backoff", (host, seconds)))

    def host_dead(self, host: str, reason: str) -> None:
        with self._lock:
            self.dead_hosts.append((host, reason))
            self.events.append(("host_dead", (host, reason)))

    def note(self, message: str) -> None:
        with self._lock:
            self.notes.append(message)
            self.events.append(("note", (message,)))

    def warning(self, message: str) -> None:
        with self._lock:
            self.warnings.append(message)
            self.events.append(("warning", (message,)))

    def close(self) -> None:
        with self._lock:
            self.closed = True

    @property
    def names(self) -> list[str]:
        """The event names in order, e.g. `["extracted", "url_done", …]`."""
        with self._lock:
            return [name for name, _ in self.events]
