"""Never lose the work: Ctrl-C and SIGTERM keep a partial report, the destination is checked before any
probing, a fallback file when writing still fails, and what killed runs leave behind cleaned up.

Real processes (`python -m linkaudit`) in a session of their own, so that every process they start (the
extraction pool's fork server, its workers, the resource tracker) can be found by process group and must
be gone once linkaudit has exited. Servers are on loopback (`SimWeb`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import resolve_args, run_linkaudit
from contracts import parse_report
from test_cli_check import write

from linkaudit.demo.simweb import Reply, SimWeb

ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "PYTHONIOENCODING": "utf-8"}


# A background job of a script (`linkaudit check … &`) starts with SIGINT ignored, and exec keeps it so.
_SIGINT_IGNORED = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "os.execv(sys.executable, [sys.executable, '-m', 'linkaudit', *sys.argv[1:]])"
)


def start(args: list[str], cwd: Path, *, sigint_ignored: bool = False) -> subprocess.Popen[str]:
    launcher = ["-c", _SIGINT_IGNORED] if sigint_ignored else ["-m", "linkaudit"]
    return subprocess.Popen(
        [sys.executable, *launcher, *args],
        cwd=cwd,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: every process it starts can be found
    )


def group_members(group: int) -> list[str]:
    """Live (not zombie) processes of a process group: their command lines."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            command = (
                Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            )
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(command)
    return found


def wait_until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.05)
    return False


def stop(process: subprocess.Popen[str], signum: int) -> tuple[str, str, float]:
    """Send `signum`; stdout, stderr and the seconds until the process had exited."""
    sent = time.monotonic()
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=10)
    return stdout, stderr, time.monotonic() - sent


def assert_no_process_survives(group: int) -> None:
    # The fork server and resource tracker notice their parent is gone and end within moments.
    wait_until(lambda: not group_members(group), 3.0)
    assert group_members(group) == []


@pytest.fixture
def slow_web() -> Iterator[SimWeb]:
    with SimWeb() as web:
        fast = web.host("fast.example")
        slow = web.host("slow.example", latency=30)
        for n in range(20):
            fast.route(f"/p{n}", Reply.html("ok"))
            slow.route(f"/p{n}", Reply.html("eventually"))
        yield web


def _slow_article(folder: Path) -> None:
    lines = [f"[f{n}](http://fast.example/p{n}) [s{n}](http://slow.example/p{n})" for n in range(20)]
    write(folder, "a.md", "\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("signum", "code", "sigint_ignored"),
    [(signal.SIGTERM, 143, False), (signal.SIGINT, 130, False), (signal.SIGTERM, 143, True)],
    ids=["TERM", "INT", "TERM-background-job"],
)
def test_a_stopped_check_keeps_a_partial_report_with_the_pending_urls(
    tmp_path: Path, slow_web: SimWeb, signum: int, code: int, sigint_ignored: bool
) -> None:
    _slow_article(tmp_path)
    args = ["check", ".", *resolve_args(slow_web), "-f", "json", "-o", "out.json"]
    process = start(args, tmp_path, sigint_ignored=sigint_ignored)
    assert wait_until(lambda: slow_web.stats("fast.example").requests >= 20, 30)
    time.sleep(0.5)
    stdout, stderr, took = stop(process, signum)
    assert process.returncode == code, stderr
    assert took < 2.0
    # Only linkaudit's own lines: no traceback, no warning of trio's about a run loop left half-way.
    assert [line for line in stderr.splitlines() if not line.startswith("linkaudit: ")] == [], stderr
    assert "linkaudit: interrupted: 20 of 40 URLs checked; the report is partial" in stderr
    report = parse_report((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert report["partial"] is True
    assert {entry["url"] for entry in report["urls"]} == {f"http://fast.example/p{n}" for n in range(20)}
    assert report["pending"] == sorted(f"http://slow.example/p{n}" for n in range(20))
    # The summary line (the report went to a file) says how far the run got, never "No links found".
    assert "interrupted: 20 of 40 URLs checked; report written to out.json" in stderr
    assert stdout == ""
    assert_no_process_survives(process.pid)


def test_ctrl_c_before_any_verdict_says_how_far_it_got(tmp_path: Path, slow_web: SimWeb) -> None:
    write(tmp_path, "a.md", "".join(f"[s{n}](http://slow.example/p{n})\n" for n in range(5)))
    process = start(["check", ".", *resolve_args(slow_web)], tmp_path)
    assert wait_until(lambda: slow_web.stats("slow.example").requests >= 1, 30)
    stdout, stderr, _ = stop(process, signal.SIGINT)
    assert process.returncode == 130, stderr
    assert "interrupted: 0 of 5 URLs checked" in stdout
    assert "No links found" not in stdout


def _big_archive(folder: Path) -> None:
    """~12 MB of articles: extraction runs on the process pool and takes several seconds."""
    folder.mkdir()
    for f in range(120):
        lines = [
            f"Text {i} [l{i}](https://h{i % 97}.example/{f}/{i}) and https://b.example/{f}/{i} more."
            for i in range(1000)
        ]
        (folder / f"a{f}.md").write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize("command", ["check", "extract"])
def test_sigterm_during_extraction_ends_every_process_it_started(tmp_path: Path, command: str) -> None:
    _big_archive(tmp_path / "archive")
    (tmp_path / "out.json").write_text('{"earlier": "report"}\n', encoding="utf-8")
    args = [command, "archive", "-j", "2"]
    args += (
        ["--resolve", "*:nxdomain", "-f", "json", "-o", "out.json"] if command == "check" else ["-f", "jsonl"]
    )
    process = start(args, tmp_path)
    # The pool is up: linkaudit, the resource tracker, the fork server and a worker.
    assert wait_until(lambda: len(group_members(process.pid)) >= 4, 30), group_members(process.pid)
    assert any("forkserver" in command for command in group_members(process.pid))
    _, stderr, took = stop(process, signal.SIGTERM)
    assert process.returncode == 143, stderr
    assert took < 2.0
    assert "Traceback" not in stderr and "Exception" not in stderr, stderr
    assert_no_process_survives(process.pid)
    if command == "check":
        assert "interrupted while extracting links: nothing checked, no report written" in stderr
        # Nothing was checked: the report an earlier run left is kept.
        assert (tmp_path / "out.json").read_text(encoding="utf-8") == '{"earlier": "report"}\n'


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        ("no/such/folder/out.json", "no such folder: no/such/folder"),
        ("folder", "it is a folder"),
        ("/sys/linkaudit-report.json", "Permission denied"),  # read-only, even for root
        ("a.md/out.json", "not a folder: a.md"),
    ],
)
def test_an_unwritable_destination_is_refused_before_any_probing(
    tmp_path: Path, slow_web: SimWeb, output: str, reason: str
) -> None:
    (tmp_path / "folder").mkdir()
    write(tmp_path, "a.md", "[f](http://fast.example/p1)\n")
    done = run_linkaudit("check", "a.md", *resolve_args(slow_web), "-f", "json", "-o", output, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == f"linkaudit: error: cannot write report to {output}: {reason}\n"
    assert done.stdout == ""
    assert slow_web.stats("fast.example").requests == 0


def test_a_report_that_cannot_be_written_at_the_end_goes_to_the_temporary_folder(
    tmp_path: Path, slow_web: SimWeb
) -> None:
    (tmp_path / "reports").mkdir()
    write(tmp_path, "a.md", "[f](http://fast.example/p1) [s](http://late.example/p1)\n")
    slow_web.host("late.example", latency=1.0).route("/p1", Reply.html("late"))
    process = start(
        ["check", "a.md", *resolve_args(slow_web), "-f", "json", "-o", "reports/out.json"], tmp_path
    )
    assert wait_until(lambda: slow_web.stats("late.example").requests >= 1, 30)
    (tmp_path / "reports").rename(tmp_path / "moved")  # the folder goes away while the check runs
    stdout, stderr = process.communicate(timeout=30)
    assert stdout == ""  # the report went to a file
    assert process.returncode == 2, stderr
    prefix = "linkaudit: error: cannot write report to reports/out.json: No such file or directory; it is in "
    assert stderr.startswith(prefix), stderr
    said = stderr.splitlines()
    saved = Path(said[0][len(prefix) :])
    try:
        report = parse_report(saved.read_text(encoding="utf-8"))
    finally:
        saved.unlink()
    assert saved.parent == Path(os.environ.get("TMPDIR", "/tmp"))
    assert {entry["url"]: entry["verdict"] for entry in report["urls"]} == {
        "http://fast.example/p1": "live",
        "http://late.example/p1": "live",
    }
    # The summary still reaches the terminal, without claiming the report is where it was asked.
    assert said[-1] == "linkaudit: 2 distinct URLs (2 live) from 2 links in 1 file"
    assert not (tmp_path / "reports").exists()


def test_what_killed_runs_left_beside_the_report_is_removed(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "[here](a.md)\n")  # a local link: no network
    dead = 2**22 + 12345  # above the default pid_max: no such process
    leftovers = [f".out.json.{dead}.0badf00d.tmp", ".out.json.deadbeef.tmp"]  # and the format before pids
    kept = [f".out.json.{os.getpid()}.cafebabe.tmp", ".out.json.notes.tmp", ".other.json.deadbeef.tmp"]
    for name in leftovers + kept:
        (tmp_path / name).write_text("half a rep", encoding="utf-8")
    # (--no-store: the history store's folder would be one more entry beside the report)
    done = run_linkaudit("check", "a.md", "-f", "json", "-o", "out.json", "-q", "--no-store", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*kept, "a.md", "out.json"])
    assert parse_report((tmp_path / "out.json").read_text(encoding="utf-8"))["summary"]["urls"] == 1
