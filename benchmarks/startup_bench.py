"""Benchmark start-up: `linkaudit --version`, importing the CLI, and `extract` on one file, beside lychee.

Every CI step and pre-commit hook pays a link checker's start-up, so issue 10 measures it against
lychee's (a native binary: its start-up is the floor). A timed test cannot say this: the figure only
means something beside the reference tool, measured on the same machine at the same moment.

    python benchmarks/startup_bench.py [--runs 20] [--json]

Each command runs once untimed (warming the page cache and Python's bytecode cache), then `--runs`
times, the commands interleaved so that load from elsewhere on a shared machine weighs on all alike.
Bytecode is cached as after any installation, in a temporary folder (`PYTHONPYCACHEPREFIX`), even where
`PYTHONDONTWRITEBYTECODE` is set: otherwise every start would compile linkaudit's sources again.
Wall time is from spawn to exit; the median and the fastest run are reported, in milliseconds. The
one-file extract reads a small Markdown article written to a temporary folder (lychee with `--dump`,
which lists links without checking them); `check NO-LINKS` checks an article that cites nothing, which is
the start-up a CI step pays before its first request. When `unshare -rn` works, each run happens in a network
namespace without interfaces: neither tool can touch the network.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools import tool_path

ARTICLE = """# 一篇文章

据[新闻](https://news.example.org/2021/05/story.html)报道，![图](https://img.example.org/a.png)
See <https://docs.example.org/guide> and https://www.example.com/path?q=1 for more.

[ref]: https://ref.example.net/page "Title"
"""


def _netless() -> list[str]:
    """A prefix that runs a command without network interfaces, when the kernel allows it."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    probe = subprocess.run([unshare, "-rn", "true"], capture_output=True, check=False)
    return [unshare, "-rn"] if probe.returncode == 0 else []


def commands(article: Path, no_links: Path) -> dict[str, list[str]]:
    linkaudit = tool_path("linkaudit")
    lychee = tool_path("lychee")
    return {
        "linkaudit --version": [linkaudit, "--version"],
        "lychee --version": [lychee, "--version"],
        "python -c 'import linkaudit.cli'": [sys.executable, "-c", "import linkaudit.cli"],
        "linkaudit extract FILE": [linkaudit, "extract", str(article)],
        "lychee --dump FILE": [lychee, "--dump", "--no-progress", str(article)],
        "linkaudit check NO-LINKS": [linkaudit, "check", str(no_links)],
        "lychee NO-LINKS": [lychee, "--no-progress", str(no_links)],
        "linkaudit check --help": [linkaudit, "check", "--help"],
        "python -c pass (the floor)": [sys.executable, "-c", "pass"],
    }


def run_once(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per command (default 20)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    prefix = _netless()
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as folder:
        cwd = Path(folder)
        article = cwd / "article.md"
        article.write_text(ARTICLE, encoding="utf-8")
        no_links = cwd / "no-links.md"
        no_links.write_text("# Nothing cited\n\nProse only.\n", encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(cwd / "pycache")
        named = {name: prefix + command for name, command in commands(article, no_links).items()}
        for command in named.values():
            run_once(command, cwd, env)
        times: dict[str, list[float]] = {name: [] for name in named}
        for _ in range(args.runs):
            for name, command in named.items():
                times[name].append(run_once(command, cwd, env))
    figures = {
        name: {"median_ms": round(statistics.median(t) * 1000, 1), "min_ms": round(min(t) * 1000, 1)}
        for name, t in times.items()
    }
    which = [sys.executable, "-c", "import linkaudit; print(linkaudit.__path__[0])"]
    where = subprocess.run(which, capture_output=True, text=True, check=True).stdout.strip()
    if args.json:
        report = {"runs": args.runs, "netless": bool(prefix), "linkaudit": where, "commands": figures}
        print(json.dumps(report, indent=2))
        return
    print(f"{args.runs} runs each, interleaved{'; no network (unshare -rn)' if prefix else ''}; {where}")
    width = max(len(name) for name in figures)
    print(f"{'command':<{width}}  {'median':>9}  {'fastest':>9}")
    for name, figure in figures.items():
        print(f"{name:<{width}}  {figure['median_ms']:>6.1f} ms  {figure['min_ms']:>6.1f} ms")


if __name__ == "__main__":
    main()
