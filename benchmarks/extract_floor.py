"""What the Markdown parser alone costs on the benchmark archive, beside linkaudit and lychee.

`extract_bench.py` compares `linkaudit extract` with `lychee --dump`. This script answers the next
question: how much of that gap could any Python code on top of pyromark close? It times, in one
process over the same files, the floors that every pyromark-based extractor pays:

- reading and decoding the files;
- `pyromark.html`: pulldown-cmark parses and renders in Rust, nothing reaches Python but one string;
- iterating `pyromark.events_with_range` over whole documents: one Python object per event;
- the same over only the ranges linkaudit parses (`_segments`);
- linkaudit's whole per-file pipeline (`_extract_batch_packed`, what a pool worker runs).

CPU seconds (process time), best of `--runs`. Run it after `extract_bench.py --keep` has built the
archive:

    python benchmarks/extract_floor.py                      # the full-size archive
    python benchmarks/extract_floor.py --scale 0.25 --runs 1
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyromark
from tools import best_cpu_seconds, timing_arguments

from linkaudit.extract import collect_inputs
from linkaudit.extract.document import DEFAULT_MAX_FILE_SIZE, read_document
from linkaudit.extract.markdown import _OPTIONS, _segments
from linkaudit.extract.pool import _extract_batch_packed

WORK = Path(__file__).resolve().parent / "work"


def main() -> None:
    parser = timing_arguments(__doc__)
    parser.add_argument("--scale", default="1", help="which archive under benchmarks/work (default: 1)")
    args = parser.parse_args()
    candidates = [WORK / f"archive-{kind}-{args.scale}" for kind in ("sample", "synthetic")]
    archive = next((path for path in candidates if path.is_dir()), None)
    if archive is None:
        raise SystemExit(
            f"{candidates[0]} is not there: run `python benchmarks/extract_bench.py --keep` first"
        )
    files, _ = collect_inputs([str(archive)], extensions=("md",))
    docs = [read_document(item.path, item.display, DEFAULT_MAX_FILE_SIZE) for item in files]
    texts = [doc.text for doc in docs]
    size = sum(len(text.encode("utf-8")) for text in texts)

    def events_whole() -> None:
        for text in texts:
            for _ in pyromark.events_with_range(text, options=_OPTIONS, merge_text=True):
                pass

    def events_segments() -> None:
        for text in texts:
            src = text.encode("utf-8")
            for start, stop in _segments(src, src.lower()):
                for _ in pyromark.events_with_range(
                    src[start:stop].decode(), options=_OPTIONS, merge_text=True
                ):
                    pass

    steps: list[tuple[str, Callable[[], object]]] = [
        ("read and decode", lambda: [read_document(i.path, i.display, DEFAULT_MAX_FILE_SIZE) for i in files]),
        (
            "pyromark.html (parse and render in Rust)",
            lambda: [pyromark.html(t, options=_OPTIONS) for t in texts],
        ),
        ("pyromark events, whole documents", events_whole),
        ("pyromark events, the ranges linkaudit parses", events_segments),
        (
            "linkaudit worker pipeline (read to JSON lines)",
            lambda: _extract_batch_packed(files, DEFAULT_MAX_FILE_SIZE),
        ),
    ]
    print(
        f"{len(files):,} files, {size / 1e6:.1f} MB (UTF-8), best of {args.runs}; CPU seconds, one process\n"
    )
    print("| step | CPU | per file |")
    print("|---|---|---|")
    for name, work in steps:
        seconds = best_cpu_seconds(args.runs, work)
        print(f"| {name} | {seconds:.2f} s | {seconds / len(files) * 1e6:.0f} µs |")


if __name__ == "__main__":
    main()
