"""Every report format is reachable through `write_report`, and files are replaced atomically."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from contracts import parse_report

import linkaudit.report
import linkaudit.report.json as json_report
from linkaudit.models import UrlResult
from linkaudit.report import ReportFormat, atomic_text_file, write_report, write_report_file
from linkaudit.report.serialize import url_result_dict

from .builders import every_verdict, report_of


def test_public_surface_is_what_the_cli_needs() -> None:
    assert sorted(linkaudit.report.__all__) == [
        "DestinationError",
        "DiffFormat",
        "ExtractFormat",
        "HistoryFormat",
        "REPORT_SCHEMA",
        "ReportFormat",
        "atomic_text_file",
        "prepare_destination",
        "write_report",
        "write_report_fallback",
        "write_report_file",
    ]


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_every_format_writes_something(fmt: ReportFormat) -> None:
    out = io.StringIO()
    write_report(report_of(*every_verdict()), fmt, out, color=False, verbose=True, width=80)
    assert out.getvalue().strip()


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_every_format_handles_an_empty_run(fmt: ReportFormat) -> None:
    out = io.StringIO()
    write_report(report_of(files=0), fmt, out, color=False, verbose=False, width=80)
    assert out.getvalue().strip()


def test_format_values_are_the_cli_strings() -> None:
    assert [fmt.value for fmt in ReportFormat] == [
        "terminal",
        "json",
        "markdown",
        "html",
        "junit",
        "sarif",
        "github",
        "csv",
        "pr-comment",
    ]


def _files_in(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def test_report_file_is_written_and_no_temporary_file_remains(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    write_report_file(report_of(*every_verdict()), ReportFormat.JSON, path)
    assert parse_report(path.read_text(encoding="utf-8"))["schema"] == "linkaudit.report/1"
    assert _files_in(tmp_path) == ["report.json"]


def test_dash_means_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_report_file(report_of(*every_verdict()), ReportFormat.JSON, "-")
    assert parse_report(capsys.readouterr().out)["summary"]["urls"] == len(every_verdict())
    assert _files_in(tmp_path) == []


def test_dash_writes_to_the_given_stdout() -> None:
    out = io.StringIO()
    write_report_file(report_of(*every_verdict()), ReportFormat.TERMINAL, "-", stdout=out, width=80)
    assert "404 Not Found" in out.getvalue()


def test_unserializable_settings_leave_the_old_file_intact(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text("previous report\n", encoding="utf-8")
    broken = report_of(*every_verdict(), settings={"resolver": object()})
    with pytest.raises(TypeError, match="cannot put a object into a JSON report"):
        write_report_file(broken, ReportFormat.JSON, path)
    assert path.read_text(encoding="utf-8") == "previous report\n"
    assert _files_in(tmp_path) == ["report.json"]


def test_failure_midway_leaves_the_old_file_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Half the URLs are already in the temporary file when the writer fails (or Ctrl-C arrives)."""
    path = tmp_path / "report.json"
    path.write_text("previous report\n", encoding="utf-8")
    real = url_result_dict
    calls = 0

    def interrupt_on_the_fifth(result: UrlResult) -> dict[str, object]:
        nonlocal calls
        calls += 1
        if calls == 5:
            raise KeyboardInterrupt
        return real(result)

    monkeypatch.setattr(json_report, "url_result_dict", interrupt_on_the_fifth)
    with pytest.raises(KeyboardInterrupt):
        write_report_file(report_of(*every_verdict()), ReportFormat.JSON, path)
    assert calls == 5
    assert path.read_text(encoding="utf-8") == "previous report\n"
    assert _files_in(tmp_path) == ["report.json"]


def test_atomic_file_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(0o640)
    with atomic_text_file(path) as out:
        out.write("new\n")
    assert path.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_atomic_file_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        with atomic_text_file(tmp_path / "new.txt") as out:
            out.write("x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644


def test_atomic_file_replaces_the_target_of_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    with atomic_text_file(link) as out:
        out.write("new")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new"


def test_missing_folder_is_an_os_error_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_report_file(report_of(*every_verdict()), ReportFormat.JSON, tmp_path / "no" / "report.json")
    assert _files_in(tmp_path) == []


def test_report_file_is_utf8_whatever_the_locale(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    write_report_file(report_of(*every_verdict()), ReportFormat.TERMINAL, path, width=80)
    text = path.read_bytes().decode("utf-8")
    assert "→" in text
    assert "\x1b" not in text
