"""Progress on stderr through the Observer protocol: the bar, its counters, notes, and a clean stop."""

from __future__ import annotations

import io
import threading

from rich.console import Console

from linkaudit.models import Verdict
from linkaudit.observer import NullObserver, Observer
from linkaudit.report.progress import (
    NoteObserver,
    ProgressObserver,
    RecordingObserver,
    WarningObserver,
    choose_observer,
    close_observer,
)

from .builders import http_result


def terminal_console() -> tuple[Console, io.StringIO]:
    """A console that believes it is a terminal, so the live bar really renders (into a buffer)."""
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=100, color_system=None), buffer


def plain_console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=False, width=100, color_system=None), buffer


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_every_observer_satisfies_the_protocol() -> None:
    console, _ = plain_console()
    observers: list[Observer] = [
        ProgressObserver(console),
        NoteObserver(console),
        RecordingObserver(),
        NullObserver(),
        WarningObserver(console),
    ]
    for observer in observers:
        observer.note("hello")
        observer.warning("careful")
        close_observer(observer)


def test_a_warning_is_one_line_even_when_notes_are_not_shown() -> None:
    for make in (WarningObserver, NoteObserver, ProgressObserver):
        console, buffer = plain_console()
        observer = make(console)
        observer.note("a detail for --verbose")
        observer.warning("no network? every name lookup failed")
        close_observer(observer)
        lines = [line for line in buffer.getvalue().splitlines() if "no network" in line]
        assert lines == ["linkaudit: warning: no network? every name lookup failed"], make
    recorder = RecordingObserver()
    recorder.warning("careful")
    assert (recorder.warnings, recorder.names) == (["careful"], ["warning"])


def test_the_bar_shows_done_of_total_and_is_removed_on_close() -> None:
    console, buffer = terminal_console()
    observer = ProgressObserver(console)
    observer.extracted(3, 10, 4)
    for i in range(3):
        observer.url_done(http_result(f"https://a.example/{i}", Verdict.LIVE, "http-200", status=200))
    observer._progress.refresh()
    assert "3/4" in buffer.getvalue()
    assert "checking" in buffer.getvalue()
    observer.close()
    observer.close()  # idempotent
    observer.url_done(http_result("https://a.example/late", Verdict.LIVE, "http-200", status=200))


def test_hosts_waiting_on_backoff_are_counted_until_their_wait_ends() -> None:
    console, buffer = terminal_console()
    clock = FakeClock()
    with ProgressObserver(console, clock=clock) as observer:
        observer.extracted(1, 1, 10)
        observer.host_backoff("a.example", 5.0)
        observer.host_backoff("b.example", 30.0)
        observer.host_backoff("a.example", 1.0)  # a shorter wait does not cut a longer one short
        assert observer.hosts_waiting() == 2
        observer._progress.refresh()
        assert "2 hosts backing off" in buffer.getvalue()
        clock.now += 10
        assert observer.hosts_waiting() == 1
        clock.now += 30
        assert observer.hosts_waiting() == 0


def test_notes_appear_only_when_verbose() -> None:
    console, buffer = terminal_console()
    with ProgressObserver(console, verbose=True) as observer:
        observer.extracted(2, 5, 3)
        observer.note("resolving 3 hosts")
        observer.host_dead("gone.example", "dns-not-found")
        observer.host_backoff("busy.example", 2.0)
    text = buffer.getvalue()
    assert "resolving 3 hosts" in text
    assert "gone.example is unreachable (dns-not-found)" in text
    assert "busy.example asked us to slow down: waiting 2.0 s" in text
    assert "2 files, 5 links, 3 distinct URLs to check" in text

    console, buffer = terminal_console()
    with ProgressObserver(console, verbose=False) as observer:
        observer.note("resolving 3 hosts")
    assert "resolving" not in buffer.getvalue()


def test_closing_an_unstarted_bar_draws_nothing() -> None:
    console, buffer = terminal_console()
    ProgressObserver(console).close()
    assert buffer.getvalue() == ""


def test_events_from_many_threads_are_all_counted() -> None:
    console, _ = terminal_console()
    observer = ProgressObserver(console)
    observer.extracted(1, 1, 4000)
    result = http_result("https://a.example/", Verdict.LIVE, "http-200", status=200)

    def work(n: int) -> None:
        for i in range(1000):
            observer.url_done(result)
            if i % 100 == 0:
                observer.host_backoff(f"h{n}.example", 0.5)
                observer.hosts_waiting()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    task = observer._progress.tasks[0]
    assert task.completed == 4000
    observer.close()


def test_note_observer_prints_plain_lines() -> None:
    console, buffer = plain_console()
    observer = NoteObserver(console)
    observer.extracted(1, 2, 2)
    observer.url_done(http_result("https://a.example/", Verdict.DEAD, "http-404", status=404))
    observer.host_dead("gone.example", "dns-not-found")
    observer.note("done")
    assert buffer.getvalue().splitlines() == [
        "1 file, 2 links, 2 distinct URLs to check",
        "gone.example is unreachable (dns-not-found): its remaining URLs are not requested",
        "done",
    ]


def test_choose_observer_follows_quiet_terminal_and_verbose() -> None:
    terminal, _ = terminal_console()
    plain, _ = plain_console()
    assert isinstance(choose_observer(terminal, quiet=True, verbose=True), WarningObserver)
    bar = choose_observer(terminal, quiet=False, verbose=False)
    assert isinstance(bar, ProgressObserver)
    close_observer(bar)
    assert isinstance(choose_observer(plain, quiet=False, verbose=True), NoteObserver)
    assert isinstance(choose_observer(plain, quiet=False, verbose=False), WarningObserver)


def test_recording_observer_keeps_events_in_order() -> None:
    recorder = RecordingObserver()
    result = http_result("https://a.example/", Verdict.LIVE, "http-200", status=200)
    recorder.extracted(1, 2, 3)
    recorder.host_backoff("a.example", 1.5)
    recorder.url_done(result)
    recorder.host_dead("b.example", "dns-not-found")
    recorder.note("hi")
    recorder.close()
    assert recorder.names == ["extracted", "host_backoff", "url_done", "host_dead", "note"]
    assert recorder.extracted_counts == (1, 2, 3)
    assert recorder.results == [result]
    assert recorder.backoffs == [("a.example", 1.5)]
    assert recorder.dead_hosts == [("b.example", "dns-not-found")]
    assert recorder.notes == ["hi"]
    assert recorder.closed
