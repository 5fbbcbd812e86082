"""The end-of-run report for people, rendered with rich.

What an editor needs is a to-do list per article: where each broken citation is (`line:col`), what is
wrong, and what it says and points at. What is listed, folded (dead hosts, template links) and in which
order is decided in `linkaudit.report.digest`, shared by every human format; this module only draws it,
bounding the lines per file and the files shown (`verbose` lifts the bounds; the JSON report always has
everything). The verdict summary comes last, where it is still on screen when the run ends.

It must read as well without colour (piped, CI logs) as with it, at 80 columns, with link text in any
script: every cell width is measured by rich, and nothing from the articles is ever parsed as markup.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TextIO, TypeVar

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from linkaudit.classify.severity import is_problem, severity
from linkaudit.classify.soft import explain
from linkaudit.models import AuditReport, BaselineMark, Finding, Occurrence, UrlResult, Verdict
from linkaudit.report.citations import archive_link, archive_note, article_dates, result_tags, run_notes
from linkaudit.report.digest import FOLD_HOST_AT, describe_reason, digest_report
from linkaudit.report.text import printable

__all__ = [
    "MAX_FILES",
    "MAX_FOLDED",
    "MAX_PROBLEMS_PER_FILE",
    "printable",
    "write_terminal_report",
]

MAX_PROBLEMS_PER_FILE = 10
MAX_FILES = 100
MAX_FOLDED = 25
"""Without --verbose, at most this many folded hosts, template links and unreadable files are listed."""
_TEXT_CELLS = 30
_T = TypeVar("_T")


_VERDICT_STYLE = {
    Verdict.DEAD: "bold red",
    Verdict.USURPED: "bold red",
    Verdict.SOFT_DEAD: "red",
    Verdict.INVALID: "magenta",
    Verdict.UNREACHABLE: "red",
    Verdict.BLOCKED: "yellow",
    Verdict.RATE_LIMITED: "yellow",
    Verdict.REDIRECTED: "cyan",
    Verdict.SKIPPED: "dim",
    Verdict.LIVE: "green",
    Verdict.DEVIATED: "yellow",
}


@dataclass(frozen=True, slots=True)
class _Symbols:
    arrow: str
    final: str
    dash: str
    ellipsis: str
    hook: str


_UNICODE = _Symbols(arrow="→", final="⇒", dash="—", ellipsis="…", hook="↳")
_ASCII = _Symbols(arrow="->", final="=>", dash="--", ellipsis="...", hook="+")


def _symbols_for(out: TextIO) -> _Symbols:
    encoding = getattr(out, "encoding", None)
    if not encoding:
        return _UNICODE
    try:
        "→⇒—…↳".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return _ASCII
    return _UNICODE


# Control characters (escape sequences!) and bidi overrides would be obeyed by the terminal: drop them.
_clean = printable


def _clip(value: str, cells: int, ellipsis: str) -> str:
    if cell_len(value) <= cells:
        return value
    if cells <= cell_len(ellipsis):
        return ""
    text = Text(value)
    text.truncate(cells - cell_len(ellipsis))
    # A double-width character that would straddle the limit is replaced by a space: drop it.
    return text.plain.rstrip() + ellipsis


def _shown_target(result: UrlResult, occ: Occurrence) -> str:
    """Checked http(s) URLs as normalized; local paths and unusable targets as the article wrote them."""
    target = result.target
    if not target.is_http:
        return _clean(occ.raw or target.url)
    return _clean(target.url if target.fragment is None else f"{target.url}#{target.fragment}")


def _note(result: UrlResult) -> str:
    """What the verdict alone does not say: for a missing fragment, the closest anchor; for soft rot, why;
    whether the baseline knew the failure, whether it is confirmed, whether the result was reused."""
    notes = result_tags(result)
    if result.judgement.reason == "fragment-missing" and result.evidence is not None:
        notes.insert(0, _clean(result.evidence.detail or ""))
    elif result.evidence is not None:
        notes.insert(0, _clean(explain(result.evidence, result.judgement) or ""))
    return "; ".join(note for note in notes if note)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


class _Renderer:
    def __init__(
        self,
        report: AuditReport,
        console: Console,
        symbols: _Symbols,
        *,
        verbose: bool,
        fold_host_at: int,
        max_per_file: int,
        max_files: int,
    ) -> None:
        self.report = report
        self.console = console
        self.sym = symbols
        self.verbose = verbose
        self.plan = digest_report(report, verbose=verbose, fold_host_at=fold_host_at)
        self.max_per_file = max_per_file
        self.max_files = max_files
        self.dates = article_dates(report)
        shown = [c for _, cs in self.plan.by_file for c in cs]
        self.loc_width = max((len(f"{c.occurrence.line}:{c.occurrence.column}") for c in shown), default=3)
        verdicts = [c.result.judgement.verdict for c in shown]
        verdicts += [t.result.judgement.verdict for t in self.plan.templates]
        verdicts += [h.verdict for h in self.plan.hosts]
        self.verdict_width = max((len(v.value) for v in verdicts), default=4)
        reasons = [describe_reason(c.result.judgement.reason) for c in shown]
        reasons += [describe_reason(t.result.judgement.reason) for t in self.plan.templates]
        self.width = console.width
        # 24 cells at 80 columns: "429 Too Many Requests" fits, the link text keeps about 30.
        reason_cap = min(24, max(10, (self.width - 30) // 2))
        self.reason_width = min(max((cell_len(r) for r in reasons), default=6), reason_cap)

    def render(self) -> None:
        if self.report.partial:
            self.console.print(Text(self._partial_note(), style="bold yellow"))
            self.console.print()
        self._files()
        self._hosts()
        self._templates()
        self._errors()
        self._warnings()
        self._summary()

    def _partial_note(self) -> str:
        checked = len(self.report.results)
        total = checked + len(self.report.pending)
        return f"interrupted: {checked:,} of {total:,} URLs checked (only those are shown)"

    def _verdict(self, verdict: Verdict) -> Text:
        return Text(verdict.value, style=_VERDICT_STYLE.get(verdict, ""))

    def _entry(
        self, location: str | None, result: UrlResult, lead: str, target: str, note: str = ""
    ) -> list[Text]:
        """One listed URL: `location  verdict  reason  lead → target — note`, aligned in columns.

        When that does not fit the width, the URL moves to a line of its own under the verdict. URLs are
        never broken: one longer than the line is left whole, for the terminal to wrap, so it can still be
        clicked and copied.
        """
        sym = self.sym
        row = Text("  ")
        if location is not None:
            row.append(location.rjust(self.loc_width) + "  ")
        indent = " " * row.cell_len
        verdict = result.judgement.verdict
        row.append(verdict.value.ljust(self.verdict_width), style=_VERDICT_STYLE.get(verdict, ""))
        reason = _clip(describe_reason(result.judgement.reason), self.reason_width, sym.ellipsis)
        row.append("  " + reason + " " * (self.reason_width - cell_len(reason)) + "  ")
        room = self.width - row.cell_len
        arrow = f" {sym.arrow} " if lead else ""
        tail = f" {sym.dash} {note}" if note else ""
        lines = [row]
        if cell_len(lead) + len(arrow) + cell_len(target) + cell_len(tail) <= room:
            row.append(lead)
            row.append(arrow, style="dim")
            row.append(target, style="blue")
            row.append(tail, style="dim")
        else:
            gap = 1 if lead and note else 0
            row.append(_clip(lead, room - cell_len(note) - gap, sym.ellipsis) + " " * gap)
            row.append(note, style="dim")
            url_line = Text(indent)
            url_line.append(f"{sym.arrow} ", style="dim")
            url_line.append(target, style="blue")
            lines.append(url_line)
        evidence = result.evidence
        if verdict is Verdict.REDIRECTED and evidence is not None and evidence.final_url:
            final = Text(indent)
            final.append(f"{sym.final} ", style="dim")
            final.append(_clean(evidence.final_url), style="cyan")
            final.append(" (permanent)" if result.judgement.permanent else " (temporary)", style="dim")
            lines.append(final)
        for line in lines:
            line.rstrip()
        return lines

    def _archive(self, result: UrlResult, cited_at: date | None) -> list[Text]:
        """Under a citation: the archived copy (and how many days from this article's citation date it
        was captured), why there is none, or how far the live page has drifted from it. The copy's URL
        goes on a line of its own when both do not fit, never broken."""
        note = archive_note(result, cited_at)
        if note is None:
            return []
        indent = " " * (2 + self.loc_width + 2)
        line = Text(indent)
        head = f"{self.sym.hook} {_clean(note)}"
        link = archive_link(result)
        arrow = f" {self.sym.arrow} "
        room = self.width - cell_len(indent)
        if link is not None and cell_len(head) + len(arrow) + cell_len(_clean(link)) <= room:
            line.append(head, style="dim")
            line.append(arrow, style="dim")
            line.append(_clean(link), style="blue")
            return [line]
        line.append(_clip(head, room, self.sym.ellipsis), style="dim")
        if link is None:
            return [line]
        url_line = Text(indent + "  ")
        url_line.append(f"{self.sym.arrow} ", style="dim")
        url_line.append(_clean(link), style="blue")
        return [line, url_line]

    def _finding(self, result: UrlResult, finding: Finding) -> Text:
        """One line under a citation: the hygiene finding, both verdicts and the fix."""
        line = Text(" " * (2 + self.loc_width + 2))
        line.append(f"{self.sym.hook} {finding.kind.value}", style="magenta")
        check = finding.suggestion_check
        intended = check.verdict.value if check is not None else "not checked"
        line.append(f": as published {result.judgement.verdict.value}; as intended {intended}")
        if finding.suggestion is not None:
            line.append(f" ({_clean(finding.suggestion)})", style="blue")
        line.append(f" {self.sym.dash} fix: {_clean(finding.detail)}", style="dim")
        return line

    def _print_lines(self, lines: list[Text]) -> None:
        if lines:
            # soft_wrap: the lines are laid out already; rich must neither wrap nor crop a long URL.
            self.console.print(Text("\n").join(lines), soft_wrap=True)

    def _files(self) -> None:
        by_file = self.plan.by_file
        shown_files = by_file if self.verbose else by_file[: self.max_files]
        for file, citations in shown_files:
            problems = sum(1 for c in citations if is_problem(c.result.judgement.verdict))
            heading = Text(_clean(file), style="bold")
            label = _count(problems, "problem")
            if len(citations) != problems:
                label += f", {_count(len(citations), 'link')}"
            heading.append(f"  ({label})", style="dim")
            lines = [heading]
            shown = citations if self.verbose else citations[: self.max_per_file]
            for c in shown:
                occ = c.occurrence
                target = _shown_target(c.result, occ)
                text = _clean(occ.text)
                lead = _clip(text, _TEXT_CELLS, self.sym.ellipsis) if text and text != target else ""
                lines += self._entry(f"{occ.line}:{occ.column}", c.result, lead, target, _note(c.result))
                lines += self._archive(c.result, self.dates.get(occ.file))
                lines += [self._finding(c.result, finding) for finding in occ.findings]
            if len(shown) < len(citations):
                more = len(citations) - len(shown)
                lines.append(Text(f"  {self.sym.ellipsis} and {more:,} more in this file", style="dim"))
            lines.append(Text())
            self._print_lines(lines)
        if len(shown_files) < len(by_file):
            rest = by_file[len(shown_files) :]
            hidden = (
                f"{_count(len(rest), 'more file')} with {_count(sum(len(cs) for _, cs in rest), 'problem')}"
            )
            self.console.print(
                Text(
                    f"{self.sym.ellipsis} and {hidden} "
                    "(--verbose lists them all; the JSON report has every detail)",
                    style="dim",
                )
            )
            self.console.print()

    def _section(self, title: str) -> None:
        self.console.print(Text(title, style="bold underline"))

    def _hosts(self) -> None:
        if not self.plan.hosts:
            return
        self._section("Unreachable hosts (their URLs are not listed per file)")
        dash = self.sym.dash
        hosts = self._bounded(self.plan.hosts)
        for host in hosts:
            line = Text("  ")
            line.append(self._verdict(host.verdict))
            line.append(" " * (self.verdict_width - len(host.verdict.value) + 2))
            line.append(_clean(host.host), style="bold")
            where = f"{_count(host.urls, 'URL')} in {_count(host.files, 'file')}"
            line.append(f" {dash} {where} {dash} {describe_reason(host.reason)}")
            if host.other_reasons:
                others = ", ".join(f"{describe_reason(r)} ({n:,})" for r, n in host.other_reasons)
                line.append(f"; also {others}", style="dim")
            self.console.print(line)
        self._more(len(self.plan.hosts) - len(hosts), "host")
        self.console.print()

    def _bounded(self, items: tuple[_T, ...]) -> tuple[_T, ...]:
        return items if self.verbose else items[:MAX_FOLDED]

    def _more(self, count: int, noun: str) -> None:
        if count > 0:
            self.console.print(
                Text(f"  {self.sym.ellipsis} and {_count(count, 'more ' + noun)}", style="dim")
            )

    def _templates(self) -> None:
        if not self.plan.templates:
            return
        self._section("Template links (cited from a shared layout; listed once)")
        templates = self._bounded(self.plan.templates)
        lines: list[Text] = []
        for folded in templates:
            url = _clean(folded.result.target.url)
            lines += self._entry(None, folded.result, "", url, f"in {_count(folded.files, 'file')}")
        self._print_lines(lines)
        self._more(len(self.plan.templates) - len(templates), "template link")
        self.console.print()

    def _errors(self) -> None:
        errors = sorted(self.report.errors, key=lambda e: (e.file, e.message))
        self._file_list(
            "Files that could not be read",
            [(e.file, e.message + (" (known)" if e.baseline is BaselineMark.KNOWN else "")) for e in errors],
        )

    def _warnings(self) -> None:
        warnings = sorted(self.report.warnings, key=lambda w: (w.file, w.line, w.column))
        self._file_list(
            "Files read with flaws (their links are checked)",
            [(f"{w.file}:{w.line}:{w.column}", w.message) for w in warnings],
        )

    def _file_list(self, title: str, entries: list[tuple[str, str]]) -> None:
        if not entries:
            return
        self._section(title)
        shown = self._bounded(tuple(entries))
        for where, message in shown:
            line = Text("  ")
            line.append(_clean(where), style="bold")
            line.append(f": {_clean(message)}")
            self.console.print(line)
        self._more(len(entries) - len(shown), "file")
        self.console.print()

    def _summary(self) -> None:
        report = self.report
        counts = self.plan.verdicts
        # A partial run cannot tell there are no problems.
        if not report.partial and not any(is_problem(row.verdict) for row in counts):
            message = "No links found." if not report.results else "No problems found."
            self.console.print(Text(message, style="bold green"))
        table = Table(box=box.SIMPLE, show_footer=True, show_edge=False, pad_edge=False)
        table.add_column("verdict", footer="total", no_wrap=True)
        table.add_column("URLs", justify="right", footer=f"{len(report.results):,}")
        table.add_column("citations", justify="right", footer=f"{sum(row.citations for row in counts):,}")
        for row in counts:
            table.add_row(self._verdict(row.verdict), f"{row.urls:,}", f"{row.citations:,}")
        self.console.print(table)
        line = ", ".join(
            (
                _count(report.files, "file"),
                _count(report.links, "link"),
                _count(len(report.results), "distinct URL"),
            )
        )
        if report.elapsed_s:
            line += f", {report.elapsed_s:,.1f} s"
        self.console.print(Text(line))
        findings = Counter(
            f.kind.value for r in report.results for occ in r.occurrences for f in occ.findings
        )
        if findings:
            kinds = ", ".join(f"{kind} {count:,}" for kind, count in sorted(findings.items()))
            self.console.print(
                Text(
                    f"Hygiene findings: {kinds} (shown under listed citations; the JSON report has all)",
                    style="dim",
                )
            )
        refused = sum(r.judgement.reason == "private-address" for r in report.results)
        if refused:  # skipped URLs are not listed: say why these were, and how to check them
            self.console.print(
                Text(
                    f"{_count(refused, 'URL')} at private addresses not checked: --allow-private-net NETWORK "
                    "or --allow-private checks them",
                    style="yellow",
                )
            )
        for note in settings_notes(report.settings):
            self.console.print(Text(note, style="yellow"))
        for note in run_notes(report):
            self.console.print(Text(note[0].upper() + note[1:] + ".", style="dim"))
        if report.partial:
            self.console.print(Text(self._partial_note(), style="bold yellow"))


def settings_notes(settings: Mapping[str, object]) -> list[str]:
    """Settings that change what the verdicts mean, said under the summary."""
    notes: list[str] = []
    if settings.get("insecure"):
        notes.append("TLS certificates were not verified (--insecure).")
    proxies = settings.get("proxy")
    if isinstance(proxies, dict) and proxies:
        by_proxy: dict[str, list[str]] = {}
        for scheme, proxy in sorted(proxies.items()):
            by_proxy.setdefault(str(proxy), []).append(str(scheme))
        through = "; ".join(f"{proxy} for {' and '.join(schemes)}" for proxy, schemes in by_proxy.items())
        direct = settings.get("no_proxy")
        notes.append(f"Checked through a proxy: {through}" + (f" (not for {direct})" if direct else "") + ".")
    return notes


def summary_line(report: AuditReport) -> str:
    """The report in one line, for the terminal when the report itself went to a file."""
    urls = Counter(r.judgement.verdict for r in report.results)
    counts = ", ".join(f"{urls[v]:,} {v.value}" for v in sorted(urls, key=severity))
    line = f"{_count(len(report.results), 'distinct URL')} ({counts or 'none'})"
    line += f" from {_count(report.links, 'link')} in {_count(report.files, 'file')}"
    if report.errors:
        line += f", {_count(len(report.errors), 'unreadable file')}"
    if report.partial:
        checked = len(report.results)
        line += f", interrupted: {checked:,} of {checked + len(report.pending):,} URLs checked"
    return line


class _TrailingSpaceTrimmer:
    """Rich pads every table cell to its column width; without colour that padding is just noise at line ends.

    A minimal write-only stream for rich's Console: whole lines are passed on without trailing spaces, a
    partial line waits for its end (or `flush`).
    """

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.pending = ""
        self.encoding = getattr(out, "encoding", None)

    def write(self, data: str) -> int:
        lines = (self.pending + data).split("\n")
        self.pending = lines.pop()
        if lines:
            self.out.write("".join(line.rstrip(" ") + "\n" for line in lines))
        return len(data)

    def flush(self) -> None:
        if self.pending:
            self.out.write(self.pending.rstrip(" "))
            self.pending = ""
        self.out.flush()

    def isatty(self) -> bool:
        return False


class _StreamConsole(Console):
    """A rich Console that leaves a reader who went away (`| head`) to the caller.

    rich's own answer to a broken pipe is `SystemExit(1)`, which would replace the run's exit code.
    """

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def write_terminal_report(
    report: AuditReport,
    out: TextIO,
    *,
    color: bool,
    verbose: bool,
    width: int | None = None,
    fold_host_at: int = FOLD_HOST_AT,
    max_per_file: int = MAX_PROBLEMS_PER_FILE,
    max_files: int = MAX_FILES,
) -> None:
    """Write the human report to `out`. `verbose` also lists live, redirected and skipped URLs, unbounded."""
    trimmer = None if color else _TrailingSpaceTrimmer(out)
    console = _StreamConsole(
        file=out if trimmer is None else trimmer,  # type: ignore[arg-type]
        width=width,
        color_system="auto" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )
    renderer = _Renderer(
        report,
        console,
        _symbols_for(out),
        verbose=verbose,
        fold_host_at=fold_host_at,
        max_per_file=max_per_file,
        max_files=max_files,
    )
    renderer.render()
    if trimmer is not None:
        trimmer.flush()
