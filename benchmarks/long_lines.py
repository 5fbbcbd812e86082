"""Extraction time of many links on one line beside the same links one per line.

Issue 9: a line holding many links was quadratic (each link's column was found by searching back to the
line start): 200,000 links on one line took minutes. Linear extraction takes about as long either way,
and doubling the links doubles the time. This script writes the articles (Markdown, HTML with links in
attributes and bare URLs in its text, plain text; ASCII and Chinese prose) under
`benchmarks/work/long-lines/` and times `extract_files` in this process (one file is extracted by one
process, whatever `--jobs` says).

    python benchmarks/long_lines.py                     # 50,000 / 100,000 / 200,000 links
    python benchmarks/long_lines.py --links 20000 --runs 1
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from linkaudit.extract import InputFile, extract_files

WORK = Path(__file__).resolve().parent / "work" / "long-lines"

_SHAPES: dict[str, tuple[str, Callable[[int], str]]] = {
    "markdown": ("md", lambda i: f"[link {i}](https://e{i % 50}.example/p/{i})"),
    "markdown-cjk": ("md", lambda i: f"[链接{i}](https://e{i % 50}.example/p/{i})"),
    "bare": ("txt", lambda i: f"https://e{i % 50}.example/p/{i}"),
    "html": ("html", lambda i: f'<a href="https://e{i % 50}.example/p/{i}">x</a>'),
    # Bare URLs in HTML text: one per paragraph, and all in one text node (references to resolve).
    "html-bare": ("html", lambda i: f"<p>Source: https://e{i % 50}.example/p/{i}</p>"),
    "html-text": ("html", lambda i: f"https://e{i % 50}.example/p/{i}?a=1&amp;b=2"),
}


def article(shape: str, links: int, one_line: bool) -> Path:
    suffix, link = _SHAPES[shape]
    path = WORK / f"{shape}-{links}-{'line' if one_line else 'lines'}.{suffix}"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        text = (" " if one_line else "\n").join(link(i) for i in range(links))
        path.write_text("据报道 " + text + "\n", encoding="utf-8")
    return path


def timed(path: Path, runs: int) -> tuple[float, int]:
    """Best wall time of `runs` extractions of one file, and the links found."""
    best, found = float("inf"), 0
    for _ in range(runs):
        start = time.perf_counter()
        result = extract_files([InputFile(path, path.name, path.parent)], jobs=1)
        best = min(best, time.perf_counter() - start)
        found = len(result.occurrences)
    return best, found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--links", default="50000,100000,200000", help="comma-separated link counts (default: %(default)s)"
    )
    parser.add_argument("--runs", type=int, default=1, help="timed runs per file; the best is shown")
    parser.add_argument("--shapes", default=",".join(_SHAPES), help="which articles (default: all)")
    args = parser.parse_args()
    print("| article | links | one line | one per line | ratio |")
    print("|---|---|---|---|---|")
    for shape in args.shapes.split(","):
        for links in (int(n) for n in args.links.split(",")):
            on_one, found = timed(article(shape, links, True), args.runs)
            on_many, found_many = timed(article(shape, links, False), args.runs)
            if found != links or found_many != links:
                raise SystemExit(f"{shape}: expected {links} links, found {found} and {found_many}")
            print(f"| {shape} | {links:,} | {on_one:.2f} s | {on_many:.2f} s | {on_one / on_many:.2f}× |")


if __name__ == "__main__":
    main()
