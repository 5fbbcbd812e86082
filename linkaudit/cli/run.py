"""What the commands share: extract through the store, run the audit, deliver the report, the exit code."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from linkaudit.report import ReportFormat, write_report, write_report_file

if TYPE_CHECKING:
    from rich.console import Console

    from linkaudit.archive.stage import ArchiveOptions
    from linkaudit.audit import AuditOutcome
    from linkaudit.check.resolve import Resolver
    from linkaudit.check.timeline import Timeline
    from linkaudit.extract import ExtractResult, InputFile
    from linkaudit.models import AuditReport, FileError, Occurrence, Verdict
    from linkaudit.settings import CheckSettings
    from linkaudit.store import HistoryPolicy, Store
from linkaudit.cli.app import _STOP, _require_range, _stdout_gone, fail_usage


def _echo_problems(problems: tuple[FileError, ...]) -> None:
    from linkaudit.models import FileWarning  # noqa: PLC0415 - lazy: see the imports

    for problem in problems:
        if isinstance(problem, FileWarning):
            where = f"{problem.file}:{problem.line}:{problem.column}: warning"
        else:
            where = problem.file
        typer.echo(f"linkaudit: {where}: {problem.message}", err=True)


def _collect(
    paths: list[str], extensions: str, exclude_path: list[str] | None, root: Path | None
) -> tuple[list[InputFile], list[FileError]]:
    from linkaudit.extract import UsageError, collect_inputs  # noqa: PLC0415 - lazy: see the imports

    try:
        return collect_inputs(
            paths, extensions=extensions.split(","), exclude_paths=exclude_path or (), root=root
        )
    except UsageError as exc:
        raise fail_usage(str(exc)) from None


def _run_audit(
    files: list[InputFile],
    walk_errors: list[FileError],
    settings: CheckSettings,
    *,
    fmt: ReportFormat,
    output: str | None,
    quiet: bool,
    verbose: bool,
    max_file_size: int,
    jobs: int | None,
    resolver: Resolver | None = None,
    pages: list[str] | None = None,
    listed: list[Occurrence] | None = None,
    store: Store | None = None,
    policy: HistoryPolicy | None = None,
    archive: ArchiveOptions | None = None,
    keep: Callable[[Occurrence], bool] | None = None,
    finish: Callable[[AuditReport], AuditReport] | None = None,
    timeline: Path | None = None,
) -> tuple[AuditOutcome, bool]:
    """Extract, check and write the report: the outcome, and whether the report went where it was asked.

    The history `store`, if any, is closed here once the check is done. `keep` chooses the citations checked
    (`audit_extracted`); `finish` completes the report before it is written (`--baseline`, `--shard`).
    `timeline`: where to write the check's timeline (`linkaudit.check.timeline`)."""
    from rich.console import Console  # noqa: PLC0415 - lazy: see the imports

    from linkaudit.articles import list_articles  # noqa: PLC0415
    from linkaudit.audit import audit_extracted  # noqa: PLC0415
    from linkaudit.extract.sources import with_url_list  # noqa: PLC0415
    from linkaudit.report.progress import choose_observer, close_observer  # noqa: PLC0415
    from linkaudit.report.terminal import summary_line  # noqa: PLC0415
    from linkaudit.settings import SettingsError  # noqa: PLC0415
    from linkaudit.store import RunHistory, StoreError  # noqa: PLC0415

    try:
        history = RunHistory(store, settings, policy)
    except StoreError as exc:
        _close_store(store)
        raise fail_usage(f"{exc} (or --no-store)") from None
    observer = choose_observer(Console(stderr=True), quiet=quiet, verbose=verbose)
    recorder = _timeline_recorder() if timeline is not None else None
    try:
        try:
            extracted = _extract(files, store, max_file_size, jobs)
        except KeyboardInterrupt:
            # Nothing was checked: the report a previous run left at the destination is worth more.
            typer.echo(
                "linkaudit: interrupted while extracting links: nothing checked, no report written", err=True
            )
            raise typer.Exit(_STOP.exit_code) from None
        if listed is not None:
            extracted = with_url_list(extracted, listed)
        articles = list_articles(
            files, cited_at=archive.cited_at if archive is not None else None, known=extracted.file_facts
        )
        outcome = audit_extracted(
            extracted,
            settings,
            observer=observer,
            resolver=resolver,
            extra_errors=walk_errors,
            pages=pages or (),
            max_page_size=max_file_size,
            history=history,
            keep=keep,
            articles=articles,
            archive=archive,
            timeline=recorder,
        )
    except SettingsError as exc:  # e.g. a proxy that cannot be reached
        raise fail_usage(str(exc)) from None
    finally:
        close_observer(observer)
        _close_store(store)
    if timeline is not None and recorder is not None:
        _write_timeline(timeline, recorder)
    if finish is not None:
        outcome = dataclasses.replace(outcome, report=finish(outcome.report))
    report = outcome.report
    target = output if output is not None else "-"
    delivered = _deliver(report, fmt, target, verbose=verbose, console=Console())
    if target != "-" and not quiet:
        where = f"; report written to {target}" if delivered else ""
        typer.echo(f"linkaudit: {summary_line(report)}{where}", err=True)
    _append_job_summary(report)
    if outcome.interrupted:
        checked = len(report.results)
        typer.echo(
            f"linkaudit: interrupted: {checked:,} of {checked + len(report.pending):,} URLs checked;"
            " the report is partial",
            err=True,
        )
    _note_unconfirmed(outcome, settings.fail_on, history.policy, quiet=quiet)
    return outcome, delivered


def _deliver(report: AuditReport, fmt: ReportFormat, target: str, *, verbose: bool, console: Console) -> bool:
    """Write the report to `target`; when that fails, to a new file in the temporary folder, said on stderr.

    False when the report is not where it was asked. A reader that went away (`| head`) is no failure.
    """
    from linkaudit.report import write_report_fallback  # noqa: PLC0415 - lazy: see the imports

    try:
        write_report_file(
            report,
            fmt,
            target,
            color=console.is_terminal and target == "-",
            verbose=verbose,
            width=console.width if console.is_terminal else None,
        )
        return True
    except BrokenPipeError:
        _stdout_gone()
        return True
    except (OSError, UnicodeError) as exc:
        reason = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
    try:
        saved = write_report_fallback(report, fmt, verbose=verbose)
    except OSError as exc:
        typer.echo(
            f"linkaudit: error: cannot write report to {target}: {reason}; "
            f"nor to the temporary folder: {exc.strerror or exc}",
            err=True,
        )
        return False
    typer.echo(f"linkaudit: error: cannot write report to {target}: {reason}; it is in {saved}", err=True)
    return False


def _timeline_recorder() -> Timeline:
    from linkaudit.check.timeline import Timeline  # noqa: PLC0415 - lazy: see the imports

    return Timeline()


def _write_timeline(path: Path, recorder: Timeline) -> None:
    """The timeline as JSON; a file that cannot be written is one line, and the run goes on."""
    import json  # noqa: PLC0415

    try:
        path.write_text(json.dumps(recorder.as_json(), separators=(",", ":")) + "\n", encoding="utf-8")
    except OSError as exc:
        typer.echo(f"linkaudit: --timeline {path}: cannot write: {exc.strerror or exc}", err=True)


def _prepare_output(output: str | None) -> None:
    """Before any work: a report that could not be written at the end would waste the whole run."""
    from linkaudit.report import DestinationError, prepare_destination  # noqa: PLC0415 - lazy: see the imports

    if output is None:
        return
    try:
        prepare_destination(output)
    except DestinationError as exc:
        raise fail_usage(f"cannot write report to {output}: {exc}") from None


def _append_job_summary(report: AuditReport) -> None:
    """In a GitHub Actions step, add the Markdown summary to the job's summary page (a warning if not)."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8", newline="\n") as out:
            if out.tell():
                out.write("\n")
            write_report(report, ReportFormat.MARKDOWN, out, color=False, verbose=False)
    except OSError as exc:
        typer.echo(
            f"linkaudit: warning: cannot add the job summary to {path}: {exc.strerror or exc}", err=True
        )


def _exit_code(
    outcome: AuditOutcome,
    delivered: bool,
    settings: CheckSettings,
) -> int:
    """0, 1 (see `linkaudit.ci.baseline.run_fails`), 2 (no report, or a doubtful run), or the stop's code."""
    from linkaudit.ci.baseline import run_fails  # noqa: PLC0415 - lazy: see the imports

    if outcome.interrupted:
        return _STOP.exit_code
    if not delivered:
        return 2
    if outcome.doubt is not None:  # no network or a captive portal: the verdicts prove nothing
        return 2
    failing = run_fails(
        outcome.report,
        settings.fail_on,
        file_errors=settings.fail_on_file_error,
    )
    return 1 if failing else 0


def _open_store(path: str, no_store: bool, wait: float) -> Store | None:
    """The history store, unless --no-store; a store that cannot be used is a usage error (exit 2)."""
    if no_store:
        return None
    from linkaudit.store import Store, StoreError  # noqa: PLC0415 - lazy: see the imports

    _require_range("--store-wait", wait)
    try:
        return Store.open(path, wait=wait)
    except StoreError as exc:
        raise fail_usage(f"{exc} (or --no-store)") from None


def _close_store(store: Store | None) -> None:
    """Close the store and say, one line each, what it could not keep."""
    if store is None:
        return
    store.close()
    for warning in store.warnings:
        typer.echo(f"linkaudit: warning: {warning}", err=True)


def _extract(files: list[InputFile], store: Store | None, max_size: int, jobs: int | None) -> ExtractResult:
    """Extract, parsing only the files the store's cache cannot serve."""
    from linkaudit.extract import extract_files  # noqa: PLC0415 - lazy: see the imports
    from linkaudit.extract.cache import extract_cached  # noqa: PLC0415

    if store is None:
        return extract_files(files, max_size=max_size, jobs=jobs)
    from linkaudit.store.files import StoreFileCache  # noqa: PLC0415

    return extract_cached(files, StoreFileCache(store), max_size=max_size, jobs=jobs)


def _note_unconfirmed(
    outcome: AuditOutcome, fail_on: frozenset[Verdict], policy: HistoryPolicy, *, quiet: bool
) -> None:
    waiting = sum(
        1
        for result in outcome.report.results
        if result.judgement.verdict in fail_on
        and result.history is not None
        and result.history.confirmed is False
    )
    if waiting and not quiet:
        typer.echo(
            f"linkaudit: {waiting} failing URL{'' if waiting == 1 else 's'} not confirmed yet (--confirm "
            f"{policy.confirm_checks}/{policy.confirm_days:g}): not counted toward the exit code",
            err=True,
        )
