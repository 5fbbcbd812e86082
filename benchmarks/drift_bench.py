"""Content drift on labelled pairs: how well `similarity` and `DRIFT_THRESHOLD` tell drift from the rest.

Pairs (archived copy, live page) are rendered by `linkaudit.demo.news` from real articles (the corpus
sample's 240 Chinese articles when ../shared/corpus is there, else the few in tests/data) and the English
ones in tests/data/drift: furniture changed (other date, ads, headlines, a cookie banner), light edits
(about a fifth of the text changed), replaced articles, removed ones. Prints, per kind and language, the
lowest and highest similarity, the accuracy at the threshold, the best threshold's margin on each side,
and the time per pair (two main-text extractions).

    .venv/bin/python benchmarks/drift_bench.py [--limit N]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from linkaudit.archive.drift import similarity
from linkaudit.classify.drift import DRIFT_THRESHOLD
from linkaudit.demo.news import Article, article_from_markdown, drift_pairs

ROOT = Path(__file__).resolve().parent.parent
# Beside the checkout (../shared, as the corpus README has it), or the worktrees' /work/shared.
CORPUS = ROOT.parent / "shared" / "corpus" / "archive-sample" / "gnews"
SHARED = ROOT.parent.parent / "shared" / "corpus" / "archive-sample" / "gnews"


def load(limit: int | None) -> list[Article]:
    data = ROOT / "tests" / "data"
    paths = sorted((data / "drift").glob("*.md")) + sorted((data / "archive" / "gnews").glob("*.md"))
    corpus = CORPUS if CORPUS.is_dir() else SHARED
    if corpus.is_dir():
        paths += sorted(corpus.glob("*.md"))[:limit]
    found = [article_from_markdown(p.read_text(encoding="utf-8-sig", errors="replace")) for p in paths]
    return [a for a in found if a.chars > 200]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="corpus articles used (default: all)")
    args = parser.parse_args()
    articles = load(args.limit)
    pairs = drift_pairs(articles)
    started = time.perf_counter()
    measured: list[tuple[str, str, float, bool]] = []
    unmeasured = 0
    for pair in pairs:
        value, _ = similarity(pair.snapshot, pair.live)
        if value is None:
            unmeasured += 1
            continue
        measured.append((pair.kind, pair.language, value, pair.drifted))
    elapsed = time.perf_counter() - started
    languages = sorted({a.language for a in articles})
    print(
        f"{len(articles)} articles ({', '.join(languages)}), {len(pairs)} labelled pairs,"
        f" {unmeasured} unmeasured"
    )
    print(f"{elapsed:.1f} s, {elapsed / max(1, len(pairs)) * 1000:.1f} ms per pair")
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for kind, language, value, _ in measured:
        groups[(kind, language)].append(value)
    print(f"\n{'kind':<12}{'lang':<6}{'pairs':>6}{'min':>8}{'max':>8}{'right':>8}")
    for (kind, language), values in sorted(groups.items()):
        drifted = kind in ("replaced", "removed")
        right = sum(1 for v in values if (v < DRIFT_THRESHOLD) == drifted)
        print(f"{kind:<12}{language:<6}{len(values):>6}{min(values):>8.3f}{max(values):>8.3f}{right:>8}")
    tp = sum(1 for _, _, v, d in measured if d and v < DRIFT_THRESHOLD)
    fp = sum(1 for _, _, v, d in measured if not d and v < DRIFT_THRESHOLD)
    fn = sum(1 for _, _, v, d in measured if d and v >= DRIFT_THRESHOLD)
    accuracy = sum(1 for _, _, v, d in measured if (v < DRIFT_THRESHOLD) == d) / max(1, len(measured))
    precision = tp / max(1, tp + fp)
    recall = tp / max(1, tp + fn)
    highest_drifted = max((v for _, _, v, d in measured if d), default=0.0)
    lowest_kept = min((v for _, _, v, d in measured if not d), default=1.0)
    print(
        f"\nthreshold {DRIFT_THRESHOLD}: accuracy {accuracy:.4f}, precision {precision:.4f},"
        f" recall {recall:.4f}"
        f"\nhighest drifted {highest_drifted:.3f}, lowest kept {lowest_kept:.3f}: any threshold in between "
        f"separates them (midpoint {(highest_drifted + lowest_kept) / 2:.3f})"
    )


if __name__ == "__main__":
    main()
