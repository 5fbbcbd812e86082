"""The multi-process extraction path gives exactly what one process gives (it only runs on large inputs)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from linkaudit.extract import collect_inputs, extract_files
from linkaudit.report.extract import ExtractFormat, write_extract

ARTICLE = """### 标题 {n}\r
据[路透社](https://www.reuters.example/world/{n}/story-{m})消息称，普京与拜登通话。\r
![](https://img.example/{n}/图片{m}.png) 图片来源https://src.example/{n}/a_(b)，另见 www.side.example/{n}。\r
[https://shown.example/{n}](https://target.example/{m}) [本地](../index.md#top) [坏](hhttps://x.example/)\r
```\r
[not](https://code.example/{n})\r
```\r
{padding}\r
[footer](https://footer.example/terms)\r
"""


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("archive")
    padding = "这是一段很长的正文，用来让文件变大。" * 400
    for n in range(400):
        folder = root / f"d{n % 7}"
        folder.mkdir(exist_ok=True)
        text = ARTICLE.format(n=n, m=n * 7 % 13, padding=padding)
        data = text.encode("utf-8")
        if n % 50 == 0:
            data = b"\xef\xbb\xbf" + data  # some with a BOM
        if n % 97 == 0:
            data = text.encode("gb18030")  # and a legacy encoding
        (folder / f"{n}.md").write_bytes(data)
    (root / "d0" / "broken.md").write_bytes(b"\x00\x01binary")
    return root


def _jsonl(root: Path, jobs: int) -> tuple[list[dict[str, object]], list[str], int]:
    files, _ = collect_inputs([str(root)])
    result = extract_files(files, jobs=jobs)
    out = io.StringIO()
    write_extract(result, ExtractFormat.JSONL, out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    return lines, [f"{e.file}: {e.message}" for e in result.errors], len(result.occurrences)


def test_pool_and_single_process_agree(archive: Path) -> None:
    total = sum(p.stat().st_size for p in archive.rglob("*.md"))
    assert total > 4 * 1024 * 1024, "the input must be large enough to take the pool path"
    single, single_errors, single_count = _jsonl(archive, jobs=1)
    pooled, pooled_errors, pooled_count = _jsonl(archive, jobs=2)
    assert pooled == single
    assert pooled_errors == single_errors
    assert len(single_errors) == 1
    assert "broken.md: not valid text (binary content" in single_errors[0]
    assert single_count == pooled_count == len(single)
    kinds = {line["kind"] for line in single}
    assert kinds == {"link", "image", "bare", "text-url"}
    assert not any("code.example" in str(line["url"]) for line in single)
    assert all(line["template"] for line in single if line["url"] == "https://footer.example/terms")
