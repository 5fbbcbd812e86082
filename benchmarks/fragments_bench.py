"""What checking `#fragment`s costs, and that it grows linearly.

Two measurements, CPU seconds (process time), best of `--runs`:

- **Anchors of one document**, at doubling sizes: `markdown_anchors` (GitHub's heading slugs and raw
  HTML's ids) on Chinese articles with distinct and with repeated headings, and `html_anchors` on an HTML
  page, plus inputs that would make a careless scanner quadratic (unclosed comments, quotes, scripts).
  Linear means the last column, microseconds per kB, stays flat.
- **A local archive's fragments**: index pages citing `article.md#heading` across an archive (each
  article cited from three indexes, at headings that exist and, one in six, at some that do not), checked with
  `check_targets` (no network: local targets only). Each article is read and parsed once, however many
  citations name it; the time per citation stays flat as the archive doubles.

    python benchmarks/fragments_bench.py
    python benchmarks/fragments_bench.py --sizes 500,1000,2000,4000 --runs 3
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import trio
from tools import best_cpu_seconds, timing_arguments

from linkaudit.check import check_targets, group_occurrences
from linkaudit.extract import collect_inputs, extract_files
from linkaudit.extract.anchors import html_anchors, markdown_anchors
from linkaudit.models import UrlResult, Verdict
from linkaudit.settings import CheckSettings

PARAGRAPH = "正文一段，引用[来源](https://a.example/x)与 https://b.example/y 。The text goes on.\n\n"


def _documents(n: int) -> dict[str, tuple[str, Callable[[str], object]]]:
    """Documents of `n` anchors (the pathological ones of 8n tags), and the function that finds them."""
    markdown = {
        "markdown, distinct headings": "## 第{i}节：标题 {i}（更新）\n\n",
        "markdown, repeated headings": "## 注释\n\n",
        "markdown, raw HTML anchors": '<a name="n{i}"></a>\n\n',
    }
    documents: dict[str, tuple[str, Callable[[str], object]]] = {
        name: ("".join(head.replace("{i}", str(i)) + PARAGRAPH for i in range(n)), markdown_anchors)
        for name, head in markdown.items()
    }
    documents["html page"] = (
        "".join(f'<h2 id="s{i}">x</h2><p class="t">{PARAGRAPH}</p>' for i in range(n)),
        html_anchors,
    )
    for name, tag in (("comments", "<!-- x "), ("quotes", '<a href="x '), ("scripts", "<script ")):
        documents[f"html, unclosed {name}"] = (tag * (n * 8), html_anchors)
    return documents


def one_document(sizes: list[int], runs: int) -> None:
    print("Anchors of one document (CPU, best of runs)")
    print(f"{'document':30} {'size':>9} {'anchors':>8} {'ms':>9} {'us/kB':>7}")
    for n in sizes:
        for name, (text, anchors_of) in _documents(n).items():
            found = anchors_of(text)
            seconds = best_cpu_seconds(runs, lambda text=text, anchors_of=anchors_of: anchors_of(text))  # type: ignore[misc]
            kb = len(text.encode("utf-8")) / 1000
            count = len(found) if isinstance(found, list) else 0
            print(f"{name:30} {kb:8.0f}k {count:8} {seconds * 1000:9.1f} {seconds * 1e6 / kb:7.1f}")
    print()


def _archive(folder: Path, articles: int) -> None:
    for i in range(articles):
        headings = "".join(f"## 第{j}节：标题\n\n{PARAGRAPH}" for j in range(10))
        (folder / f"a{i}.md").write_text(f"# 文章 {i}\n\n{headings}", encoding="utf-8")
    # Each index cites 30 articles, each article is cited from 3 indexes; 1 heading in 6 does not exist.
    for k in range(articles // 10):
        cited = [(k * 10 + m) % articles for m in range(30)]
        links = "".join(f"- [{i}](a{i}.md#第{(i * 7 + k) % 12}节标题)\n" for i in cited)
        (folder / f"index{k}.md").write_text(f"# 索引 {k}\n\n{links}", encoding="utf-8")


def local_archive(sizes: list[int], runs: int) -> None:
    print("A local archive's fragments: extract, then check_targets (CPU of the check, best of runs)")
    print(f"{'articles':>8} {'citations':>10} {'missing':>8} {'check ms':>9} {'us/citation':>12}")
    settings = CheckSettings()
    for articles in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            _archive(folder, articles)
            files, _ = collect_inputs([str(folder)])
            occurrences = extract_files(files, jobs=1).occurrences
            fragments = [occ for occ in occurrences if occ.target.fragment is not None]
            items = group_occurrences(fragments)
            results: list[UrlResult] = []

            def check(items: list = items, results: list[UrlResult] = results) -> None:  # type: ignore[type-arg]
                results.clear()
                trio.run(lambda: check_targets(items, settings, on_result=results.append))

            seconds = best_cpu_seconds(runs, check)
            missing = sum(len(r.occurrences) for r in results if r.judgement.verdict is Verdict.DEAD)
            per = seconds * 1e6 / max(1, len(fragments))
            print(f"{articles:8} {len(fragments):10} {missing:8} {seconds * 1000:9.1f} {per:12.1f}")


def main() -> None:
    parser = timing_arguments(__doc__)
    parser.add_argument("--sizes", default="250,500,1000,2000", help="articles (and headings) per step")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    one_document(sizes, args.runs)
    local_archive(sizes, args.runs)


if __name__ == "__main__":
    main()
